import { describe, expect, it } from 'vitest';
import { componentIdentifier } from '../../../protocol/http-signature/components.js';
import { encodeSignatureField, encodeSignatureInput, signatureInnerList, type SignatureParameters } from '../../../protocol/http-signature/signature-fields.js';
import {
  DEVICE_SIGNATURE_REQUIREMENTS,
  planVerification,
  type ReceivedRequest,
  type SignatureRequirements,
} from '../../../protocol/http-signature/verification.js';

const NOW = new Date(Date.UTC(2024, 4, 1, 12, 0, 0));
const T = Math.floor(NOW.getTime() / 1000);
const KEY_ID = 'ab'.repeat(32);
const DIGEST = 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:';
const SIG = new Uint8Array(256).fill(7);

function signed(opts: { params?: SignatureParameters; components?: string[]; label?: string; body?: boolean; headers?: Record<string, string> } = {}): ReceivedRequest {
  const components = (opts.components ?? ['@method', '@target-uri', ...(opts.body === false ? [] : ['content-digest'])]).map((n) => componentIdentifier(n));
  const params: SignatureParameters = opts.params ?? { created: T, expires: T + 300, keyid: KEY_ID, alg: 'rsa-pss-sha512', tag: 'mdmlab-device' };
  const label = opts.label ?? 'device';
  const list = signatureInnerList(components, params);
  return {
    method: 'POST',
    targetUri: 'http://mdm.lab:8080/android/v1/devices/d1:report',
    bodyLength: opts.body === false ? 0 : 18,
    headers: {
      ...(opts.body === false ? {} : { 'content-digest': DIGEST }),
      'signature-input': encodeSignatureInput(label, list),
      signature: encodeSignatureField(label, SIG),
      ...opts.headers,
    },
  };
}

function refusal(request: ReceivedRequest, requirements: SignatureRequirements = DEVICE_SIGNATURE_REQUIREMENTS): string {
  const r = planVerification(request, requirements, NOW);
  return r.ok ? 'accepted' : r.error.code;
}

const base = { created: T, expires: T + 300, keyid: KEY_ID, alg: 'rsa-pss-sha512', tag: 'mdmlab-device' };

describe('planVerification: every check before any key is touched', () => {
  it('accepts a device signature and gives the base, keyid, times and digests to verify', () => {
    const r = planVerification(signed(), DEVICE_SIGNATURE_REQUIREMENTS, NOW);
    if (!r.ok) throw r.error;
    expect(r.value).toMatchObject({ label: 'device', keyId: KEY_ID, algorithm: 'rsa-pss-sha512', created: T, expires: T + 300, tag: 'mdmlab-device', signature: SIG });
    expect(r.value.base).toBe(
      [
        '"@method": POST',
        '"@target-uri": http://mdm.lab:8080/android/v1/devices/d1:report',
        `"content-digest": ${DIGEST}`,
        `"@signature-params": ("@method" "@target-uri" "content-digest");created=${T};expires=${T + 300};alg="rsa-pss-sha512";keyid="${KEY_ID}";tag="mdmlab-device"`,
      ].join('\n'),
    );
    expect(r.value.contentDigests?.map((d) => d.algorithm)).toEqual(['sha-256']);
    expect(planVerification(signed({ body: false }), DEVICE_SIGNATURE_REQUIREMENTS, NOW).ok).toBe(true);
  });

  it('picks the signature by tag among several, or by label', () => {
    const other = signatureInnerList([componentIdentifier('@method')], { created: T, keyid: 'proxy' });
    const mine = signed();
    const request = {
      ...mine,
      headers: {
        ...mine.headers,
        'signature-input': `${encodeSignatureInput('proxy', other)}, ${mine.headers['signature-input'] as string}`,
        signature: `${encodeSignatureField('proxy', SIG)}, ${mine.headers.signature as string}`,
      },
    };
    const byTag = planVerification(request, DEVICE_SIGNATURE_REQUIREMENTS, NOW);
    expect(byTag.ok && byTag.value.label).toBe('device');
    expect(refusal(request, { ...DEVICE_SIGNATURE_REQUIREMENTS, label: 'proxy' })).toBe('noMatchingSignature');
    expect(refusal(request, { ...DEVICE_SIGNATURE_REQUIREMENTS, label: 'absent' })).toBe('noMatchingSignature');
  });

  it.each<[string, ReceivedRequest, string]>([
    ['an unsigned request', { ...signed(), headers: { 'content-digest': DIGEST } }, 'missingSignature'],
    ['Signature-Input without Signature', { ...signed(), headers: { 'signature-input': signed().headers['signature-input'] as string } }, 'missingSignature'],
    ['a Signature for another label', signed({ headers: { signature: encodeSignatureField('other', SIG) } }), 'missingSignature'],
    ['an oversized Signature-Input', signed({ headers: { 'signature-input': `device=("@method");x="${'a'.repeat(9000)}"` } }), 'headerTooLarge'],
    ['an oversized Signature', signed({ headers: { signature: `device=:${'A'.repeat(9000)}:` } }), 'headerTooLarge'],
    ['a Signature-Input that is no Structured Field', signed({ headers: { 'signature-input': 'device=("@method"' } }), 'malformedHeader'],
    ['a Signature that is no byte sequence', signed({ headers: { signature: 'device="abc"' } }), 'malformedHeader'],
    ['an empty signature', signed({ headers: { signature: 'device=::' } }), 'malformedHeader'],
    ['a Signature-Input member that is no inner list', signed({ headers: { 'signature-input': 'device="@method"' } }), 'malformedHeader'],
    ['a component identifier that is a token', signed({ headers: { 'signature-input': 'device=(date);created=1' } }), 'malformedHeader'],
    [
      'nine signatures',
      signed({ headers: { 'signature-input': Array.from({ length: 9 }, (_, i) => `s${i}=("@method");created=${T}`).join(', ') } }),
      'tooManySignatures',
    ],
    ['no signature with the device tag', signed({ params: { ...base, tag: 'other' } }), 'noMatchingSignature'],
    ['no keyid', signed({ params: { created: T, expires: T + 60, tag: 'mdmlab-device' } }), 'missingParameter'],
    ['a keyid that is no certificate fingerprint', signed({ params: { ...base, keyid: 'device-1' } }), 'invalidParameter'],
    ['an unknown parameter', signed({ headers: { 'signature-input': `device=("@method");created=${T};colour="red";tag="mdmlab-device"` } }), 'invalidParameter'],
    ['created as a string', signed({ headers: { 'signature-input': `device=("@method");created="${T}";tag="mdmlab-device"` } }), 'invalidParameter'],
    ['a token keyid', signed({ headers: { 'signature-input': `device=("@method");created=${T};keyid=abc;tag="mdmlab-device"` } }), 'invalidParameter'],
    ['an algorithm mdmlab does not accept', signed({ params: { ...base, alg: 'hmac-sha256' } }), 'unsupportedAlgorithm'],
    ['no created', signed({ params: { ...base, created: undefined } }), 'missingParameter'],
    ['no expires', signed({ params: { ...base, expires: undefined } }), 'missingParameter'],
    ['created in the future', signed({ params: { ...base, created: T + 120, expires: T + 400 } }), 'notYetValid'],
    ['created too long ago', signed({ params: { ...base, created: T - 301, expires: T + 100 } }), 'tooOld'],
    ['expired', signed({ params: { ...base, created: T - 200, expires: T - 61 } }), 'expired'],
    ['expires not after created', signed({ params: { ...base, expires: T } }), 'invalidParameter'],
    ['valid for too long', signed({ params: { ...base, expires: T + 601 } }), 'lifetimeTooLong'],
    ['@target-uri not covered', signed({ components: ['@method', 'content-digest'] }), 'missingComponent'],
    ['a body without content-digest covered', signed({ components: ['@method', '@target-uri'] }), 'missingComponent'],
    ['content-digest covered but absent', { ...signed(), headers: { ...signed().headers, 'content-digest': undefined } }, 'missingContentDigest'],
    ['a Content-Digest of an unknown algorithm', signed({ headers: { 'content-digest': 'md5=:AAAAAAAAAAAAAAAAAAAAAA==:' } }), 'unsupportedDigestAlgorithm'],
    ['a covered field the request lacks', signed({ components: ['@method', '@target-uri', 'content-digest', 'x-device'] }), 'componentNotInMessage'],
    ['a component covered twice', signed({ components: ['@method', '@target-uri', 'content-digest', '@method'] }), 'duplicateComponent'],
    ['a response component', signed({ components: ['@method', '@target-uri', 'content-digest', '@status'] }), 'unsupportedComponent'],
    [
      'thirty-three components',
      signed({ headers: { 'signature-input': `device=(${Array.from({ length: 33 }, (_, i) => `"x-${i}"`).join(' ')});created=${T}` } }),
      'tooManyComponents',
    ],
  ])('refuses %s', (_what, request, code) => {
    expect(refusal(request)).toBe(code);
  });

  it('honours a policy that needs a nonce and allows no skew', () => {
    const strict: SignatureRequirements = { ...DEVICE_SIGNATURE_REQUIREMENTS, requireNonce: true, clockSkewSeconds: 0 };
    expect(refusal(signed(), strict)).toBe('missingParameter');
    expect(refusal(signed({ params: { ...base, nonce: 'n-1' } }), strict)).toBe('accepted');
    expect(refusal(signed({ params: { ...base, nonce: 'n-1', created: T + 1, expires: T + 100 } }), strict)).toBe('notYetValid');
  });
});
