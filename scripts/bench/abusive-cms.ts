/**
 * Hostile CMS inputs, built the way an attacker would: many SignerInfos in one SignedData, extra
 * embedded certificates, an EnvelopedData naming the CA many times with bogus keys, and RSA keys
 * whose public exponent is as large as the modulus (valid RSA, RFC 8017 §3.1 only asks
 * 3 ≤ e ≤ n−1, but each verification then costs a full-size modular exponentiation instead of 17
 * multiplications). Used by `npm run bench cms-abuse` and by the
 * regression tests of the CMS/SCEP hardening; never by the server.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import { signCms } from '../../certs/cms-signed.js';
import { children, contentOf, expectTag, explicit, octetString, parseDer, printableString, rawOf, seq, Tag, tlv } from '../../certs/der.js';
import type { RsaKeyPair } from '../../certs/keys.js';
import { OID } from '../../certs/oids.js';

const b64uToBig = (s: string): bigint => BigInt(`0x${Buffer.from(s, 'base64url').toString('hex') || '0'}`);
function bigToB64u(n: bigint): string {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, 'hex').toString('base64url');
}
const gcd = (a: bigint, b: bigint): bigint => {
  while (b) [a, b] = [b, a % b];
  return a;
};
function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new Error('not invertible');
  return ((oldS % m) + m) % m;
}

/**
 * A working RSA key pair of `modulusBits` whose public exponent has `exponentBits` bits (odd,
 * coprime to λ(n)): node's key generation only takes 32-bit exponents, so the private exponent
 * is recomputed from the primes of an ordinary key (d = e⁻¹ mod λ(n), RFC 8017 §3.2).
 */
export function rsaKeyWithHugeExponent(modulusBits = 3072, exponentBits = modulusBits - 8): RsaKeyPair {
  const jwk = generateKeyPairSync('rsa', { modulusLength: modulusBits }).privateKey.export({ format: 'jwk' }) as JsonWebKey;
  const p = b64uToBig(jwk.p!);
  const q = b64uToBig(jwk.q!);
  const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
  let e: bigint;
  do {
    e = BigInt(`0x${randomBytes(Math.ceil(exponentBits / 8)).toString('hex')}`);
    e = (e >> BigInt(Math.ceil(exponentBits / 8) * 8 - exponentBits)) | (1n << BigInt(exponentBits - 1)) | 1n;
  } while (gcd(e, lambda) !== 1n);
  const d = modInverse(e, lambda);
  const privateKey = createPrivateKey({
    format: 'jwk',
    key: { ...jwk, e: bigToB64u(e), d: bigToB64u(d), dp: bigToB64u(d % (p - 1n)), dq: bigToB64u(d % (q - 1n)) },
  });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

interface SignedDataPieces {
  version: Buffer;
  digestAlgorithms: Buffer;
  encapContentInfo: Buffer;
  certificates: Buffer[];
  signerInfos: Buffer[];
}

function split(cms: Buffer): SignedDataPieces {
  const [, contentT] = children(expectTag(parseDer(cms), Tag.SEQUENCE, 'ContentInfo'));
  const parts = children(children(contentT!)[0]!);
  const certsT = parts.find((p) => p.tag === 0xa0);
  const signersT = parts[parts.length - 1]!; // signerInfos is the last field (RFC 5652 §5.1)
  return {
    version: rawOf(parts[0]!),
    digestAlgorithms: rawOf(parts[1]!),
    encapContentInfo: rawOf(parts[2]!),
    certificates: certsT ? children(certsT).map(rawOf) : [],
    signerInfos: children(signersT).map(rawOf),
  };
}

function join(p: SignedDataPieces): Buffer {
  const signedData = seq(p.version, p.digestAlgorithms, p.encapContentInfo, tlv(0xa0, ...p.certificates), tlv(Tag.SET, ...p.signerInfos));
  // ContentInfo { id-signedData, [0] EXPLICIT SignedData } (RFC 5652 §3, §5.1).
  return seq(Buffer.from('06092a864886f70d010702', 'hex'), explicit(0, signedData));
}

/**
 * The same SignedData with its (valid) SignerInfo repeated `count` times: every copy verifies, so
 * a verifier that checks all signers pays `count` RSA verifications.
 */
export function withRepeatedSigner(cms: Buffer, count: number): Buffer {
  const p = split(cms);
  return join({ ...p, signerInfos: Array.from({ length: count }, () => p.signerInfos[0]!) });
}

/** The same SignedData with more certificates embedded after its own. */
export function withExtraCertificates(cms: Buffer, extra: Buffer[]): Buffer {
  const p = split(cms);
  return join({ ...p, certificates: [...p.certificates, ...extra] });
}

/** The SubjectPublicKeyInfo DER of an RSA key with exactly these modulus and exponent bytes (not a usable key). */
export function rsaSpki(modulus: Buffer, exponent: Buffer): Buffer {
  const int = (b: Buffer) => tlv(Tag.INTEGER, b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
  const rsaPublicKey = seq(int(modulus), int(exponent));
  return seq(Buffer.from('300d06092a864886f70d0101010500', 'hex'), tlv(Tag.BIT_STRING, Buffer.from([0]), rsaPublicKey));
}

/**
 * The same EnvelopedData with `count` copies of its (first) KeyTransRecipientInfo put before it,
 * each with a random encrypted key below the modulus: a receiver that tries every RecipientInfo
 * naming its certificate pays one RSA private operation for each before it reaches the real one.
 */
export function withBogusRecipients(envelopedData: Buffer, count: number): Buffer {
  const [, contentT] = children(expectTag(parseDer(envelopedData), Tag.SEQUENCE, 'ContentInfo'));
  const [versionT, recipientsT, encryptedT] = children(children(contentT!)[0]!);
  const real = children(recipientsT!)[0]!;
  const [riVersion, rid, keyAlg, encryptedKey] = children(real);
  const bogus = () => {
    const key = randomBytes(contentOf(encryptedKey!).length);
    key[0] = 0x01; // below any modulus of that length: the RSA operation runs, the padding fails
    return seq(rawOf(riVersion!), rawOf(rid!), rawOf(keyAlg!), octetString(key));
  };
  const recipients = tlv(Tag.SET, ...Array.from({ length: count }, bogus), rawOf(real));
  // ContentInfo { id-envelopedData, [0] EXPLICIT EnvelopedData } (RFC 5652 §3, §6.1).
  return seq(Buffer.from('06092a864886f70d010703', 'hex'), explicit(0, seq(rawOf(versionT!), recipients, rawOf(encryptedT!))));
}

/** A PKCSReq pkiMessage (RFC 8894 §3.2.1) around an already built pkcsPKIEnvelope. */
export function pkcsReqAround(envelopedData: Buffer, signer: { certDer: Buffer; key: KeyObject }, transactionId: string): Buffer {
  return signCms({
    content: envelopedData,
    detached: false,
    signerCertDer: signer.certDer,
    signerKey: signer.key,
    extraSignedAttributes: [
      { oid: OID.scepMessageType, values: [printableString('19')] },
      { oid: OID.scepTransactionId, values: [printableString(transactionId)] },
      { oid: OID.scepSenderNonce, values: [octetString(randomBytes(16))] },
    ],
  });
}
