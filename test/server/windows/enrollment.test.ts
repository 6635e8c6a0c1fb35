import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../certs/certificate.js';
import { generateRsaKeyPair, type RsaKeyPair } from '../../../certs/keys.js';
import { derToPem } from '../../../certs/pem.js';
import { buildWindowsCsr } from '../../../certs/windows-csr.js';
import { decodeDiscoverResponse, encodeDiscoverRequest } from '../../../protocol/windows/mde2/discovery.js';
import { decodeGetPoliciesResponse, encodeGetPoliciesRequest, policyHash } from '../../../protocol/windows/mde2/policies.js';
import { characteristicsAt, decodeProvisioningDoc, parmOf } from '../../../protocol/windows/provisioning/wap-document.js';
import { appAuthOf, provisioningProblems } from '../../../protocol/windows/provisioning/enrollment-reader.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { msdoc, MSDOCS } from '../../protocol/windows/fixtures.js';
import { DISCOVERY, ENROLLMENT, enrollWindows, WireDmClient, messageId, newDeviceId, POLICY, rstBody, soapPost, usernameToken, windowsContext, windowsToken } from './windows-wire.js';

let server: TestServer;
let keys: RsaKeyPair;
const dir = mkdtempSync(join(tmpdir(), 'mdmlab-win-enroll-'));
beforeAll(async () => {
  server = await startTestServer();
  keys = await generateRsaKeyPair(2048);
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const csrFor = (deviceId: string, k: RsaKeyPair = keys, digest: 'sha1' | 'sha256' = 'sha256') =>
  buildWindowsCsr({ privateKey: k.privateKey, publicKey: k.publicKey, requestGuid: randomUUID().toUpperCase(), deviceId, digest });

function openssl(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

async function deviceCount(): Promise<number> {
  return ((await server.api.get('/devices').expect(200)).body as unknown[]).length;
}

describe('enrollment tokens for Windows', () => {
  it('give the discovery URL and the UPN the device enrolls with, for both Windows platforms', async () => {
    for (const platform of ['windows10', 'windowsPhone81'] as const) {
      const t = await windowsToken(server, `tok-${platform}@contoso.com`, platform);
      expect(t.discoveryUrl).toBe(`${server.url}${DISCOVERY}`);
      expect(t.upn).toBe(`tok-${platform}@contoso.com`);
      expect(t.token).toMatch(/^[A-Za-z0-9_-]{24}$/);
    }
  });
});

describe('discovery (MS-MDE2 §3.1)', () => {
  it('answers the GET probe with an empty 200', async () => {
    const res = await request(server.url).get(DISCOVERY).expect(200);
    expect(res.text).toBe('');
  });

  it('answers OnPremise with the policy and enrollment URLs, EnrollmentVersion 4.0 from RequestVersion 4.0 on, RelatesTo the MessageID', async () => {
    for (const [requestVersion, expected] of [['4.0', '4.0'], ['6.0', '4.0'], ['3.0', '3.0'], ['2.0', '2.0']]) {
      const id = messageId();
      const res = await soapPost(server, DISCOVERY, encodeDiscoverRequest({ messageId: id, to: `${server.url}${DISCOVERY}`, request: { emailAddress: 'x@contoso.com', requestVersion: requestVersion!, authPolicies: ['OnPremise', 'Federated'] } }));
      expect(res.status).toBe(200);
      expect(res.contentType).toBe('application/soap+xml; charset=utf-8');
      const { header, response } = decodeDiscoverResponse(res.text);
      expect(header.relatesTo).toBe(id);
      expect(response).toEqual({
        authPolicy: 'OnPremise',
        enrollmentVersion: expected,
        enrollmentPolicyServiceUrl: `${server.url}${POLICY}`,
        enrollmentServiceUrl: `${server.url}${ENROLLMENT}`,
      });
    }
  });

  it("replays Microsoft's Windows Phone discovery sample (trailing-slash namespace, `urn:uuid: …` MessageID, comments, indentation)", async () => {
    const res = await soapPost(server, DISCOVERY, msdoc(MSDOCS.discoverRequest));
    expect(res.status).toBe(200);
    const { header, response } = decodeDiscoverResponse(res.text);
    expect(header.relatesTo).toBe('urn:uuid: 748132ec-a575-4329-b01b-6171a9cf8478');
    expect(response.enrollmentVersion).toBe('3.0');
    expect(response.authPolicy).toBe('OnPremise');
  });

  it('takes the endpoints in any letter case (Windows and the samples vary it)', async () => {
    await request(server.url).get('/enrollmentserver/discovery.svc').expect(200);
    const res = await soapPost(server, '/ENROLLMENTSERVER/DISCOVERY.SVC', msdoc(MSDOCS.discoverRequest));
    expect(res.status).toBe(200);
  });
});

describe('policies (MS-XCEP)', () => {
  it('ask for a 2048-bit key and SHA-256 once the credentials check, without spending the token', async () => {
    const t = await windowsToken(server, 'policy@contoso.com');
    for (let i = 0; i < 2; i++) {
      const res = await soapPost(server, POLICY, encodeGetPoliciesRequest({ messageId: messageId(), to: `${server.url}${POLICY}`, security: usernameToken('POLICY@contoso.com', t.token) }));
      expect(res.status).toBe(200);
      const { response } = decodeGetPoliciesResponse(res.text);
      expect(response.policies[0]).toMatchObject({ minimalKeyLength: 2048, enroll: true });
      expect(policyHash(response)).toBe('sha256');
    }
    expect((await server.store.enrollmentTokens.get(t.token))?.usedAt).toBeUndefined();
  });

  it('refuse a token of another user, an unknown token and an iOS token with s:Authentication', async () => {
    const mine = await windowsToken(server, 'owner@contoso.com');
    await windowsToken(server, 'other@contoso.com');
    const ios = (await server.api.post('/enrollment-tokens', { userId: mine.userId }).expect(201)).body.token as string;
    for (const [upn, password] of [['other@contoso.com', mine.token], ['owner@contoso.com', 'nope'], ['owner@contoso.com', ios]]) {
      const res = await soapPost(server, POLICY, encodeGetPoliciesRequest({ messageId: messageId(), to: `${server.url}${POLICY}`, security: usernameToken(upn!, password!) }));
      expect(res.status).toBe(500);
      expect(res.fault).toMatchObject({ code: 'Receiver', subcode: 'Authentication', detail: { errorType: 'CustomServerError' } });
    }
  });
});

describe('enrollment (MS-WSTEP)', () => {
  it('enrolls a Windows 10 device: our CA in Root/System, its certificate in My/User, the w7 account with DIGEST credentials, the poll schedule', async () => {
    const e = await enrollWindows(server, 'alice@contoso.com');
    expect(provisioningProblems(e.provisioning)).toEqual([]);
    const root = e.provisioning.rootCertificates[0]!;
    expect(root.store).toBe('Root/System');
    expect(root.thumbprint).toBe(createHash('sha1').update(server.identity.ca.certDer).digest('hex').toUpperCase());
    expect(Buffer.from(root.encodedCertificate, 'base64').equals(server.identity.ca.certDer)).toBe(true);
    const client = e.provisioning.clientCertificates[0]!;
    expect(client.store).toBe('My/User');
    expect(client.thumbprint).toBe(createHash('sha1').update(e.certDer).digest('hex').toUpperCase());
    const app = e.provisioning.applications[0]!;
    expect(app).toMatchObject({ providerId: 'mdmlab', address: `${server.url}/ManagementServer/MDM.svc` });
    // [fix from windows-device] w7 APPLICATION CSP: APPSRV holds the client's credentials, CLIENT the server's.
    expect(appAuthOf(app, 'APPSRV')).toMatchObject({ type: 'DIGEST', name: e.deviceId });
    expect(appAuthOf(app, 'APPSRV')!.secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(Buffer.from(appAuthOf(app, 'APPSRV')!.data!, 'base64')).toHaveLength(16);
    expect(appAuthOf(app, 'CLIENT')).toMatchObject({ type: 'DIGEST', name: 'mdmlab' });
    expect(app.sslClientCertSearchCriteria).toBeUndefined(); // plain HTTP lab mode
    expect(e.provisioning.dmClientProviders[0]).toMatchObject({
      providerId: 'mdmlab',
      poll: { numberOfFirstRetries: 10, intervalForFirstSetOfRetries: 3, intervalForRemainingScheduledRetries: 480, pollOnLogin: true },
      parms: { UPN: 'alice@contoso.com', EntDeviceName: 'DESKTOP-LAB' },
    });

    const cert = parseCertificate(e.certDer);
    expect(cert.subject.string).toBe(`CN=${e.deviceId}`);
    expect(cert.spki.equals(parseCertificate(e.certDer).spki)).toBe(true);
    writeFileSync(join(dir, 'ca.pem'), (await request(server.url).get('/ca.pem').expect(200)).text);
    writeFileSync(join(dir, 'device.pem'), derToPem(e.certDer, 'CERTIFICATE'));
    const verified = openssl(['verify', '-CAfile', join(dir, 'ca.pem'), '-purpose', 'sslclient', join(dir, 'device.pem')]);
    expect(verified.status, verified.out).toBe(0);
    expect(verified.out).toContain('device.pem: OK');

    // The device is known, with its enrollment facts, and enrolled once it talks (session tests).
    const device = ((await server.api.get(`/devices?hardwareId=${e.deviceId}`).expect(200)).body as { id: string; platform: string; status: string }[])[0]!;
    expect(device).toMatchObject({ platform: 'windows10', status: 'unenrolled' });
    const detail = (await server.api.get(`/devices/${device.id}`).expect(200)).body;
    expect(detail).toMatchObject({ name: 'DESKTOP-LAB', osVersion: '10.0.19043.2364', windows: { deviceId: e.deviceId, enrollmentType: 'Full', certificateStore: 'My/User', enrollmentContext: { DeviceType: 'CIMClient_Windows' } } });
    expect(JSON.stringify(detail)).not.toContain(appAuthOf(app, 'APPSRV')!.secret!);
  });

  it('enrolls a Windows Phone 8.1 device as a device enrollment: its certificate in My/System, a daily poll', async () => {
    const e = await enrollWindows(server, 'phone@contoso.com', { platform: 'windowsPhone81' });
    expect(e.discovery.enrollmentVersion).toBe('2.0');
    expect(e.provisioning.clientCertificates[0]!.store).toBe('My/System');
    expect(e.provisioning.dmClientProviders[0]!.poll.intervalForRemainingScheduledRetries).toBe(1440);
    const device = ((await server.api.get(`/devices?hardwareId=${e.deviceId}`).expect(200)).body as { id: string }[])[0]!;
    expect((await server.api.get(`/devices/${device.id}`).expect(200)).body).toMatchObject({ platform: 'windowsPhone81', windows: { enrollmentType: 'Device', certificateStore: 'My/System' } });
  });

  it('spends the token once: a replayed RequestSecurityToken is refused with s:Authentication and stores nothing', async () => {
    const t = await windowsToken(server, 'once@contoso.com');
    const deviceId = newDeviceId();
    const body = rstBody(server, { upn: 'once@contoso.com', password: t.token, csr: csrFor(deviceId), context: windowsContext('windows10', deviceId) });
    expect((await soapPost(server, ENROLLMENT, body)).status).toBe(200);
    const before = await deviceCount();
    const issuedBefore = (await server.store.issuedCertificates.forDevice(((await server.api.get(`/devices?hardwareId=${deviceId}`)).body as { id: string }[])[0]!.id)).length;
    const replay = await soapPost(server, ENROLLMENT, body);
    expect(replay.status).toBe(500);
    expect(replay.fault).toMatchObject({ subcode: 'Authentication', detail: { errorType: 'CustomServerError' } });
    expect(replay.text).toContain('deviceenrollmentserviceerror');
    expect(await deviceCount()).toBe(before);
    expect((await server.store.issuedCertificates.forDevice(((await server.api.get(`/devices?hardwareId=${deviceId}`)).body as { id: string }[])[0]!.id)).length).toBe(issuedBefore);
  });

  it('checks the certificate request before spending anything: a 1024-bit key, a bad signature, DeviceIDs that differ', async () => {
    const t = await windowsToken(server, 'csr@contoso.com');
    const deviceId = newDeviceId();
    const small = await generateRsaKeyPair(1024);
    const tampered = csrFor(deviceId);
    tampered[tampered.length - 5]! ^= 0xff;
    const cases: [Buffer, string, string][] = [
      [csrFor(deviceId, small), 'CertificateRequest', '1024'],
      [tampered, 'CertificateRequest', 'signature'],
      [csrFor(newDeviceId()), 'MessageFormat', 'DeviceID'],
    ];
    for (const [csr, subcode, why] of cases) {
      const res = await soapPost(server, ENROLLMENT, rstBody(server, { upn: 'csr@contoso.com', password: t.token, csr, context: windowsContext('windows10', deviceId) }));
      expect(res.status).toBe(500);
      expect(res.fault?.subcode).toBe(subcode);
      expect(res.fault?.reason).toContain(why);
    }
    expect((await server.store.enrollmentTokens.get(t.token))?.usedAt).toBeUndefined();
    // openssl agrees on what is a valid request and what is not (OpenSSL 3.0 exits 0 either way: read what it says).
    const good = csrFor(deviceId);
    writeFileSync(join(dir, 'good.csr'), derToPem(good, 'CERTIFICATE REQUEST'));
    writeFileSync(join(dir, 'bad.csr'), derToPem(tampered, 'CERTIFICATE REQUEST'));
    expect(openssl(['req', '-verify', '-noout', '-in', join(dir, 'good.csr')]).out).toContain('verify OK');
    expect(openssl(['req', '-verify', '-noout', '-in', join(dir, 'bad.csr')]).out).toContain('verify failure');
    const ok = await soapPost(server, ENROLLMENT, rstBody(server, { upn: 'csr@contoso.com', password: t.token, csr: good, context: windowsContext('windows10', deviceId) }));
    expect(ok.status).toBe(200);
  });

  it('accepts a request signed with SHA-1, Windows\' default without a policy (OIW sha1WithRSA)', async () => {
    const t = await windowsToken(server, 'sha1@contoso.com');
    const deviceId = newDeviceId();
    const res = await soapPost(server, ENROLLMENT, rstBody(server, { upn: 'sha1@contoso.com', password: t.token, csr: csrFor(deviceId, keys, 'sha1'), context: windowsContext('windows10', deviceId) }));
    expect(res.status).toBe(200);
  });
});

describe('one identity, one device', () => {
  it('refuses another user\'s enrollment of an enrolled DeviceID (s:Authorization, an enrollmentConflict alert, the token unspent) until an administrator allows it', async () => {
    const first = await enrollWindows(server, 'bound@contoso.com');
    const device = ((await server.api.get(`/devices?hardwareId=${first.deviceId}`)).body as { id: string }[])[0]!;
    // The device completed its enrollment (it opened a session), so another enrollment is no retry.
    await new WireDmClient(server, first).open();
    const intruder = await windowsToken(server, 'intruder@contoso.com');
    const body = () => rstBody(server, { upn: 'intruder@contoso.com', password: intruder.token, csr: csrFor(first.deviceId), context: windowsContext('windows10', first.deviceId) });
    for (let i = 0; i < 2; i++) {
      const res = await soapPost(server, ENROLLMENT, body());
      expect(res.status).toBe(500);
      expect(res.fault).toMatchObject({ subcode: 'Authorization', detail: { errorType: 'CustomServerError' } });
      expect(res.fault?.reason).not.toContain('bound@contoso.com');
    }
    expect((await server.store.enrollmentTokens.get(intruder.token))?.usedAt).toBeUndefined();
    const alerts = (await server.api.get(`/alerts?deviceId=${device.id}&kind=enrollmentConflict`).expect(200)).body as { details: Record<string, unknown> }[];
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.details).toMatchObject({ user: 'bound@contoso.com', claimedBy: 'intruder@contoso.com', dmDeviceId: first.deviceId });
    expect((await server.api.get(`/devices/${device.id}`)).body).toMatchObject({ userUpn: 'bound@contoso.com' });

    await server.api.post(`/devices/${device.id}/allow-reenrollment`, {}).expect(200);
    const allowed = await soapPost(server, ENROLLMENT, body());
    expect(allowed.status).toBe(200);
    const after = (await server.api.get(`/devices/${device.id}`)).body;
    expect(after).toMatchObject({ userUpn: 'intruder@contoso.com' });
    expect(after.reenrollmentAllowedUntil).toBeUndefined();
  });

  it('lets the same user enroll again while the first enrollment never reached a session (its response was lost)', async () => {
    const first = await enrollWindows(server, 'retry@contoso.com');
    const again = await enrollWindows(server, 'retry@contoso.com', { deviceId: first.deviceId });
    expect(again.certDer.equals(first.certDer)).toBe(false);
  });
});

describe("Microsoft's samples against the endpoints", () => {
  it('the RequestSecurityToken sample as published is refused (its user is unknown) and stores nothing', async () => {
    const before = await deviceCount();
    const res = await soapPost(server, ENROLLMENT, msdoc(MSDOCS.rst));
    expect(res.status).toBe(500);
    expect(res.fault?.subcode).toBe('Authentication');
    expect(await deviceCount()).toBe(before);
  });

  it('the RequestSecurityToken sample enrolls once its placeholders are real: padded values, a GUID DeviceID, repeated MAC and IMEI items', async () => {
    const t = await windowsToken(server, 'sample@contoso.com');
    const deviceId = '7BA748C8-703E-4DF2-A74A-92984117346A';
    const xml = msdoc(MSDOCS.rst)
      .toString('utf8')
      .replace('<wsse:Username>user@contoso.com</wsse:Username>', '<wsse:Username>sample@contoso.com</wsse:Username>')
      .replace(/>mypassword\s*</, `>${t.token}\n            <`)
      .replace('DER format PKCS#10 certificate request in Base64 encoding Insterted Here', csrFor(deviceId).toString('base64').replace(/(.{64})/g, '$1\n            '));
    const res = await soapPost(server, '/ENROLLMENTSERVER/Enrollment.svc', xml);
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain('urn:uuid:0d5a1441-5891-453b-becf-a2e5f6ea3749');
    const device = ((await server.api.get(`/devices?hardwareId=${deviceId}`)).body as { id: string }[])[0]!;
    expect((await server.api.get(`/devices/${device.id}`)).body).toMatchObject({ name: 'MY_WINDOWS_DEVICE', osVersion: '10.0.9999.0', windows: { enrollmentContext: { OSEdition: '4', EnrollmentType: 'Full' } } });
  });

  it('our provisioning document has the characteristics of the sample wap-provisioningdoc, in its order', async () => {
    const e = await enrollWindows(server, 'wap@contoso.com');
    const shape = (xml: string | Buffer) => decodeProvisioningDoc(xml).characteristics.map((c) => c.type);
    expect(shape(e.provisioningXml)).toEqual(shape(msdoc(MSDOCS.provisioningDoc)));
    const ours = decodeProvisioningDoc(e.provisioningXml);
    const sample = decodeProvisioningDoc(msdoc(MSDOCS.provisioningDoc));
    for (const path of [['APPLICATION'], ['DMClient', 'Provider']]) {
      expect(characteristicsAt(ours, path)).toHaveLength(characteristicsAt(sample, path).length);
    }
    const app = characteristicsAt(ours, ['APPLICATION'])[0]!;
    for (const parm of ['APPID', 'PROVIDER-ID', 'ADDR', 'CONNRETRYFREQ', 'INITIALBACKOFFTIME', 'MAXBACKOFFTIME', 'BACKCOMPATRETRYDISABLED', 'DEFAULTENCODING']) {
      expect(parmOf(app, parm), parm).toBeDefined();
    }
    expect(parmOf(app, 'DEFAULTENCODING')?.value).toBe('application/vnd.syncml.dm+xml');
  });

  it.each([
    ['the GetPolicies response', MSDOCS.getPoliciesResponse, POLICY],
    ['the RSTR (SOAP 1.1 namespace)', MSDOCS.rstr, ENROLLMENT],
    ['the lower-cased fault', MSDOCS.fault, ENROLLMENT],
    ['the federated DiscoverResponse', MSDOCS.discoverResponseFederated, DISCOVERY],
  ])('%s posted to an endpoint is a message of the wrong kind: s:MessageFormat, nothing stored', async (_what, name, path) => {
    const before = await deviceCount();
    const res = await soapPost(server, path, msdoc(name));
    expect(res.status).toBe(500);
    expect(res.fault?.subcode).toBe('MessageFormat');
    expect(await deviceCount()).toBe(before);
  });
});
