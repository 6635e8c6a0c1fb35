/**
 * Request signatures with real keys: RFC 9421's own rsa-pss-sha512 examples verify, devices' signed
 * requests verify and nothing else does, OpenSSL agrees with both algorithms, and every refusal
 * that needs no RSA happens without it.
 */

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../certs/authority.js';
import { certificatePublicKey } from '../../certs/certificate.js';
import { buildCsr } from '../../certs/csr.js';
import {
  certificateKeyId,
  contentDigestField,
  signRequest,
  verifyRequestSignature,
  type SignableRequest,
  type SignRequestOptions,
  type VerificationKey,
  type VerifyRequestOptions,
} from '../../certs/http-signature.js';
import { generateRsaKeyPair, publicKeyToPem, type RsaKeyPair } from '../../certs/keys.js';
import { importPublicKey } from '../../certs/keys.js';
import { HTTP_SIGNATURE_ALGORITHMS } from '../../protocol/http-signature/signature-fields.js';
import { DEVICE_SIGNATURE_REQUIREMENTS, planVerification, type SignatureRequirements } from '../../protocol/http-signature/verification.js';
import { B2_BODY_SHA256, B2_CREATED, B2_REQUEST, PSS_EXAMPLES, TEST_KEY_RSA_PSS_PUBLIC } from '../protocol/http-signature/rfc9421-vectors.js';
import { expectCertsError, opensslOk, TempDir } from './helpers.js';

const NOW = new Date(Date.UTC(2024, 4, 1, 12, 0, 0));

interface Device {
  keys: RsaKeyPair;
  certDer: Buffer;
  keyId: string;
}

let ca: CertificateAuthority;
let alice: Device;
let bob: Device;
const tmp = new TempDir('mdmlab-httpsig-');

async function device(name: string): Promise<Device> {
  const keys = await generateRsaKeyPair(2048);
  const certDer = ca.issueFromCsr(buildCsr({ privateKey: keys.privateKey, subject: [{ shortName: 'CN', value: name }] }), { validityDays: 1, now: NOW }).certDer;
  return { keys, certDer, keyId: certificateKeyId(certDer) };
}

beforeAll(async () => {
  ca = await CertificateAuthority.create({ commonName: 'mdmlab test CA', now: NOW });
  [alice, bob] = await Promise.all([device('alice-phone'), device('bob-phone')]);
});
afterAll(() => tmp.cleanup());

/** The server's key lookup: a device's certificate by its fingerprint, as the store would answer. */
function lookup(devices: Device[], calls: string[] = []): VerifyRequestOptions['resolveKey'] {
  return async (keyId) => {
    calls.push(keyId);
    const d = devices.find((x) => x.keyId === keyId);
    return d ? { publicKey: certificatePublicKey(d.certDer) } : undefined;
  };
}

const BODY = new Uint8Array(Buffer.from('{"managementMode":"PROFILE_OWNER"}'));
const request = (over: Partial<SignableRequest> = {}): SignableRequest => ({
  method: 'POST',
  targetUri: 'http://mdm.lab:8080/android/v1/enterprises/mdmlab/devices/dev_1:report',
  headers: { 'content-type': 'application/json' },
  body: BODY,
  ...over,
});

function signedBy(d: Device, req: SignableRequest = request(), opts: Partial<SignRequestOptions> = {}): SignableRequest {
  const fields = signRequest(req, { privateKey: d.keys.privateKey, keyId: d.keyId, created: NOW, ...opts });
  return { ...req, headers: { ...req.headers, ...fields } };
}

async function outcome(req: SignableRequest, opts: Partial<VerifyRequestOptions> = {}): Promise<string> {
  const r = await verifyRequestSignature(req, { now: NOW, resolveKey: lookup([alice, bob]), ...opts });
  return r.ok ? 'verified' : r.error.code;
}

describe('RFC 9421 Appendix B.2: rsa-pss-sha512 with test-key-rsa-pss', () => {
  const rfcKey: VerificationKey = { publicKey: importPublicKey(TEST_KEY_RSA_PSS_PUBLIC), algorithms: ['rsa-pss-sha512'] };
  const rfcRequirements: SignatureRequirements = {
    components: [],
    contentDigestWithBody: false,
    algorithms: ['rsa-pss-sha512'],
    maxAgeSeconds: 60,
    clockSkewSeconds: 0,
    requireExpires: false,
  };
  const at = new Date(B2_CREATED * 1000);
  const verifyExample = (headers: Record<string, string>, body = B2_REQUEST.body) =>
    verifyRequestSignature(
      { ...B2_REQUEST, headers: { ...B2_REQUEST.headers, ...headers }, body },
      { now: at, requirements: rfcRequirements, resolveKey: (id) => (id === 'test-key-rsa-pss' ? rfcKey : undefined) },
    );

  it.each(PSS_EXAMPLES)('$section verifies', async (example) => {
    const r = await verifyExample({ 'signature-input': example.signatureInput, signature: example.signature });
    expect(r.ok ? r.value.keyId : r.error.message).toBe('test-key-rsa-pss');
  });

  it('and stops verifying when the request changes', async () => {
    const [b21, b22, b23] = PSS_EXAMPLES as [typeof PSS_EXAMPLES[0], typeof PSS_EXAMPLES[0], typeof PSS_EXAMPLES[0]];
    const flipped = b23.signature.replace('bbN8', 'bbN9');
    expect((await verifyExample({ 'signature-input': b23.signatureInput, signature: flipped })).ok).toBe(false);
    const r22 = await verifyExample({ 'signature-input': b22.signatureInput, signature: b22.signature }, new Uint8Array(Buffer.from('{"hello": "world!"}')));
    expect(r22.ok || r22.error.code).toBe('contentDigestMismatch');
    const other = await verifyRequestSignature(
      { ...B2_REQUEST, targetUri: 'https://example.com/foo?param=Value&Pet=cat', headers: { ...B2_REQUEST.headers, 'signature-input': b22.signatureInput, signature: b22.signature } },
      { now: at, requirements: rfcRequirements, resolveKey: () => rfcKey },
    );
    expect(other.ok || other.error.code).toBe('badSignature');
    const renamed = await verifyExample({ 'signature-input': b21.signatureInput.replace('b3k2pp5k7z', 'b3k2pp5k7y'), signature: b21.signature });
    expect(renamed.ok || renamed.error.code).toBe('badSignature');
  });

  it('computes the RFC 9530 digests of the example body', () => {
    expect(contentDigestField(B2_REQUEST.body)).toBe(B2_BODY_SHA256);
    expect(contentDigestField(B2_REQUEST.body, 'sha-512')).toBe(B2_REQUEST.headers['content-digest']);
  });
});

describe('device request signatures', () => {
  it.each(HTTP_SIGNATURE_ALGORITHMS)('a request signed with %s verifies, with its keyid and components', async (algorithm) => {
    const signed = signedBy(alice, request(), { algorithm, nonce: 'n-1' });
    expect(signed.headers['content-digest']).toBe(contentDigestField(BODY));
    const r = await verifyRequestSignature(signed, { now: NOW, resolveKey: lookup([alice, bob]) });
    if (!r.ok) throw r.error;
    expect(r.value).toEqual({
      keyId: alice.keyId,
      label: 'device',
      algorithm,
      created: Math.floor(NOW.getTime() / 1000),
      expires: Math.floor(NOW.getTime() / 1000) + 300,
      nonce: 'n-1',
      tag: 'mdmlab-device',
      components: ['@method', '@target-uri', 'content-digest'],
    });
  });

  it('a GET without a body needs no Content-Digest', async () => {
    const signed = signedBy(alice, request({ method: 'GET', body: undefined, headers: {} }));
    expect(signed.headers['content-digest']).toBeUndefined();
    expect(await outcome(signed)).toBe('verified');
  });

  it('names the device by its certificate\'s SHA-256 fingerprint', () => {
    expect(alice.keyId).toMatch(/^[0-9a-f]{64}$/);
    expect(opensslOk(['x509', '-inform', 'DER', '-noout', '-fingerprint', '-sha256'], { input: alice.certDer }).toString()).toContain(
      alice.keyId.toUpperCase().match(/../g)?.join(':'),
    );
  });

  it('refuses a request changed after signing', async () => {
    const signed = signedBy(alice);
    expect(await outcome({ ...signed, body: new Uint8Array(Buffer.from('{"managementMode":"DEVICE_OWNER"}')) })).toBe('contentDigestMismatch');
    expect(await outcome({ ...signed, method: 'PUT' })).toBe('badSignature');
    expect(await outcome({ ...signed, targetUri: signed.targetUri.replace('dev_1', 'dev_2') })).toBe('badSignature');
    expect(await outcome({ ...signed, targetUri: signed.targetUri.replace('mdm.lab:8080', 'other.lab:8080') })).toBe('badSignature');
    const digest = contentDigestField(new Uint8Array(Buffer.from('other')));
    expect(await outcome({ ...signed, body: new Uint8Array(Buffer.from('other')), headers: { ...signed.headers, 'content-digest': digest } })).toBe('badSignature');
    const sig = signed.headers.signature as string;
    const flipped = sig.slice(0, 12) + (sig[12] === 'A' ? 'B' : 'A') + sig.slice(13);
    expect(await outcome({ ...signed, headers: { ...signed.headers, signature: flipped } })).toBe('badSignature');
  });

  it('never lets one device act for another', async () => {
    // Bob signs with his key but names Alice's certificate: the lookup gives Alice's key, which refuses it.
    const forged = signedBy({ ...bob, keyId: alice.keyId });
    expect(await outcome(forged)).toBe('badSignature');
    // A device the server does not know.
    expect(await outcome(signedBy(alice), { resolveKey: lookup([bob]) })).toBe('unknownKey');
  });

  it('refuses an unsigned request, an expired signature and one from the future without looking up a key', async () => {
    const calls: string[] = [];
    const resolveKey = lookup([alice], calls);
    expect(await outcome(request(), { resolveKey })).toBe('missingSignature');
    expect(await outcome(signedBy(alice, request(), { created: new Date(NOW.getTime() - 10 * 60_000) }), { resolveKey })).toBe('tooOld');
    expect(await outcome(signedBy(alice, request(), { created: new Date(NOW.getTime() + 5 * 60_000) }), { resolveKey })).toBe('notYetValid');
    expect(await outcome(signedBy(alice, request(), { created: new Date(NOW.getTime() - 250_000), expiresInSeconds: 60 }), { resolveKey })).toBe('expired');
    expect(await outcome({ ...signedBy(alice), body: new Uint8Array(3) }, { resolveKey })).toBe('contentDigestMismatch');
    expect(await outcome(signedBy(alice, request(), { tag: null }), { resolveKey })).toBe('noMatchingSignature');
    expect(await outcome(signedBy(alice, request(), { components: ['@method'] }), { resolveKey })).toBe('missingComponent');
    expect(calls).toEqual([]);
    expect(await outcome(signedBy(alice), { resolveKey })).toBe('verified');
    expect(calls).toEqual([alice.keyId]);
  });

  it('checks the key before any RSA work: type, size, exponent, algorithm', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    const fixed = (publicKey: KeyObject, algorithms?: VerificationKey['algorithms']): VerifyRequestOptions['resolveKey'] => () => ({
      publicKey,
      ...(algorithms ? { algorithms } : {}),
    });
    const signed = signedBy(alice);
    expect(await outcome(signed, { resolveKey: fixed(ec) })).toBe('unusableKey');
    expect(await outcome(signed, { resolveKey: fixed(small) })).toBe('unusableKey');
    expect(await outcome(signed, { resolveKey: fixed(alice.keys.privateKey) })).toBe('unusableKey');
    expect(await outcome(signed, { resolveKey: fixed(alice.keys.publicKey), maxKeyBits: 1024 })).toBe('unusableKey');
    expect(await outcome(signed, { resolveKey: fixed(alice.keys.publicKey, ['rsa-v1_5-sha256']) })).toBe('algorithmMismatch');
    expect(await outcome(signedBy(alice, request(), { algorithm: 'rsa-v1_5-sha256' }), { resolveKey: fixed(pss.publicKey) })).toBe('algorithmMismatch');
    expect(await outcome(signed, { resolveKey: fixed(pss.publicKey) })).toBe('badSignature');
    const pssSigned = signedBy({ ...alice, keys: pss as RsaKeyPair });
    expect(await outcome(pssSigned, { resolveKey: fixed(pss.publicKey) })).toBe('verified');
    // A signature whose length does not match the modulus is refused before RSA.
    const short = { ...signed, headers: { ...signed.headers, signature: 'device=:AAAA:' } };
    expect(await outcome(short)).toBe('badSignature');
  });

  it('needs alg when the key allows more than one algorithm', async () => {
    const noAlg = signedBy(alice);
    const input = (noAlg.headers['signature-input'] as string).replace(';alg="rsa-pss-sha512"', '');
    const stripped = { ...noAlg, headers: { ...noAlg.headers, 'signature-input': input } };
    expect(await outcome(stripped)).toBe('missingParameter');
    const onePss = () => ({ publicKey: certificatePublicKey(alice.certDer), algorithms: ['rsa-pss-sha512'] as const });
    // The key fixes the algorithm; the base (without alg) was not what Alice signed, so it does not verify.
    expect(await outcome(stripped, { resolveKey: onePss })).toBe('badSignature');
  });

  it('will not sign with a key that cannot make the signature', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expectCertsError(() => signRequest(request(), { privateKey: ec, keyId: alice.keyId, created: NOW }), 'badKey');
  });
});

describe('OpenSSL agrees', () => {
  const base = (signed: SignableRequest): Buffer => {
    const plan = planVerification({ ...signed, bodyLength: signed.body?.length ?? 0 }, DEVICE_SIGNATURE_REQUIREMENTS, NOW);
    if (!plan.ok) throw plan.error;
    return Buffer.from(plan.value.base, 'latin1');
  };
  const sigBytes = (signed: SignableRequest): Buffer => Buffer.from(/:([^:]+):/.exec(signed.headers.signature as string)?.[1] ?? '', 'base64');

  it('openssl verifies our rsa-pss-sha512 and rsa-v1_5-sha256 signatures', () => {
    tmp.write('alice.pub.pem', publicKeyToPem(alice.keys.publicKey));
    const pss = signedBy(alice, request(), { algorithm: 'rsa-pss-sha512' });
    tmp.write('pss.base', base(pss));
    tmp.write('pss.sig', sigBytes(pss));
    const pssOut = opensslOk(
      ['dgst', '-sha512', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:64', '-sigopt', 'rsa_mgf1_md:sha512', '-verify', 'alice.pub.pem', '-signature', 'pss.sig', 'pss.base'],
      { cwd: tmp.path },
    );
    expect(pssOut.toString()).toContain('Verified OK');
    const v15 = signedBy(alice, request(), { algorithm: 'rsa-v1_5-sha256' });
    tmp.write('v15.base', base(v15));
    tmp.write('v15.sig', sigBytes(v15));
    expect(opensslOk(['dgst', '-sha256', '-verify', 'alice.pub.pem', '-signature', 'v15.sig', 'v15.base'], { cwd: tmp.path }).toString()).toContain('Verified OK');
  });

  it('openssl signs the same base to the same rsa-v1_5-sha256 signature (deterministic)', () => {
    tmp.write('alice.key.pem', alice.keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    const v15 = signedBy(alice, request(), { algorithm: 'rsa-v1_5-sha256' });
    tmp.write('kat.base', base(v15));
    expect(opensslOk(['dgst', '-sha256', '-sign', 'alice.key.pem', 'kat.base'], { cwd: tmp.path })).toEqual(sigBytes(v15));
  });
});
