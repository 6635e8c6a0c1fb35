/**
 * RSAES-PKCS1-v1_5 (RFC 8017 §7.2) key transport for CMS KeyTransRecipientInfo (RFC 5652 §6.2.1).
 *
 * Node 20 refuses `privateDecrypt` with RSA_PKCS1_PADDING (CVE-2023-46809, the Marvin attack),
 * so we decrypt with RSA_NO_PADDING and strip the type-2 padding here. This is not constant
 * time and therefore a padding oracle in principle; acceptable in a lab tool whose SCEP server
 * answers every failure the same way, never in production.
 */
import { constants, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';
import { CertsError } from './errors.js';

/** Encrypt a short secret (a content-encryption key) with RSAES-PKCS1-v1_5 (RFC 8017 §7.2.1). */
export function rsaPkcs1Encrypt(publicKey: KeyObject, message: Buffer): Buffer {
  // Public-key encryption with PKCS#1 v1.5 padding is still allowed by Node 20.
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, message);
}

/** Decrypt RSAES-PKCS1-v1_5 (RFC 8017 §7.2.2) via raw RSA; throws badPadding on a malformed block. */
export function rsaPkcs1Decrypt(privateKey: KeyObject, ciphertext: Buffer): Buffer {
  let em: Buffer;
  try {
    em = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, ciphertext);
  } catch (err) {
    // Wrong length or a value >= modulus: the ciphertext was not made for this key.
    throw new CertsError('badPadding', `RSA decryption failed: ${(err as Error).message}`, { cause: err });
  }
  // EM = 0x00 || 0x02 || PS (>= 8 non-zero octets) || 0x00 || M
  if (em.length < 11 || em[0] !== 0x00 || em[1] !== 0x02) {
    throw new CertsError('badPadding', 'RSA PKCS#1 v1.5: bad block type');
  }
  const sep = em.indexOf(0x00, 2);
  if (sep < 0 || sep < 10) throw new CertsError('badPadding', 'RSA PKCS#1 v1.5: bad padding string');
  return em.subarray(sep + 1);
}
