/**
 * Signing and verifying HTTP request signatures (RFC 9421) with node:crypto: how a device proves
 * every request after enrollment in plain-HTTP lab mode, with the key of its device certificate.
 * The base and the fields are built by protocol/http-signature; here are the digests (RFC 9530),
 * the key handling and the RSA operations of RFC 9421 §3.3.1 (rsa-pss-sha512: RSASSA-PSS, SHA-512,
 * MGF1 SHA-512, 64-byte salt) and §3.3.2 (rsa-v1_5-sha256: RSASSA-PKCS1-v1_5, SHA-256).
 *
 * Verification does every cheap check first (protocol/http-signature planVerification: sizes,
 * syntax, parameters, the time window, covered components), then the body's digest, then the keyid
 * lookup through the caller's callback, then the key's type and size, and only then RSA.
 */

import { constants, createHash, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { componentIdentifier, type HttpRequestParts } from '../protocol/http-signature/components.js';
import { encodeContentDigest, type ContentDigest, type DigestAlgorithm } from '../protocol/http-signature/content-digest.js';
import { signatureFailure, type SignatureResult } from '../protocol/http-signature/errors.js';
import { signatureBase, signatureBaseBytes } from '../protocol/http-signature/signature-base.js';
import {
  encodeSignatureField,
  encodeSignatureInput,
  signatureInnerList,
  type HttpSignatureAlgorithm,
  type SignatureParameters,
} from '../protocol/http-signature/signature-fields.js';
import {
  DEVICE_SIGNATURE_COMPONENTS,
  DEVICE_SIGNATURE_LABEL,
  DEVICE_SIGNATURE_REQUIREMENTS,
  DEVICE_SIGNATURE_TAG,
  planVerification,
  type SignatureRequirements,
} from '../protocol/http-signature/verification.js';
import { CertsError } from './errors.js';

/** A request with its body (absent or empty when there is none). */
export interface SignableRequest extends HttpRequestParts {
  body?: Uint8Array;
}

/** The digest of a body in Content-Digest's terms. */
export function contentDigestOf(body: Uint8Array, algorithm: DigestAlgorithm = 'sha-256'): ContentDigest {
  return { algorithm, digest: new Uint8Array(createHash(algorithm === 'sha-256' ? 'sha256' : 'sha512').update(body).digest()) };
}

/** `sha-256=:…:` for a body (RFC 9530 §2). */
export function contentDigestField(body: Uint8Array, algorithm: DigestAlgorithm = 'sha-256'): string {
  return encodeContentDigest([contentDigestOf(body, algorithm)]);
}

/** The keyid of a device: lower-case hex SHA-256 of its certificate's DER (the certificate's fingerprint). */
export function certificateKeyId(certificateDer: Uint8Array): string {
  return createHash('sha256').update(certificateDer).digest('hex');
}

export interface SignRequestOptions {
  privateKey: KeyObject;
  keyId: string;
  /** Default rsa-pss-sha512. */
  algorithm?: HttpSignatureAlgorithm;
  /** The signature's creation time (no clock here: the caller's). */
  created: Date;
  /** Default 300 s. */
  expiresInSeconds?: number;
  nonce?: string;
  /** Default `device`. */
  label?: string;
  /** Default `mdmlab-device`; null for none. */
  tag?: string | null;
  /** Covered components; default @method and @target-uri (content-digest is added for a body). */
  components?: readonly string[];
}

/** The fields to add to the request. */
export interface SignatureFields {
  'signature-input': string;
  signature: string;
  'content-digest'?: string;
}

export function signRequest(request: SignableRequest, opts: SignRequestOptions): SignatureFields {
  const algorithm = opts.algorithm ?? 'rsa-pss-sha512';
  checkKeyFor(opts.privateKey, algorithm);
  const names = [...(opts.components ?? DEVICE_SIGNATURE_COMPONENTS)];
  const fields: Partial<SignatureFields> = {};
  let headers = request.headers;
  if (request.body && request.body.length > 0) {
    fields['content-digest'] = contentDigestField(request.body);
    headers = { ...headers, 'content-digest': fields['content-digest'] };
    if (!names.includes('content-digest')) names.push('content-digest');
  }
  const created = Math.floor(opts.created.getTime() / 1000);
  const params: SignatureParameters = { created, expires: created + (opts.expiresInSeconds ?? 300), keyid: opts.keyId, alg: algorithm };
  if (opts.nonce !== undefined) params.nonce = opts.nonce;
  const tag = opts.tag === undefined ? DEVICE_SIGNATURE_TAG : opts.tag;
  if (tag !== null) params.tag = tag;
  const components = names.map((n) => componentIdentifier(n));
  const list = signatureInnerList(components, params);
  const base = signatureBaseBytes(signatureBase({ ...request, headers }, components, list));
  const label = opts.label ?? DEVICE_SIGNATURE_LABEL;
  return { ...fields, 'signature-input': encodeSignatureInput(label, list), signature: encodeSignatureField(label, rsaSign(algorithm, opts.privateKey, base)) };
}

function rsaSign(algorithm: HttpSignatureAlgorithm, key: KeyObject, data: Uint8Array): Uint8Array {
  return algorithm === 'rsa-pss-sha512'
    ? sign('sha512', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 })
    : sign('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING });
}

function checkKeyFor(key: KeyObject, algorithm: HttpSignatureAlgorithm): void {
  const type = key.asymmetricKeyType;
  if (type !== 'rsa' && !(type === 'rsa-pss' && algorithm === 'rsa-pss-sha512')) {
    throw new CertsError('badKey', `${algorithm} needs an RSA key, not ${type ?? key.type}`);
  }
}

/** A key the caller found for a keyid, and the algorithms it may be used with (default: any the requirements accept). */
export interface VerificationKey {
  publicKey: KeyObject;
  algorithms?: readonly HttpSignatureAlgorithm[];
}

export interface VerifyRequestOptions {
  /** Default DEVICE_SIGNATURE_REQUIREMENTS. */
  requirements?: SignatureRequirements;
  now: Date;
  /** Looks up the keyid (a device certificate's fingerprint); undefined when there is none. Called before any RSA work. */
  resolveKey: (keyId: string) => VerificationKey | undefined | Promise<VerificationKey | undefined>;
  /** RSA modulus sizes accepted; default 2048–4096 bits (bigger keys make verification an attacker's lever). */
  minKeyBits?: number;
  maxKeyBits?: number;
}

export interface VerifiedRequestSignature {
  keyId: string;
  label: string;
  algorithm: HttpSignatureAlgorithm;
  created: number;
  expires?: number;
  nonce?: string;
  tag?: string;
  /** Names of the covered components, in signature order. */
  components: string[];
}

export async function verifyRequestSignature(request: SignableRequest, opts: VerifyRequestOptions): Promise<SignatureResult<VerifiedRequestSignature>> {
  const requirements = opts.requirements ?? DEVICE_SIGNATURE_REQUIREMENTS;
  const body = request.body ?? new Uint8Array(0);
  const planned = planVerification({ ...request, bodyLength: body.length }, requirements, opts.now);
  if (!planned.ok) return planned;
  const plan = planned.value;

  for (const expected of plan.contentDigests ?? []) {
    const actual = contentDigestOf(body, expected.algorithm).digest;
    if (!timingSafeEqual(actual, expected.digest)) return signatureFailure('contentDigestMismatch', `the body does not match its ${expected.algorithm} Content-Digest`);
  }

  const resolved = await opts.resolveKey(plan.keyId);
  if (!resolved) return signatureFailure('unknownKey', 'no key is known for this keyid');
  const key = resolved.publicKey;
  const type = key.asymmetricKeyType;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  const exponent = key.asymmetricKeyDetails?.publicExponent ?? 0n;
  if ((type !== 'rsa' && type !== 'rsa-pss') || key.type !== 'public') return signatureFailure('unusableKey', 'the key is not an RSA public key');
  if (bits < (opts.minKeyBits ?? 2048) || bits > (opts.maxKeyBits ?? 4096)) return signatureFailure('unusableKey', `a ${bits}-bit key is outside the accepted sizes`);
  if (exponent < 3n || exponent > 0xffffffffn || exponent % 2n === 0n) return signatureFailure('unusableKey', 'the key has an unusual public exponent');

  const allowed = (resolved.algorithms ?? requirements.algorithms).filter((a) => requirements.algorithms.includes(a) && (type === 'rsa' || a === 'rsa-pss-sha512'));
  let algorithm = plan.algorithm;
  if (algorithm !== undefined && !allowed.includes(algorithm)) return signatureFailure('algorithmMismatch', `alg ${algorithm} is not an algorithm of this key`);
  if (algorithm === undefined) {
    if (allowed.length !== 1) return signatureFailure('missingParameter', 'the signature has no alg and the key allows more than one algorithm');
    algorithm = allowed[0] as HttpSignatureAlgorithm;
  }
  // RSA signatures are exactly as long as the modulus (RFC 8017 §8.1.2, §8.2.2 step 1).
  if (plan.signature.length !== Math.ceil(bits / 8)) return signatureFailure('badSignature', 'the signature length does not match the key');

  const data = signatureBaseBytes(plan.base);
  let valid: boolean;
  try {
    valid =
      algorithm === 'rsa-pss-sha512'
        ? verify('sha512', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }, plan.signature)
        : verify('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }, plan.signature);
  } catch {
    valid = false;
  }
  if (!valid) return signatureFailure('badSignature', 'the signature does not verify');

  const out: VerifiedRequestSignature = {
    keyId: plan.keyId,
    label: plan.label,
    algorithm,
    created: plan.created,
    components: plan.components.map((c) => c.name),
  };
  if (plan.expires !== undefined) out.expires = plan.expires;
  if (plan.nonce !== undefined) out.nonce = plan.nonce;
  if (plan.tag !== undefined) out.tag = plan.tag;
  return { ok: true, value: out };
}
