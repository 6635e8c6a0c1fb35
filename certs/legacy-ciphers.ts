/**
 * Content-encryption ciphers that are still met in the wild although nobody should send them, for
 * the one reader that must cope: a device opening what a server encrypted to it.
 *
 * - DES-CBC (OID 1.3.14.3.2.7, FIPS 46-3 DES in the CBC mode of FIPS 81; RFC 3370 §5.1 keeps it
 *   out of CMS). SCEP servers built on the Go `go.mozilla.org/pkcs7` package (micromdm/scep among
 *   them) encrypt every CertRep with it, whatever the request used, and iOS accepts it. RFC 8894
 *   §3.5.2 offers only AES and DES3 as capabilities: DES is what a CA uses when it says neither.
 *   Node's OpenSSL 3 keeps DES in its legacy provider, which Node does not load, so DES is
 *   decrypted here with node-forge's DES (forge's `des.js`).
 * - 3DES-CBC (1.2.840.113549.3.7) is decrypted by node:crypto (certs/algorithms.ts ContentCipher)
 *   but is weak too: a 64-bit block (the "Sweet32" birthday bound) and disallowed for encryption by
 *   NIST SP 800-131A Rev. 2 after 2023.
 *
 * The server never accepts either in a request it decrypts (certs/algorithms.ts cipherFromOid);
 * only certs/cms-enveloped.ts openEnvelopeReporting, asked for `acceptLegacyCiphers`, uses this.
 */
import forge from 'node-forge';
import { CertsError } from './errors.js';
import { OID } from './oids.js';

/** Ciphers node:crypto cannot run without OpenSSL's legacy provider. */
export type LegacyContentCipher = 'des-cbc';

const LEGACY: Record<LegacyContentCipher, { oid: string; keyLength: number; ivLength: number }> = {
  'des-cbc': { oid: OID.desCbc, keyLength: 8, ivLength: 8 },
};

/** The legacy cipher an OID names, or undefined. */
export function legacyCipherFromOid(cipherOid: string): LegacyContentCipher | undefined {
  return (Object.keys(LEGACY) as LegacyContentCipher[]).find((c) => LEGACY[c].oid === cipherOid);
}

/** Content ciphers a reader should warn about when a sender used them (see the file comment). */
export function isWeakContentCipher(cipher: string): boolean {
  return cipher === 'des-cbc' || cipher === 'des-ede3-cbc';
}

/** Decrypts CBC content with PKCS#7 padding (RFC 5652 §6.3); CertsError('badPadding') when the key or data is wrong. */
export function decryptLegacy(cipher: LegacyContentCipher, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const info = LEGACY[cipher];
  if (key.length !== info.keyLength || iv.length !== info.ivLength) {
    throw new CertsError('badPadding', `content key/IV size does not fit ${cipher}`);
  }
  if (data.length === 0 || data.length % 8 !== 0) throw new CertsError('badPadding', `${cipher} content is not a whole number of blocks`);
  const decipher = forge.cipher.createDecipher('DES-CBC', forge.util.createBuffer(key.toString('binary')));
  decipher.start({ iv: forge.util.createBuffer(iv.toString('binary')) });
  decipher.update(forge.util.createBuffer(data.toString('binary')));
  // finish() checks and strips the PKCS#7 padding; false means it was wrong (wrong key, tampering).
  if (!decipher.finish()) throw new CertsError('badPadding', `content decryption failed: bad ${cipher} padding`);
  return Buffer.from(decipher.output.getBytes(), 'binary');
}
