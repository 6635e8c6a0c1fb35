/**
 * Reading a PKCS#12 identity (RFC 7292): the private key and its certificate, plus any other
 * certificates of the file (the chain), as a device installs a com.apple.security.pkcs12 payload
 * (Apple YAML mdm/profiles/com.apple.security.pkcs12.yaml: "Password-protected identity
 * certificate"). node:crypto has no PKCS#12 reader; node-forge's does the password-based MAC
 * (RFC 7292 App. B) and decryption (PKCS#12 PBE, RFC 7292 App. C; PBES2, RFC 8018 §6.2), so both
 * OpenSSL 3's default (PBES2 with AES-256-CBC, HMAC-SHA-256 MAC) and older files (3DES, RC2-40)
 * are read. The key is handed to node:crypto (any type forge leaves as PKCS#8: RSA or EC).
 *
 * Cheap checks come before the costly ones: the size, then every iteration count of the file
 * (MAC and key derivation), read with our own DER walker before forge spends them.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { parseCertificate } from './certificate.js';
import { children, octetsOf, parseDer, readUnsignedInteger, Tag, type Tlv } from './der.js';
import { CertsError } from './errors.js';
import { spkiDer } from './keys.js';

/** An identity read from a PKCS#12 file. */
export interface Pkcs12Identity {
  privateKey: KeyObject;
  /** PKCS#8 PEM of the key. */
  keyPem: string;
  /** The certificate whose public key is the private key's. */
  certDer: Buffer;
  /** The file's other certificates (issuers), in file order. */
  chain: Buffer[];
  /** The key's friendlyName attribute (RFC 7292 §4.2: PKCS#9 friendlyName), the alias Android installs it under. */
  friendlyName?: string;
}

/** Bounds of readPkcs12. */
export interface Pkcs12Limits {
  /** Largest file read (default 256 KiB; an identity with its chain is a few KiB). */
  maxBytes: number;
  /** Largest iteration count of the MAC or of a key derivation (default 1,000,000; OpenSSL writes 2048). */
  maxIterations: number;
}

export const DEFAULT_PKCS12_LIMITS: Pkcs12Limits = { maxBytes: 256 * 1024, maxIterations: 1_000_000 };

/** How deep the walk looks for iteration counts (PFX → AuthenticatedSafe → SafeContents → SafeBag → …). */
const MAX_WALK_DEPTH = 16;

/**
 * The identity in a PKCS#12 file. Throws CertsError: `badPassword` when the password does not open
 * it (the MAC or the decryption fails), `badCertificate` when it holds no key, no certificate for
 * its key, or more than one key, `badDer` for what is not a PKCS#12 file, `keyNotAllowed` when it
 * asks for more iterations than `limits` allow.
 */
export function readPkcs12(der: Buffer, password: string, limits: Partial<Pkcs12Limits> = {}): Pkcs12Identity {
  const l = { ...DEFAULT_PKCS12_LIMITS, ...limits };
  if (der.length > l.maxBytes) throw new CertsError('badDer', `PKCS#12 file of ${der.length} bytes exceeds ${l.maxBytes}`);
  checkIterations(parseDer(der), l.maxIterations, 0);

  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')), false);
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    // forge says "MAC could not be verified. Invalid password?" or "Unable to decrypt … wrong password?".
    if (/password/i.test(message)) throw new CertsError('badPassword', 'the password does not open the PKCS#12 file', { cause: err });
    throw new CertsError('badDer', `not a readable PKCS#12 file: ${message}`, { cause: err });
  }

  const keyBags = [...bagsOf(p12, forge.pki.oids.pkcs8ShroudedKeyBag!), ...bagsOf(p12, forge.pki.oids.keyBag!)];
  const keys = keyBags.map(privateKeyOf);
  if (keys.length === 0) throw new CertsError('badCertificate', 'the PKCS#12 file holds no private key: it is not an identity');
  if (keys.length > 1) throw new CertsError('badCertificate', `the PKCS#12 file holds ${keys.length} private keys; an identity has one`);
  const privateKey = keys[0]!;
  const certs = bagsOf(p12, forge.pki.oids.certBag!).map(certificateOf);
  const ours = spkiDer(createPublicKey(privateKey));
  const index = certs.findIndex((c) => parseCertificate(c).spki.equals(ours));
  if (index < 0) throw new CertsError('badCertificate', 'the PKCS#12 file holds no certificate for its private key');
  return {
    privateKey,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    certDer: certs[index]!,
    chain: certs.filter((_c, i) => i !== index),
    ...friendlyNameOf(keyBags[0]!),
  };
}

function friendlyNameOf(bag: forge.pkcs12.Bag): { friendlyName?: string } {
  const name: unknown = bag.attributes?.friendlyName?.[0];
  return typeof name === 'string' ? { friendlyName: name } : {};
}

function bagsOf(p12: forge.pkcs12.Pkcs12Pfx, bagType: string): forge.pkcs12.Bag[] {
  return p12.getBags({ bagType })[bagType] ?? [];
}

function toBuffer(asn1: forge.asn1.Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/** forge parses RSA keys itself and leaves others as their PrivateKeyInfo: node:crypto takes both as PKCS#8. */
function privateKeyOf(bag: forge.pkcs12.Bag): KeyObject {
  const info = bag.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key)) : bag.asn1;
  if (!info) throw new CertsError('badCertificate', 'a PKCS#12 key bag holds no key');
  try {
    return createPrivateKey({ key: toBuffer(info), format: 'der', type: 'pkcs8' });
  } catch (err) {
    throw new CertsError('badKey', `the PKCS#12 private key cannot be used: ${(err as Error).message}`, { cause: err });
  }
}

function certificateOf(bag: forge.pkcs12.Bag): Buffer {
  const asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
  if (!asn1) throw new CertsError('badCertificate', 'a PKCS#12 certificate bag holds no X.509 certificate');
  return toBuffer(asn1);
}

/**
 * Every iteration count of the file is an INTEGER right after an OCTET STRING salt in a SEQUENCE:
 * MacData {mac, macSalt, iterations} (RFC 7292 §4), pkcs-12PbeParams {salt, iterations} (App. C),
 * PBKDF2-params {salt, iterationCount, …} (RFC 8018 App. A.2). Encrypted parts are opaque and
 * the rest (AuthenticatedSafe, SafeContents) travels inside OCTET STRINGs, which are walked into.
 */
function checkIterations(t: Tlv, max: number, depth: number): void {
  if (depth > MAX_WALK_DEPTH) return;
  if (isOctetString(t)) {
    const inner = octetsOf(t);
    if (inner.length > 1 && (inner[0] === Tag.SEQUENCE || inner[0] === Tag.SET)) {
      let nested: Tlv | undefined;
      try {
        nested = parseDer(inner);
      } catch {
        nested = undefined; // ciphertext or a salt that happens to start like a SEQUENCE
      }
      if (nested) checkIterations(nested, max, depth + 1);
    }
    return;
  }
  if (!t.constructed) return;
  const parts = children(t);
  parts.forEach((child, i) => {
    const previous = parts[i - 1];
    if (child.tag === Tag.INTEGER && previous && isOctetString(previous) && t.tag === Tag.SEQUENCE) {
      const n = readUnsignedInteger(child);
      const value = n.length > 6 ? Infinity : n.readUIntBE(0, Math.max(1, n.length));
      if (value > max) throw new CertsError('keyNotAllowed', `the PKCS#12 file asks for ${value} iterations; at most ${max} are done`);
    }
    checkIterations(child, max, depth + 1);
  });
}

/** Primitive or BER constructed OCTET STRING (X.690 §8.7). */
function isOctetString(t: Tlv): boolean {
  return t.tagClass === 0 && t.tagNumber === Tag.OCTET_STRING;
}
