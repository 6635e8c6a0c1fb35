/**
 * Algorithm identifiers: which digests, signature and content-encryption algorithms we accept,
 * and their AlgorithmIdentifier encodings (RFC 5280 §4.1.1.2, RFC 3370, RFC 5754, RFC 3565).
 */
import type { KeyObject } from 'node:crypto';
import { children, expectTag, NULL, oid, readOid, seq, Tag, type Tlv } from './der.js';
import { CertsError } from './errors.js';
import { OID } from './oids.js';

/** Digests we accept; SHA-1 because iOS and certmonger may still use it in SCEP. */
export type DigestName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

/** Content-encryption ciphers for EnvelopedData (RFC 8894 §3.5.2 lists AES and 3DES). */
export type ContentCipher = 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc' | 'des-ede3-cbc';

const DIGEST_OID: Record<DigestName, string> = {
  sha1: OID.sha1,
  sha224: OID.sha224,
  sha256: OID.sha256,
  sha384: OID.sha384,
  sha512: OID.sha512,
};
const DIGEST_BY_OID = new Map<string, DigestName>(Object.entries(DIGEST_OID).map(([k, v]) => [v, k as DigestName]));

const RSA_SIG_OID: Record<DigestName, string> = {
  sha1: OID.sha1WithRSAEncryption,
  sha224: OID.sha224WithRSAEncryption,
  sha256: OID.sha256WithRSAEncryption,
  sha384: OID.sha384WithRSAEncryption,
  sha512: OID.sha512WithRSAEncryption,
};

/** Signature OIDs that fix the hash (RSA PKCS#1 v1.5 and ECDSA). */
const SIG_HASH = new Map<string, DigestName>([
  ...Object.entries(RSA_SIG_OID).map(([k, v]) => [v, k as DigestName] as const),
  // Verify only: Windows signs enrollment requests with the OIW OID (certs/windows-csr.ts).
  [OID.sha1WithRSASignatureOiw, 'sha1'],
  [OID.ecdsaWithSha1, 'sha1'],
  [OID.ecdsaWithSha224, 'sha224'],
  [OID.ecdsaWithSha256, 'sha256'],
  [OID.ecdsaWithSha384, 'sha384'],
  [OID.ecdsaWithSha512, 'sha512'],
]);

/** Parsed AlgorithmIdentifier (RFC 5280 §4.1.1.2). */
export interface AlgorithmIdentifier {
  oid: string;
  params?: Tlv;
}

/** Read an AlgorithmIdentifier SEQUENCE. */
export function readAlgorithmIdentifier(t: Tlv | undefined, what: string): AlgorithmIdentifier {
  const parts = children(expectTag(t, Tag.SEQUENCE, what));
  const algOid = readOid(expectTag(parts[0], Tag.OID, `${what} algorithm`));
  const params = parts[1];
  return params && params.tag !== Tag.NULL ? { oid: algOid, params } : { oid: algOid };
}

/** Digest name for a digest OID; throws unsupportedAlgorithm for MD5 and unknown ones. */
export function digestFromOid(digestOid: string): DigestName {
  const d = DIGEST_BY_OID.get(digestOid);
  if (!d) throw new CertsError('unsupportedAlgorithm', `unsupported digest algorithm ${digestOid}`);
  return d;
}

/** DigestAlgorithmIdentifier with absent parameters (RFC 5754 §2, RFC 3370 §2.1). */
export function digestAlgorithmIdentifier(d: DigestName): Buffer {
  return seq(oid(DIGEST_OID[d]));
}

/** shaXXXWithRSAEncryption AlgorithmIdentifier with NULL parameters (RFC 4055 §5, RFC 8017 App. C). */
export function rsaSignatureAlgorithmIdentifier(d: DigestName): Buffer {
  return seq(oid(RSA_SIG_OID[d]), NULL);
}

/**
 * The hash a signature algorithm uses. `rsaEncryption` / `ecPublicKey` in a CMS SignerInfo mean
 * "the SignerInfo's digestAlgorithm" (RFC 3370 §3.2), passed as `fallback`.
 */
export function signatureHash(sigOid: string, fallback?: DigestName): DigestName {
  const h = SIG_HASH.get(sigOid);
  if (h) return h;
  if ((sigOid === OID.rsaEncryption || sigOid === OID.ecPublicKey) && fallback) return fallback;
  throw new CertsError('unsupportedAlgorithm', `unsupported signature algorithm ${sigOid}`);
}

/**
 * The hash of an RSA PKCS#1 v1.5 signature algorithm (RFC 8017 §8.2), `rsaEncryption` meaning the
 * SignerInfo's digest (RFC 3370 §3.2); anything else (ECDSA, RSASSA-PSS) is unsupportedAlgorithm.
 */
export function rsaSignatureHash(sigOid: string, fallback: DigestName): DigestName {
  if (sigOid === OID.rsaEncryption) return fallback;
  const h = SIG_HASH.get(sigOid);
  if (h && RSA_SIG_OID[h] === sigOid) return h;
  throw new CertsError('unsupportedAlgorithm', `unsupported RSA signature algorithm ${sigOid}`);
}

/** ecdsa-with-SHAxxx AlgorithmIdentifier, parameters absent (RFC 5758 §3.2). */
export function ecdsaSignatureAlgorithmIdentifier(d: DigestName): Buffer {
  const o = [...SIG_HASH].find(([k, v]) => v === d && k.startsWith('1.2.840.10045.'))?.[0];
  if (!o) throw new CertsError('unsupportedAlgorithm', `no ECDSA OID for ${d}`);
  return seq(oid(o));
}

/** The AlgorithmIdentifier for signing with `key` (RSA PKCS#1 v1.5 or ECDSA) and digest `d`. */
export function signatureAlgorithmIdentifierFor(key: KeyObject, d: DigestName): Buffer {
  if (key.asymmetricKeyType === 'rsa') return rsaSignatureAlgorithmIdentifier(d);
  if (key.asymmetricKeyType === 'ec') return ecdsaSignatureAlgorithmIdentifier(d);
  throw new CertsError('unsupportedAlgorithm', `cannot sign with a ${String(key.asymmetricKeyType)} key`);
}

interface CipherInfo {
  oid: string;
  keyLength: number;
  ivLength: number;
}

const CIPHERS: Record<ContentCipher, CipherInfo> = {
  'aes-128-cbc': { oid: OID.aes128Cbc, keyLength: 16, ivLength: 16 },
  'aes-192-cbc': { oid: OID.aes192Cbc, keyLength: 24, ivLength: 16 },
  'aes-256-cbc': { oid: OID.aes256Cbc, keyLength: 32, ivLength: 16 },
  'des-ede3-cbc': { oid: OID.desEde3Cbc, keyLength: 24, ivLength: 8 },
};
const CIPHER_BY_OID = new Map<string, ContentCipher>(
  Object.entries(CIPHERS).map(([k, v]) => [v.oid, k as ContentCipher]),
);

/** Key/IV sizes and OID of a content cipher. */
export function cipherInfo(c: ContentCipher): CipherInfo {
  const info = CIPHERS[c];
  if (!info) throw new CertsError('unsupportedAlgorithm', `unsupported content cipher ${String(c)}`);
  return info;
}

/** Content cipher for an OID; DES, RC2 and others are refused (RFC 8894 §3.5.2 deprecates DES). */
export function cipherFromOid(cipherOid: string): ContentCipher {
  const c = CIPHER_BY_OID.get(cipherOid);
  if (!c) throw new CertsError('unsupportedAlgorithm', `unsupported content-encryption algorithm ${cipherOid}`);
  return c;
}
