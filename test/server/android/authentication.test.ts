import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCsr } from '../../../certs/csr.js';
import { generateRsaKeyPair } from '../../../certs/keys.js';
import { CertificateAuthority } from '../../../certs/authority.js';
import { derToPem } from '../../../certs/pem.js';
import { privateKeyToPem } from '../../../certs/keys.js';
import { ANDROID_CHANNEL_PATHS } from '../../../protocol/android/channel.js';
import { encodeDeviceReport } from '../../../protocol/android/amapi/device.js';
import { enrollIdentity } from '../../helpers/apple-wire.js';
import {
  deviceTls,
  fetchPolicy,
  rawRequest,
  registerDevice,
  reportOn,
  sendReport,
  signed,
  storeSnapshot,
  type AndroidDevice,
} from '../../helpers/android-wire.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * Every request after registration proves the device: an RFC 9421 signature with the device key in
 * plain-HTTP lab mode (keyid = the certificate's fingerprint, @target-uri rebuilt from the
 * configured base URL, a nonce good for one state-changing request), mutual TLS with --tls. A device
 * can never act for another; a refused request changes nothing; the answer is Google's error model,
 * 401 UNAUTHENTICATED for a proof that fails.
 */
let server: TestServer;
let alice: AndroidDevice;
let bob: AndroidDevice;
beforeAll(async () => {
  server = await startTestServer();
  [alice, bob] = await Promise.all([registerDevice(server, 'alice@contoso.com', 'androidForWork'), registerDevice(server, 'bob@contoso.com', 'samsungKnox')]);
});
afterAll(() => server.stop());

const policyPath = ANDROID_CHANNEL_PATHS.policy;

describe('a signed request (plain-HTTP lab mode)', () => {
  it('gets the policy, and a refusal in Google\'s error model for every proof that fails, before anything is read or stored', async () => {
    expect((await fetchPolicy(alice)).res.status).toBe(200);
    const stranger = await generateRsaKeyPair(2048);
    const cases: [string, Promise<Awaited<ReturnType<typeof signed>>>, number, string][] = [
      ['unsigned', signed(alice, 'GET', policyPath, { unsigned: true }), 401, 'missingSignature'],
      ['another key under alice\'s keyid', signed(alice, 'GET', policyPath, { sign: { key: stranger.privateKey } }), 401, 'badSignature'],
      ['signed for another server', signed(alice, 'GET', policyPath, { signedUrl: `http://mdm.elsewhere.example${policyPath}` }), 401, 'badSignature'],
      ['signed for another path', signed(alice, 'GET', policyPath, { signedUrl: `${server.url}/android/v1/other` }), 401, 'badSignature'],
      ['created ten minutes ago', signed(alice, 'GET', policyPath, { sign: { created: new Date(Date.now() - 600_000) } }), 401, 'signatureExpired'],
      ['created in the future', signed(alice, 'GET', policyPath, { sign: { created: new Date(Date.now() + 600_000) } }), 401, 'signatureExpired'],
      ['valid for a day', signed(alice, 'GET', policyPath, { sign: { expiresInSeconds: 86_400 } }), 401, 'signatureExpired'],
      ['a keyid nobody has', signed(alice, 'GET', policyPath, { sign: { keyId: 'ab'.repeat(32) } }), 401, 'unknownIdentity'],
      ['no tag', signed(alice, 'GET', policyPath, { sign: { tag: null } }), 401, 'badSignature'],
      ['not covering @target-uri', signed(alice, 'GET', policyPath, { sign: { components: ['@method'] } }), 401, 'badSignature'],
      ['a Signature-Input that is not a structured field', rawRequest(`${server.url}${policyPath}`, { method: 'GET', headers: { 'signature-input': 'device=(((', signature: 'device=:AAAA:' } }), 401, 'badSignature'],
      ['an oversized Signature-Input', rawRequest(`${server.url}${policyPath}`, { method: 'GET', headers: { 'signature-input': `device=("@method");keyid="${'a'.repeat(9000)}"`, signature: 'device=:AAAA:' } }), 431, 'headerTooLarge'],
    ];
    for (const [what, pending, status, reason] of cases) {
      const res = await pending;
      expect(res.status, what).toBe(status);
      expect(res.error, what).toMatchObject({ code: status, reason });
      expect(res.error?.status, what).toBe(status === 401 ? 'UNAUTHENTICATED' : 'INVALID_ARGUMENT');
    }
  });

  it('ignores Host: @target-uri comes from the configured base URL', async () => {
    const res = await signed(alice, 'GET', policyPath, { headers: { host: 'mdm.evil.example' } });
    expect(res.status).toBe(200);
    const forged = await signed(alice, 'GET', policyPath, { headers: { host: 'mdm.evil.example' }, signedUrl: `http://mdm.evil.example${policyPath}` });
    expect(forged.status).toBe(401);
  });

  it('refuses a signature without a nonce, and a replayed report (the nonce is spent), storing nothing the second time', async () => {
    const noNonce = await signed(alice, 'GET', policyPath, { sign: { nonce: null } });
    expect(noNonce.status).toBe(401);
    expect(noNonce.error).toMatchObject({ reason: 'badSignature', message: expect.stringMatching(/nonce/) });
    const longNonce = await signed(alice, 'GET', policyPath, { sign: { nonce: 'n'.repeat(200) } });
    expect(longNonce.error?.reason).toBe('badSignature');
    const body = encodeDeviceReport(reportOn(alice, 1));
    const nonce = randomBytes(16).toString('base64url');
    expect((await sendReport(alice, body, { sign: { nonce } })).status).toBe(204);
    const before = storeSnapshot(server);
    const replay = await sendReport(alice, body, { sign: { nonce } });
    expect(replay.status).toBe(401);
    expect(replay.error?.reason).toBe('replayedRequest');
    expect(storeSnapshot(server)).toBe(before);
  });

  it('bounds what one device can make the server remember: past 512 live nonces its state-changing requests get 429 with Retry-After', async () => {
    const flooder = await registerDevice(server, 'flood@contoso.com', 'androidForWork');
    // A signed body the decoder refuses: the nonce is remembered (the signature held), nothing else is.
    for (let i = 0; i < 512; i += 16) {
      const statuses = await Promise.all(Array.from({ length: 16 }, () => sendReport(flooder, '{}').then((r) => r.status)));
      expect(statuses.every((s) => s === 400)).toBe(true);
    }
    const refused = await sendReport(flooder, '{}');
    expect(refused.status).toBe(429);
    expect(refused.error).toMatchObject({ status: 'RESOURCE_EXHAUSTED', reason: 'tooManyRequests' });
    expect(refused.headers['retry-after']).toBe('60');
    // Reads are not state-changing and others are not affected.
    expect((await fetchPolicy(flooder)).res.status).toBe(200);
    expect((await sendReport(alice, reportOn(alice, 1))).status).toBe(204);
  });

  it('refuses a tampered body (its Content-Digest no longer matches), changing nothing', async () => {
    const body = encodeDeviceReport(reportOn(alice, 1));
    const tampered = await sendReport(alice, body, { sendBody: body.replace('ACTIVE', 'DELETED') });
    expect(tampered.status).toBe(401);
    expect(tampered.error?.reason).toBe('badSignature');
    expect(tampered.error?.message).toMatch(/contentDigestMismatch/);
    expect((await server.api.get(`/devices/${alice.deviceId}`).expect(200)).body.status).toBe('enrolled');
  });

  it('never lets a device act for another: a report naming bob, signed by alice, is refused (403) and stores nothing', async () => {
    const before = storeSnapshot(server);
    const forBob = { ...reportOn(bob, 1), managementMode: 'PROFILE_OWNER' as const };
    const res = await sendReport(alice, forBob);
    expect(res.status).toBe(403);
    expect(res.error).toMatchObject({ status: 'PERMISSION_DENIED', reason: 'wrongDevice', field: 'name' });
    const leaving = await sendReport(alice, { ...reportOn(alice, 1), appliedPolicyName: bob.policyName, appliedState: 'DELETED' });
    expect(leaving.error).toMatchObject({ reason: 'wrongDevice', field: 'appliedPolicyName' });
    const otherSerial = await sendReport(alice, { ...reportOn(alice, 1), hardwareInfo: { serialNumber: bob.serial } });
    expect(otherSerial.error).toMatchObject({ reason: 'wrongDevice', field: 'hardwareInfo.serialNumber' });
    expect(storeSnapshot(server)).toBe(before);
  });

  it('takes no other certificate of this CA as a device identity: an Apple SCEP identity signing with its own key', async () => {
    const apple = await enrollIdentity(server, 'ios@contoso.com');
    const asApple = await signed(alice, 'GET', policyPath, { sign: { key: apple.key, keyId: createHash('sha256').update(apple.certDer).digest('hex') } });
    expect(asApple.status).toBe(401);
    expect(asApple.error?.reason).toBe('unknownIdentity');
  });
});

describe('mutual TLS (mdmlab serve --tls)', () => {
  let tls: TestServer;
  let device: AndroidDevice;
  beforeAll(async () => {
    tls = await startTestServer({ tls: true });
    device = await registerDevice(tls, 'carol@contoso.com', 'samsungKnox', { tls: { ca: tls.identity.ca.certPem } });
  });
  afterAll(() => tls.stop());

  const get = (opts: Parameters<typeof rawRequest>[1]['tls'], headers: Record<string, string> = {}) => rawRequest(`${tls.url}${policyPath}`, { method: 'GET', headers, ...(opts ? { tls: opts } : {}) });

  it('serves the device that presents its certificate, without a signature', async () => {
    expect(tls.url).toMatch(/^https:/);
    const res = await get(deviceTls(device));
    expect(res.status).toBe(200);
    const report = await rawRequest(`${tls.url}${ANDROID_CHANNEL_PATHS.report}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: encodeDeviceReport(reportOn(device, 1)), tls: deviceTls(device) });
    expect(report.status).toBe(204);
  });

  it('refuses a connection without a client certificate, with one from another CA or one of this CA that names no device, and a signature instead', async () => {
    const none = await get({ ca: tls.identity.ca.certPem });
    expect(none.status).toBe(401);
    expect(none.error?.reason).toBe('missingClientCertificate');
    const foreignCa = await CertificateAuthority.create({ commonName: 'not mdmlab' });
    const k = await generateRsaKeyPair(2048);
    const foreign = foreignCa.issueFromCsr(buildCsr({ privateKey: k.privateKey, subject: [{ shortName: 'CN', value: 'x' }] }), { validityDays: 1 });
    const stranger = await get({ ca: tls.identity.ca.certPem, cert: derToPem(foreign.certDer, 'CERTIFICATE'), key: privateKeyToPem(k.privateKey) });
    expect(stranger.status).toBe(401);
    expect(stranger.error?.reason).toBe('unknownIdentity');
    // A certificate of this very CA that is no device identity.
    const ours = tls.identity.ca.issueFromCsr(buildCsr({ privateKey: k.privateKey, subject: [{ shortName: 'CN', value: device.deviceId }] }), { validityDays: 1 });
    const notRegistered = await get({ ca: tls.identity.ca.certPem, cert: derToPem(ours.certDer, 'CERTIFICATE'), key: privateKeyToPem(k.privateKey) });
    expect(notRegistered.status).toBe(401);
    expect(notRegistered.error?.reason).toBe('unknownIdentity');
    // A valid signature does not stand in for the certificate over TLS.
    const signedOnly = await signed({ ...device, baseUrl: tls.url }, 'GET', policyPath);
    expect(signedOnly.error?.reason).toBe('missingClientCertificate');
  });

  it('still serves clients that present no certificate where none is needed', async () => {
    expect((await rawRequest(`${tls.url}/healthz`, { method: 'GET', tls: { ca: tls.identity.ca.certPem } })).status).toBe(200);
  });
});
