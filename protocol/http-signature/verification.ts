/**
 * Everything a verifier checks before any cryptography (RFC 9421 §3.2 steps 1–7, plus the
 * verifier's own requirements, §3.2.1 and §7): field sizes, field syntax, the signature chosen by
 * label or tag, parameter types and values, the created/expires window against a clock passed in,
 * the covered components the verifier insists on, the Content-Digest a body needs, and the
 * signature base. What is left — the digest of the body, the key lookup by keyid, and the RSA
 * verification — is certs/http-signature.ts's, in that order.
 */

import { componentIdentifier, headerValue, type ComponentIdentifier, type HttpRequestParts } from './components.js';
import { decodeContentDigest, type ContentDigest } from './content-digest.js';
import { asSignatureResult, HttpSignatureError, type SignatureResult } from './errors.js';
import { signatureBase } from './signature-base.js';
import {
  decodeSignatureField,
  decodeSignatureInput,
  HTTP_SIGNATURE_ALGORITHMS,
  type HttpSignatureAlgorithm,
  type SignatureInput,
} from './signature-fields.js';

export interface SignatureRequirements {
  /** Verify the signature with this label; otherwise the first whose `tag` matches (or the first). */
  label?: string;
  /** `tag` the signature must carry (RFC 9421 §2.3: an application-specific tag). */
  tag?: string;
  /** Component names that must be covered (no parameters), e.g. `@method`, `@target-uri`. */
  components: readonly string[];
  /** A request with a body must cover `content-digest` and carry a Content-Digest of a known algorithm. */
  contentDigestWithBody: boolean;
  algorithms: readonly HttpSignatureAlgorithm[];
  /** `created` is required and may be this old at most. */
  maxAgeSeconds: number;
  /** Tolerated clock difference for `created` in the future and `expires` in the past. */
  clockSkewSeconds: number;
  requireExpires: boolean;
  /** `expires` − `created` at most. */
  maxLifetimeSeconds?: number;
  requireNonce?: boolean;
  /** Shape of `keyid` (mdmlab: the device certificate's SHA-256 fingerprint). */
  keyIdPattern?: RegExp;
}

/** The label, tag and components mdmlab's devices sign with. */
export const DEVICE_SIGNATURE_LABEL = 'device';
export const DEVICE_SIGNATURE_TAG = 'mdmlab-device';
export const DEVICE_SIGNATURE_COMPONENTS = ['@method', '@target-uri'] as const;

/** keyid = lower-case hex SHA-256 of the device certificate (certs/http-signature.ts certificateKeyId). */
export const CERTIFICATE_KEY_ID = /^[0-9a-f]{64}$/;

/** What the server demands of every device request after enrollment in plain-HTTP lab mode. */
export const DEVICE_SIGNATURE_REQUIREMENTS: SignatureRequirements = Object.freeze({
  tag: DEVICE_SIGNATURE_TAG,
  components: DEVICE_SIGNATURE_COMPONENTS,
  contentDigestWithBody: true,
  algorithms: HTTP_SIGNATURE_ALGORITHMS,
  maxAgeSeconds: 300,
  clockSkewSeconds: 60,
  requireExpires: true,
  maxLifetimeSeconds: 600,
  keyIdPattern: CERTIFICATE_KEY_ID,
});

/** The request as the verifier sees it: the parts a signature covers and how long the body is. */
export interface ReceivedRequest extends HttpRequestParts {
  bodyLength: number;
}

export interface VerificationPlan {
  label: string;
  keyId: string;
  /** The `alg` parameter when the signer gave one. */
  algorithm?: HttpSignatureAlgorithm;
  created: number;
  expires?: number;
  nonce?: string;
  tag?: string;
  components: ComponentIdentifier[];
  /** The signature base to verify against. */
  base: string;
  signature: Uint8Array;
  /** The digests the body must match (the covered Content-Digest), when there is one. */
  contentDigests?: ContentDigest[];
}

/** The pure part of verification; the result says exactly which check refused the request. */
export function planVerification(request: ReceivedRequest, requirements: SignatureRequirements, now: Date): SignatureResult<VerificationPlan> {
  return asSignatureResult(() => plan(request, requirements, now));
}

function single(request: HttpRequestParts, name: string): string | undefined {
  const v = headerValue(request.headers, name);
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : v.join(', ');
}

function plan(request: ReceivedRequest, req: SignatureRequirements, now: Date): VerificationPlan {
  const inputField = single(request, 'signature-input');
  const signatureField = single(request, 'signature');
  if (inputField === undefined || signatureField === undefined) {
    throw new HttpSignatureError('missingSignature', 'the request has no Signature-Input and Signature fields');
  }
  const inputs = decodeSignatureInput(inputField);
  const signatures = decodeSignatureField(signatureField);
  const input = chooseSignature(inputs, req);
  const signature = signatures.get(input.label);
  if (!signature) throw new HttpSignatureError('missingSignature', `Signature has no member ${input.label}`);

  const { params } = input;
  if (params.keyid === undefined) throw new HttpSignatureError('missingParameter', 'the signature has no keyid');
  if (req.keyIdPattern && !req.keyIdPattern.test(params.keyid)) throw new HttpSignatureError('invalidParameter', 'keyid does not name a device certificate');
  let algorithm: HttpSignatureAlgorithm | undefined;
  if (params.alg !== undefined) {
    if (!(req.algorithms as readonly string[]).includes(params.alg)) throw new HttpSignatureError('unsupportedAlgorithm', `alg ${params.alg} is not accepted`);
    algorithm = params.alg as HttpSignatureAlgorithm;
  }
  if (req.requireNonce && params.nonce === undefined) throw new HttpSignatureError('missingParameter', 'the signature has no nonce');
  checkTimes(params.created, params.expires, req, Math.floor(now.getTime() / 1000));

  const names = new Set(input.components.map((c) => c.name));
  for (const name of req.components) {
    if (!names.has(name)) throw new HttpSignatureError('missingComponent', `the signature does not cover ${name}`);
  }
  let contentDigests: ContentDigest[] | undefined;
  const coversDigest = input.components.some((c) => c.name === 'content-digest' && c.params.size === 0);
  if (request.bodyLength > 0 && req.contentDigestWithBody && !coversDigest) {
    throw new HttpSignatureError('missingComponent', 'a request with a body must cover content-digest');
  }
  if (coversDigest) {
    const field = single(request, 'content-digest');
    if (field === undefined) throw new HttpSignatureError('missingContentDigest', 'the request has no Content-Digest field');
    contentDigests = decodeContentDigest(field);
  }
  const base = signatureBase(request, input.components, input.innerList);
  const out: VerificationPlan = {
    label: input.label,
    keyId: params.keyid,
    created: params.created as number,
    components: input.components.map((c) => componentIdentifier(c.name, c.params)),
    base,
    signature,
  };
  if (algorithm) out.algorithm = algorithm;
  if (params.expires !== undefined) out.expires = params.expires;
  if (params.nonce !== undefined) out.nonce = params.nonce;
  if (params.tag !== undefined) out.tag = params.tag;
  if (contentDigests) out.contentDigests = contentDigests;
  return out;
}

function chooseSignature(inputs: Map<string, SignatureInput>, req: SignatureRequirements): SignatureInput {
  if (req.label !== undefined) {
    const byLabel = inputs.get(req.label);
    if (!byLabel) throw new HttpSignatureError('noMatchingSignature', `no signature labelled ${req.label}`);
    if (req.tag !== undefined && byLabel.params.tag !== req.tag) throw new HttpSignatureError('noMatchingSignature', `signature ${req.label} is not tagged ${req.tag}`);
    return byLabel;
  }
  for (const input of inputs.values()) if (req.tag === undefined || input.params.tag === req.tag) return input;
  throw new HttpSignatureError('noMatchingSignature', req.tag === undefined ? 'Signature-Input is empty' : `no signature tagged ${req.tag}`);
}

function checkTimes(created: number | undefined, expires: number | undefined, req: SignatureRequirements, now: number): void {
  if (created === undefined) throw new HttpSignatureError('missingParameter', 'the signature has no created time');
  if (req.requireExpires && expires === undefined) throw new HttpSignatureError('missingParameter', 'the signature has no expires time');
  if (created > now + req.clockSkewSeconds) throw new HttpSignatureError('notYetValid', 'the signature was created in the future');
  if (created < now - req.maxAgeSeconds) throw new HttpSignatureError('tooOld', `the signature is older than ${req.maxAgeSeconds} s`);
  if (expires !== undefined) {
    if (expires <= created) throw new HttpSignatureError('invalidParameter', 'expires is not after created');
    if (now > expires + req.clockSkewSeconds) throw new HttpSignatureError('expired', 'the signature has expired');
    if (req.maxLifetimeSeconds !== undefined && expires - created > req.maxLifetimeSeconds) {
      throw new HttpSignatureError('lifetimeTooLong', `the signature is valid for more than ${req.maxLifetimeSeconds} s`);
    }
  }
}
