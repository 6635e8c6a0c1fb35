import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binary, createUserAndToken, fetchEnrollmentProfile, scepRequest } from '../../helpers/apple-wire.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
const dir = mkdtempSync(join(tmpdir(), 'mdmlab-enroll-'));
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('enrollment tokens', () => {
  it('are created for a known user and give the enrollment URL', async () => {
    const { enrollUrl, token } = await createUserAndToken(server, 'enr@contoso.com');
    expect(enrollUrl).toBe(`${server.url}/mdm/enroll?token=${token}`);
  });

  it('are refused for unknown users, unknown platforms and bad values', async () => {
    expect((await server.api.post('/enrollment-tokens', { userId: 'usr_nobody' }).expect(400)).body.error).toMatchObject({ code: 'unknownMember', field: 'userId' });
    const u = (await server.api.post('/users', { upn: 'enr2@contoso.com' }).expect(201)).body;
    // Every platform has a module now: a name outside the list is refused by the schema.
    expect((await server.api.post('/enrollment-tokens', { userId: u.id, platform: 'blackberry' }).expect(400)).body.error).toMatchObject({ field: 'platform' });
    expect((await server.api.post('/enrollment-tokens', { userId: u.id, expiresInMinutes: 0 }).expect(400)).body.error.field).toBe('expiresInMinutes');
  });
});

describe('the enrollment profile', () => {
  it('is signed by the CA (openssl cms -verify accepts it) and holds root, SCEP and MDM payloads', async () => {
    const { enrollUrl } = await createUserAndToken(server, 'signed@contoso.com');
    const res = await request(enrollUrl).get('').buffer(true).parse(binary).expect(200).expect('content-type', /application\/x-apple-aspen-config/);
    const der = join(dir, 'enroll.der');
    const ca = join(dir, 'ca.pem');
    writeFileSync(der, res.body as Buffer);
    writeFileSync(ca, server.identity.ca.certPem);
    const out = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', der, '-CAfile', ca, '-purpose', 'any'], { encoding: 'utf8' });
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain('com.apple.mdm');
    expect(out.stderr).toContain('Verification successful');

    const { scep, mdm } = await fetchEnrollmentProfile((await createUserAndToken(server, 'signed@contoso.com')).enrollUrl);
    expect(scep).toMatchObject({ url: `${server.url}/scep`, keysize: 2048, keyUsage: 5 });
    expect(scep.challenge).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(mdm).toMatchObject({
      serverUrl: `${server.url}/mdm/connect`,
      checkInUrl: `${server.url}/mdm/checkin`,
      signMessage: true,
      accessRights: 8191,
      checkOutWhenRemoved: true,
    });
    expect(mdm.topic).toMatch(/^com\.apple\.mgmt\.External\./);
  });

  it('is served once per single-use token; reusable tokens serve many; unknown and missing tokens are 403', async () => {
    const { enrollUrl } = await createUserAndToken(server, 'once@contoso.com');
    await request(enrollUrl).get('').expect(200);
    const again = await request(enrollUrl).get('').expect(403);
    expect(again.text).toContain('enrollmentTokenInvalid');
    const reusable = await createUserAndToken(server, 'many@contoso.com', { reusable: true });
    await request(reusable.enrollUrl).get('').expect(200);
    await request(reusable.enrollUrl).get('').expect(200);
    await request(server.url).get('/mdm/enroll?token=nope').expect(403);
    await request(server.url).get('/mdm/enroll').expect(403);
  });

  it('refuses an expired token', async () => {
    const u = (await server.api.post('/users', { upn: 'late@contoso.com' }).expect(201)).body;
    const t = (await server.api.post('/enrollment-tokens', { userId: u.id, expiresInMinutes: 1 }).expect(201)).body;
    await server.store.enrollmentTokens.insert({ ...(await server.store.enrollmentTokens.get(t.token))!, token: 'expired-token', expiresAt: '2020-01-01T00:00:00.000Z' });
    await request(server.url).get('/mdm/enroll?token=expired-token').expect(403);
  });
});

describe('SCEP', () => {
  it('answers GetCACaps and GetCACert', async () => {
    const caps = await request(server.url).get('/scep?operation=GetCACaps').expect(200);
    expect(caps.text.split('\n')).toEqual(expect.arrayContaining(['POSTPKIOperation', 'SHA-256', 'AES', 'SCEPStandard']));
    const cert = await request(server.url).get('/scep?operation=GetCACert').buffer(true).parse(binary).expect(200).expect('content-type', 'application/x-x509-ca-cert');
    expect((cert.body as Buffer).equals(server.identity.ca.certDer)).toBe(true);
  });

  it('issues an identity for the enrollment challenge once; the replay gets CertRep FAILURE badRequest and nothing is stored', async () => {
    const { enrollUrl, userId } = await createUserAndToken(server, 'scep@contoso.com');
    const { scep } = await fetchEnrollmentProfile(enrollUrl);
    const subject = [{ shortName: 'CN', value: 'scep test' }];
    const first = await scepRequest(scep.url, server.identity.ca.certDer, scep.challenge, subject);
    expect(first.status).toBe('success');
    expect(server.identity.ca.verifyIssued(first.certDer!)).toBe(true);
    const { createHash } = await import('node:crypto');
    const record = await server.store.issuedCertificates.getByFingerprint(createHash('sha256').update(first.certDer!).digest('hex'));
    expect(record).toMatchObject({ purpose: 'enrollment', userId });
    const replay = await scepRequest(scep.url, server.identity.ca.certDer, scep.challenge, subject);
    expect(replay).toMatchObject({ status: 'failure', failInfo: 'badRequest' });
    expect(replay.certDer).toBeUndefined();
    const none = await scepRequest(scep.url, server.identity.ca.certDer, undefined, subject);
    expect(none).toMatchObject({ status: 'failure', failInfo: 'badRequest' });
  });

  it('answers garbage and unknown operations with 400 and keeps serving', async () => {
    const garbage = await request(server.url).post('/scep?operation=PKIOperation').set('Content-Type', 'application/x-pki-message').send(Buffer.from('not a pkiMessage at all')).expect(400);
    expect(garbage.text).toContain('badScepRequest');
    await request(server.url).get('/scep?operation=PKIOperation&message=AAAA').expect(400);
    await request(server.url).get('/scep?operation=PKIOperation').expect(400);
    await request(server.url).post('/scep?operation=PKIOperation').set('Content-Type', 'application/x-pki-message').send(Buffer.alloc(0)).expect(400);
    expect((await request(server.url).get('/scep?operation=GetNextCACert').expect(400)).text).toContain('unknownScepOperation');
    await request(server.url).get('/scep?operation=GetCACaps').expect(200);
  });
});
