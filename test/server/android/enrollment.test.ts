import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCsr } from '../../../certs/csr.js';
import { generateRsaKeyPair, type RsaKeyPair } from '../../../certs/keys.js';
import { parseCertificate } from '../../../certs/certificate.js';
import { MDMLAB_DPC_ADMIN_COMPONENT } from '../../../protocol/android/apps.js';
import { ANDROID_CHANNEL_PATHS } from '../../../protocol/android/channel.js';
import { decodeProvisioningQr, isProvisioningQrFor } from '../../../protocol/android/provisioning/qr-code.js';
import { decodeRegistrationResponse, encodeRegistrationRequest } from '../../../protocol/android/registration.js';
import {
  androidToken,
  createUser,
  deviceFacts,
  fetchPolicy,
  register,
  registerDevice,
  registrationBody,
  reportOn,
  sendReport,
  storeSnapshot,
} from '../../helpers/android-wire.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * Registration on the Android channel (POST /android/v1/register): the enrollment token from the
 * admin API travels in AMAPI's qrCode, the device sends it with its facts and a PKCS#10, and gets a
 * certificate from the lab CA. The token is spent once, in the transaction that enrolls; anything
 * refused stores nothing and spends nothing.
 */
let server: TestServer;
let other: TestServer;
let keys: RsaKeyPair;
beforeAll(async () => {
  [server, other, keys] = await Promise.all([startTestServer(), startTestServer(), generateRsaKeyPair(2048)]);
});
afterAll(async () => {
  await Promise.all([server.stop(), other.stop()]);
});

const serial = () => `R${randomBytes(5).toString('hex').toUpperCase()}`;

describe('the enrollment token of an Android platform', () => {
  it('answers with AMAPI qrCode: provisioning extras naming mdmlab\'s DPC, this server and the token', async () => {
    const userId = await createUser(server, 'qr@contoso.com');
    for (const platform of ['samsungKnox', 'androidForWork'] as const) {
      const t = (await server.api.post('/enrollment-tokens', { userId, platform }).expect(201)).body;
      expect(t).toMatchObject({ platform, userId, reusable: false });
      const qr = decodeProvisioningQr(t.qrCode);
      if (!qr.ok) throw qr.error;
      expect(qr.value).toMatchObject({ adminComponentName: MDMLAB_DPC_ADMIN_COMPONENT, enrollmentToken: t.token, serverUrl: server.url });
      expect(isProvisioningQrFor(qr.value, server.url)).toBe(true);
      expect(isProvisioningQrFor(qr.value, other.url)).toBe(false);
      expect(qr.value.signatureChecksum).toBe(createHash('sha256').update(server.identity.ca.certDer).digest('base64url'));
      expect(qr.value.leaveAllSystemAppsEnabled).toBe(platform === 'samsungKnox' ? true : undefined);
      expect(t).not.toHaveProperty('enrollUrl');
    }
  });
});

describe('registration', () => {
  it('enrolls a Knox device as DEVICE_OWNER: a certificate from this CA naming the device, its facts in the admin API, its first policy pending', async () => {
    const s = serial();
    const { token } = await androidToken(server, 'kim@contoso.com', 'samsungKnox');
    const res = await register(server, registrationBody(token, keys, deviceFacts('samsungKnox', s)));
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const answer = decodeRegistrationResponse(res.body);
    if (!answer.ok) throw answer.error;
    const cert = Buffer.from(answer.value.certificate, 'base64');
    expect(server.identity.ca.verifyIssued(cert)).toBe(true);
    expect(Buffer.from(answer.value.caCertificate, 'base64').equals(server.identity.ca.certDer)).toBe(true);
    const deviceId = answer.value.deviceName.split('/').pop()!;
    expect(parseCertificate(cert).subject.string).toBe(`CN=${deviceId},OU=samsungKnox,O=mdmlab`);
    expect(answer.value.policyName).toMatch(new RegExp(`^enterprises/LC[0-9a-f]{10}/policies/${deviceId}$`));
    const device = (await server.api.get(`/devices/${deviceId}`).expect(200)).body;
    expect(device).toMatchObject({
      platform: 'samsungKnox',
      hardwareId: s,
      serialNumber: s,
      model: 'SM-G973F',
      osVersion: '9',
      status: 'enrolled',
      userUpn: 'kim@contoso.com',
      pendingCommands: 1,
      android: { managementMode: 'DEVICE_OWNER', knoxVersion: '3.2.1', knoxApiLevel: 27, apiLevel: 28, policyVersion: 1, deviceName: answer.value.deviceName },
    });
    expect(device.android).not.toHaveProperty('appliedPolicyVersion');
  });

  it('enrolls an Android for Work device as PROFILE_OWNER, without Knox facts', async () => {
    const d = await registerDevice(server, 'ann@contoso.com', 'androidForWork');
    const device = (await server.api.get(`/devices/${d.deviceId}`).expect(200)).body;
    expect(device).toMatchObject({ platform: 'androidForWork', android: { managementMode: 'PROFILE_OWNER' } });
    expect(device.android).not.toHaveProperty('knoxVersion');
  });

  it('spends a one-time token once: a replay is refused (403) and stores nothing', async () => {
    const { token } = await androidToken(server, 'once@contoso.com', 'androidForWork');
    expect((await register(server, registrationBody(token, keys, deviceFacts('androidForWork', serial())))).status).toBe(201);
    const before = storeSnapshot(server);
    const replay = await register(server, registrationBody(token, keys, deviceFacts('androidForWork', serial())));
    expect(replay.status).toBe(403);
    expect(replay.error).toMatchObject({ code: 403, status: 'PERMISSION_DENIED', reason: 'enrollmentTokenInvalid' });
    expect(storeSnapshot(server)).toBe(before);
  });

  it('enrolls any number of devices with a reusable token', async () => {
    const { token } = await androidToken(server, 'fleet@contoso.com', 'androidForWork', { reusable: true });
    for (let i = 0; i < 2; i++) expect((await register(server, registrationBody(token, keys, deviceFacts('androidForWork', serial())))).status).toBe(201);
  });

  it('refuses an expired token, an iOS token, a token of another server and a made-up one, storing nothing', async () => {
    const userId = await createUser(server, 'bad-tokens@contoso.com');
    await server.store.enrollmentTokens.insert({ token: 'expired-token-0001', userId, platform: 'androidForWork', createdAt: '2020-01-01T00:00:00.000Z', expiresAt: '2020-01-02T00:00:00.000Z', reusable: false });
    const ios = (await server.api.post('/enrollment-tokens', { userId }).expect(201)).body.token as string;
    const foreign = (await androidToken(other, 'someone@contoso.com', 'androidForWork')).token;
    const before = storeSnapshot(server);
    for (const token of ['expired-token-0001', ios, foreign, 'AAAAAAAAAAAAAAAAAAAAAAAA']) {
      const res = await register(server, registrationBody(token, keys, deviceFacts('androidForWork', serial())));
      expect(res.status, token).toBe(403);
      expect(res.error?.reason).toBe('enrollmentTokenInvalid');
    }
    expect(storeSnapshot(server)).toBe(before);
  });

  it('refuses what does not fit the token\'s platform, naming the field, and leaves the token unspent', async () => {
    const knox = await androidToken(server, 'mode@contoso.com', 'samsungKnox');
    const afw = await androidToken(server, 'mode@contoso.com', 'androidForWork');
    const before = storeSnapshot(server);
    const cases: [string, string, string][] = [
      [registrationBody(knox.token, keys, deviceFacts('androidForWork', serial())), 'wrongManagementMode', 'device.managementMode'],
      [registrationBody(afw.token, keys, deviceFacts('samsungKnox', serial())), 'wrongManagementMode', 'device.managementMode'],
      [registrationBody(knox.token, keys, { ...deviceFacts('samsungKnox', serial()), mdmlab: {} }), 'missingField', 'device.mdmlab.knoxVersion'],
      [registrationBody(afw.token, keys, { ...deviceFacts('androidForWork', serial()), hardwareInfo: { model: 'x' } }), 'missingField', 'device.hardwareInfo.serialNumber'],
    ];
    for (const [body, reason, field] of cases) {
      const res = await register(server, body);
      expect(res.status).toBe(400);
      expect(res.error).toMatchObject({ status: 'INVALID_ARGUMENT', reason, field });
    }
    expect(storeSnapshot(server)).toBe(before);
    expect((await register(server, registrationBody(knox.token, keys, deviceFacts('samsungKnox', serial())))).status).toBe(201);
  });

  it('checks the PKCS#10 before the token: garbage, a signature that does not verify, a small key', async () => {
    const { token } = await androidToken(server, 'csr@contoso.com', 'androidForWork');
    const small = await generateRsaKeyPair(1024);
    const good = buildCsr({ privateKey: keys.privateKey, subject: [{ shortName: 'CN', value: 'x' }] });
    const tampered = Buffer.from(good);
    tampered[tampered.length - 5]! ^= 0xff;
    const before = storeSnapshot(server);
    for (const csr of [Buffer.from('not a csr at all'), tampered, buildCsr({ privateKey: small.privateKey, subject: [{ shortName: 'CN', value: 'x' }] })]) {
      const body = encodeRegistrationRequest({ enrollmentToken: token, certificateSigningRequest: csr.toString('base64'), device: deviceFacts('androidForWork', serial()) });
      const res = await register(server, body);
      expect(res.status).toBe(400);
      expect(res.error).toMatchObject({ reason: 'badCsr', field: 'certificateSigningRequest' });
    }
    expect(storeSnapshot(server)).toBe(before);
  });

  it('refuses malformed, oversized, mistyped and unknown-field documents in the channel\'s error form, storing nothing', async () => {
    const { token } = await androidToken(server, 'junk@contoso.com', 'androidForWork');
    const good = JSON.parse(registrationBody(token, keys, deviceFacts('androidForWork', serial()))) as Record<string, unknown>;
    const before = storeSnapshot(server);
    const cases: [string | Buffer, Record<string, string>, number, string, string?][] = [
      ['{"enrollmentToken": ', {}, 400, 'malformedJson'],
      [Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), {}, 400, 'notUtf8'],
      ['[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]', {}, 400, 'tooDeep'],
      [JSON.stringify({ ...good, extra: 1 }), {}, 400, 'unknownField', 'extra'],
      [JSON.stringify({ ...good, enrollmentToken: 42 }), {}, 400, 'wrongType', 'enrollmentToken'],
      [JSON.stringify({ ...good, device: { ...(good.device as object), name: 'enterprises/x/devices/y' } }), {}, 400, 'invalidValue', 'device.name'],
      [JSON.stringify({ ...good, device: { ...(good.device as object), color: 'red' } }), {}, 400, 'unknownField', 'device.color'],
      ['', {}, 400, 'emptyBody'],
      [JSON.stringify(good), { 'content-type': 'text/plain' }, 415, 'wrongContentType'],
      [JSON.stringify(good), { 'content-encoding': 'gzip' }, 415, 'unsupportedContentEncoding'],
      [`{"pad":"${'x'.repeat(70 * 1024)}"}`, {}, 413, 'bodyTooLarge'],
    ];
    for (const [body, headers, status, reason, field] of cases) {
      const res = await register(server, body, headers);
      expect(res.status, reason).toBe(status);
      expect(res.error?.reason).toBe(reason);
      if (field) expect(res.error?.field).toBe(field);
      expect(res.text).not.toMatch(/at .*\.ts|node_modules|\/work\//);
    }
    expect(storeSnapshot(server)).toBe(before);
    expect((await register(server, JSON.stringify(good))).status).toBe(201);
  });

  it('answers other methods and paths under /android in the same error form (405 with Allow, 404)', async () => {
    const get = await fetch(`${server.url}${ANDROID_CHANNEL_PATHS.register}`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(((await get.json()) as { error: { status: string } }).error.status).toBe('UNIMPLEMENTED');
    const nowhere = await fetch(`${server.url}/android/v1/devices`);
    expect(nowhere.status).toBe(404);
    expect(((await nowhere.json()) as { error: { details: { reason?: string }[] } }).error.details[0]!.reason).toBe('routeNotFound');
  });
});

describe('one identity, one device (the serial number)', () => {
  it('refuses another user\'s registration of an enrolled device (409, alert, token unspent), until it leaves management or is allowed', async () => {
    const s = serial();
    const alice = await registerDevice(server, 'alice@contoso.com', 'samsungKnox', { serial: s, keys });
    const mallory = await androidToken(server, 'mallory@contoso.com', 'samsungKnox');
    const claim = await register(server, registrationBody(mallory.token, keys, deviceFacts('samsungKnox', s)));
    expect(claim.status).toBe(409);
    expect(claim.error).toMatchObject({ status: 'ALREADY_EXISTS', reason: 'enrollmentConflict' });
    expect(claim.text).not.toContain('alice');
    const alerts = (await server.api.get(`/alerts?deviceId=${alice.deviceId}&kind=enrollmentConflict`).expect(200)).body;
    expect(alerts).toHaveLength(1);
    expect(alerts[0].message).toContain('alice@contoso.com');
    expect(alerts[0].message).toContain(`/api/v1/devices/${alice.deviceId}/allow-reenrollment`);
    // Only the alert was stored: the token is still good, the device and its identity unchanged.
    expect((await server.store.enrollmentTokens.get(mallory.token))?.usedAt).toBeUndefined();
    await register(server, registrationBody(mallory.token, keys, deviceFacts('samsungKnox', s)));
    expect((await server.api.get(`/alerts?deviceId=${alice.deviceId}&kind=enrollmentConflict`).expect(200)).body).toHaveLength(1);
    expect((await fetchPolicy(alice)).res.status).toBe(200);
    expect((await server.api.get(`/devices/${alice.deviceId}`).expect(200)).body).toMatchObject({ userUpn: 'alice@contoso.com', status: 'enrolled' });

    await server.api.post(`/devices/${alice.deviceId}/allow-reenrollment`, {}).expect(200);
    const taken = await register(server, registrationBody(mallory.token, keys, deviceFacts('samsungKnox', s)));
    expect(taken.status).toBe(201);
    const device = (await server.api.get(`/devices/${alice.deviceId}`).expect(200)).body;
    expect(device).toMatchObject({ userUpn: 'mallory@contoso.com', status: 'enrolled' });
    expect(device).not.toHaveProperty('reenrollmentAllowedUntil');
    // The old identity speaks for nobody now.
    const old = await fetchPolicy(alice);
    expect(old.res.status).toBe(401);
    expect(old.res.error?.reason).toBe('unknownIdentity');
  });

  it('lets a device that left management register again, with versions that keep growing', async () => {
    const s = serial();
    const first = await registerDevice(server, 'leaver@contoso.com', 'androidForWork', { serial: s, keys });
    expect((await sendReport(first, reportOn(first, 1))).status).toBe(204);
    expect((await sendReport(first, reportOn(first, 1, { extra: { appliedState: 'DELETED' } }))).status).toBe(204);
    expect((await server.api.get(`/devices/${first.deviceId}`).expect(200)).body).toMatchObject({ status: 'unenrolled', pendingCommands: 0 });
    const gone = await fetchPolicy(first);
    expect(gone.res.status).toBe(403);
    expect(gone.res.error?.reason).toBe('deviceNotEnrolled');
    const again = await registerDevice(server, 'leaver@contoso.com', 'androidForWork', { serial: s, keys });
    expect(again.deviceId).toBe(first.deviceId);
    const p = await fetchPolicy(again);
    expect(p.policy?.version).toBe('2');
    expect((await server.api.get(`/devices/${again.deviceId}`).expect(200)).body).toMatchObject({ status: 'enrolled' });
  });
});
