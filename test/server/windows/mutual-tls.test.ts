import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateKeyToPem } from '../../../certs/keys.js';
import { derToPem } from '../../../certs/pem.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { enrollWindows, hdrStatus, http, WireDmClient, type EnrolledWindows, type WindowsToken } from './windows-wire.js';

/**
 * With --tls the server asks every client for a certificate without requiring one: a Windows
 * device proves itself with the certificate issued at its enrollment (mutual TLS), everyone else
 * (Apple devices, the admin API) goes on without.
 */
let server: TestServer;
let alice: EnrolledWindows;
let bob: EnrolledWindows;
const identityOf = (e: EnrolledWindows) => ({ certPem: derToPem(e.certDer, 'CERTIFICATE'), keyPem: privateKeyToPem(e.keys.privateKey) });

async function token(upn: string): Promise<WindowsToken> {
  const api = http(server);
  const user = (await api.post('/api/v1/users').set('Authorization', `Bearer ${server.adminToken}`).send({ upn }).expect(201)).body as { id: string };
  const t = (await api.post('/api/v1/enrollment-tokens').set('Authorization', `Bearer ${server.adminToken}`).send({ userId: user.id, platform: 'windows10' }).expect(201)).body;
  return { userId: user.id, upn: t.upn, token: t.token, discoveryUrl: t.discoveryUrl };
}

async function stored(e: EnrolledWindows) {
  const w = await server.store.windowsDevices.getByDmDeviceId(e.deviceId);
  return { windows: w, device: await server.store.devices.get(w!.deviceId), session: await server.store.windowsSessions.get(w!.deviceId) };
}

beforeAll(async () => {
  server = await startTestServer({ tls: true });
  alice = await enrollWindows(server, 'alice@contoso.com', { token: await token('alice@contoso.com') });
  bob = await enrollWindows(server, 'bob@contoso.com', { token: await token('bob@contoso.com') });
});
afterAll(async () => {
  await server.stop();
});

describe('mutual TLS on the OMA-DM endpoint', () => {
  it('the provisioning document names the certificate the client presents (SSLCLIENTCERTSEARCHCRITERIA)', () => {
    expect(alice.managementUrl).toMatch(/^https:\/\//);
    expect(alice.provisioning.applications[0]!.sslClientCertSearchCriteria).toBe(`Subject=CN%3D${alice.deviceId}&Stores=My%5CUser`);
  });

  it("the device's own certificate is its proof: no Cred needed, no Chal given", async () => {
    const client = new WireDmClient(server, alice);
    client.tlsIdentity = identityOf(alice);
    const reply = await client.open(1201, [], { cred: 'none' });
    const hdr = hdrStatus(reply);
    expect(hdr.code).toBe(200);
    expect(hdr.chal).toBeUndefined();
    expect((await stored(alice)).device?.status).toBe('enrolled');
  });

  it("another device's certificate is refused (401) whatever the message carries, and changes nothing", async () => {
    const before = await stored(bob);
    const client = new WireDmClient(server, bob);
    client.tlsIdentity = identityOf(alice);
    for (const cred of ['none', 'md5'] as const) {
      const reply = await client.open(1201, [], { cred });
      expect(reply.commands).toHaveLength(1);
      expect(hdrStatus(reply).code).toBe(401);
    }
    expect(await stored(bob)).toEqual(before);
  });

  it('without a client certificate the MD5 credential is the proof, over TLS as in lab mode', async () => {
    const client = new WireDmClient(server, bob);
    expect(hdrStatus(await client.open(1201, [], { cred: 'none' })).code).toBe(407);
    const ok = await client.open();
    expect(hdrStatus(ok)).toMatchObject({ code: 200, chal: { type: 'syncml:auth-md5' } });
  });

  it('a client without a certificate still reaches the other endpoints (discovery, the Apple enrollment profile, the CA)', async () => {
    await http(server).get('/EnrollmentServer/Discovery.svc').expect(200);
    await http(server).get('/ca.pem').expect(200);
    const user = (await http(server).post('/api/v1/users').set('Authorization', `Bearer ${server.adminToken}`).send({ upn: 'ios@contoso.com' }).expect(201)).body as { id: string };
    const t = (await http(server).post('/api/v1/enrollment-tokens').set('Authorization', `Bearer ${server.adminToken}`).send({ userId: user.id }).expect(201)).body as { enrollUrl: string };
    await http(server).get(new URL(t.enrollUrl).pathname + new URL(t.enrollUrl).search).expect(200);
  });
});
