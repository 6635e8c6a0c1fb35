/**
 * Which public keys a client may make us use (the project's safety rule: cheap checks before costly
 * work). Read from the SubjectPublicKeyInfo DER alone, before OpenSSL ever sees the key: an RSA
 * verification costs one modular exponentiation by the public exponent, and RFC 8017 §3.1 only
 * bounds that exponent by the modulus, so a certificate with a 3072-bit exponent turns a 30 µs
 * verification into 8 ms. OpenSSL bounds the exponent only above 3072-bit moduli (64 bits).
 *
 * The limits, and why:
 * - RSA only (rsaEncryption, RFC 8017 App. A.1): Apple's SCEP payload generates RSA keys only
 *   (Configuration Profile Reference, "SCEP": Key Type "RSA"), and the SCEP reply is encrypted to
 *   the requester's key with RSAES-PKCS1-v1_5 (RFC 8894 §3.2.2), which an EC key cannot receive.
 * - Modulus 1024–4096 bits: the sizes Apple's SCEP payload offers (Keysize 1024, 2048 or 4096,
 *   default 1024), hence the sizes our certificate profiles offer. Below 1024 is broken (RSA-512
 *   is factored in hours); above 4096 no client of ours generates keys, and verification cost
 *   grows with the square of the size.
 * - Public exponent odd, 3 ≤ e ≤ 2^32 − 1: RFC 8017 §3.1 requires 3 ≤ e and e odd (gcd with the
 *   even λ(n) must be 1); every real key uses 65537 (FIPS 186-5 §A.1.1). At most 32 bits keeps a
 *   verification at ≤ 32 squarings, as Go's crypto/rsa does (it refuses e > 2^31 − 1).
 */
import { children, expectTag, parseDer, readBitString, readOid, readUnsignedInteger, Tag } from './der.js';
import { CertsError } from './errors.js';
import { OID } from './oids.js';

/** What a SubjectPublicKeyInfo holds, read without importing the key. */
export type PublicKeyFacts =
  | { type: 'rsa'; modulusBits: number; /** The exponent's value, or Infinity past 2^53. */ exponent: number }
  | { type: 'other'; algorithm: string };

/** The RSA sizes a client key may have. */
export interface RsaKeyLimits {
  minModulusBits: number;
  maxModulusBits: number;
}

/** Every key a client hands us (CMS signers, CSRs, SCEP requesters): see the file comment. */
export const CLIENT_RSA_KEY_LIMITS: Readonly<RsaKeyLimits> = { minModulusBits: 1024, maxModulusBits: 4096 };
export const MAX_RSA_PUBLIC_EXPONENT = 2 ** 32 - 1;

function bitLength(unsigned: Buffer): number {
  if (unsigned.length === 1 && unsigned[0] === 0) return 0;
  return (unsigned.length - 1) * 8 + (32 - Math.clz32(unsigned[0]!));
}

/** Decode a SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) far enough to judge the key; throws badKey when it is not one. */
export function publicKeyFacts(spki: Buffer): PublicKeyFacts {
  try {
    const [algT, bitsT] = children(expectTag(parseDer(spki), Tag.SEQUENCE, 'SubjectPublicKeyInfo'));
    const algorithm = readOid(expectTag(children(expectTag(algT, Tag.SEQUENCE, 'algorithm'))[0], Tag.OID, 'algorithm OID'));
    if (algorithm !== OID.rsaEncryption) return { type: 'other', algorithm };
    const { unusedBits, bytes } = readBitString(expectTag(bitsT, Tag.BIT_STRING, 'subjectPublicKey'));
    if (unusedBits !== 0) throw new CertsError('badKey', 'RSA public key BIT STRING with unused bits');
    // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 App. A.1.1)
    const [nT, eT, extra] = children(expectTag(parseDer(bytes), Tag.SEQUENCE, 'RSAPublicKey'));
    if (extra) throw new CertsError('badKey', 'RSAPublicKey has more than two fields');
    const n = readUnsignedInteger(expectTag(nT, Tag.INTEGER, 'modulus'));
    const e = readUnsignedInteger(expectTag(eT, Tag.INTEGER, 'publicExponent'));
    if ((nT!.buf[nT!.contentStart]! & 0x80) !== 0 || (eT!.buf[eT!.contentStart]! & 0x80) !== 0) {
      throw new CertsError('badKey', 'negative RSA modulus or exponent');
    }
    return { type: 'rsa', modulusBits: bitLength(n), exponent: e.length > 6 ? Infinity : e.readUIntBE(0, e.length) };
  } catch (err) {
    if (err instanceof CertsError && err.code === 'badKey') throw err;
    throw new CertsError('badKey', `not a SubjectPublicKeyInfo: ${(err as Error).message}`, { cause: err });
  }
}

/** The key's facts if it is an RSA key within `limits`; throws keyNotAllowed (or badKey) otherwise. */
export function checkClientKey(spkiOrFacts: Buffer | PublicKeyFacts, limits: RsaKeyLimits = CLIENT_RSA_KEY_LIMITS): Extract<PublicKeyFacts, { type: 'rsa' }> {
  const facts = Buffer.isBuffer(spkiOrFacts) ? publicKeyFacts(spkiOrFacts) : spkiOrFacts;
  if (facts.type !== 'rsa') throw new CertsError('keyNotAllowed', `the key is not RSA (algorithm ${facts.algorithm})`);
  if (facts.modulusBits < limits.minModulusBits || facts.modulusBits > limits.maxModulusBits) {
    throw new CertsError('keyNotAllowed', `an RSA modulus of ${facts.modulusBits} bits is outside ${limits.minModulusBits}–${limits.maxModulusBits}`);
  }
  const e = facts.exponent;
  if (e < 3 || e > MAX_RSA_PUBLIC_EXPONENT || e % 2 === 0) {
    const shown = Number.isFinite(e) ? String(e) : 'over 2^53';
    throw new CertsError('keyNotAllowed', `the RSA public exponent ${shown} is not an odd number from 3 to 2^32-1`);
  }
  return facts;
}
