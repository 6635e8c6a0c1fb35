import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('users', () => {
  it('creates a user with defaults from the UPN and finds it by UPN', async () => {
    const u = (await server.api.post('/users', { upn: 'alice@contoso.com' }).expect(201)).body;
    expect(u).toMatchObject({ upn: 'alice@contoso.com', primarySmtp: 'alice@contoso.com', username: 'alice' });
    expect((await server.api.get('/users?upn=ALICE@contoso.com').expect(200)).body).toEqual([u]);
    expect((await server.api.get(`/users/${u.id}`).expect(200)).body).toEqual(u);
  });

  it('keeps explicit primary SMTP and user name, edits them, and refuses a duplicate UPN', async () => {
    const u = (await server.api.post('/users', { upn: 'bob@contoso.onmicrosoft.com', primarySmtp: 'bob@contoso.com', username: 'CONTOSO\\bob' }).expect(201)).body;
    expect(u.username).toBe('CONTOSO\\bob');
    const dup = await server.api.post('/users', { upn: 'Bob@Contoso.onmicrosoft.com' }).expect(409);
    expect(dup.body.error).toMatchObject({ code: 'upnTaken', field: 'upn' });
    const edited = (await server.api.patch(`/users/${u.id}`, { primarySmtp: 'robert@contoso.com' }).expect(200)).body;
    expect(edited).toMatchObject({ primarySmtp: 'robert@contoso.com', username: 'CONTOSO\\bob' });
  });

  it('refuses malformed addresses and deletes users', async () => {
    expect((await server.api.post('/users', { upn: 'not-an-address' }).expect(400)).body.error).toMatchObject({ code: 'validationFailed', field: 'upn' });
    const u = (await server.api.post('/users', { upn: 'carol@contoso.com' }).expect(201)).body;
    await server.api.delete(`/users/${u.id}`).expect(204);
    await server.api.get(`/users/${u.id}`).expect(404);
    await server.api.delete(`/users/${u.id}`).expect(404);
  });
});

describe('groups', () => {
  it('creates groups with unique names, adds and removes members', async () => {
    const dave = (await server.api.post('/users', { upn: 'dave@contoso.com' }).expect(201)).body;
    const g = (await server.api.post('/groups', { name: 'sales', description: 'the sales team' }).expect(201)).body;
    expect((await server.api.post('/groups', { name: 'SALES' }).expect(409)).body.error.code).toBe('nameTaken');
    const members = (await server.api.post(`/groups/${g.id}/members`, { users: [dave.id] }).expect(200)).body;
    expect(members).toEqual([{ kind: 'user', id: dave.id }]);
    expect((await server.api.get(`/groups/${g.id}`).expect(200)).body).toMatchObject({ name: 'sales', members });
    await server.api.delete(`/groups/${g.id}/members/users/${dave.id}`).expect(200, []);
    const renamed = (await server.api.patch(`/groups/${g.id}`, { name: 'sales-emea', description: null }).expect(200)).body;
    expect(renamed).toEqual({ id: g.id, name: 'sales-emea', createdAt: g.createdAt });
    await server.api.delete(`/groups/${g.id}`).expect(204);
    expect((await server.api.get('/groups').expect(200)).body.find((x: { id: string }) => x.id === g.id)).toBeUndefined();
  });

  it('refuses unknown members (400 naming the item) and writes none of them', async () => {
    const erin = (await server.api.post('/users', { upn: 'erin@contoso.com' }).expect(201)).body;
    const g = (await server.api.post('/groups', { name: 'ops' }).expect(201)).body;
    const res = await server.api.post(`/groups/${g.id}/members`, { users: [erin.id, 'usr_nobody'] }).expect(400);
    expect(res.body.error).toMatchObject({ code: 'unknownMember', field: 'users[1]' });
    expect((await server.api.post(`/groups/${g.id}/members`, { devices: ['dev_nothing'] }).expect(400)).body.error.field).toBe('devices[0]');
    expect((await server.api.get(`/groups/${g.id}/members`).expect(200)).body).toEqual([]);
    await server.api.post('/groups/grp_missing/members', { users: [erin.id] }).expect(404);
  });

  it('deletes a user without devices and drops their group memberships', async () => {
    const frank = (await server.api.post('/users', { upn: 'frank@contoso.com' }).expect(201)).body;
    const g = (await server.api.post('/groups', { name: 'frank-group' }).expect(201)).body;
    await server.api.post(`/groups/${g.id}/members`, { users: [frank.id] }).expect(200);
    await server.api.delete(`/users/${frank.id}`).expect(204);
    expect((await server.api.get(`/groups/${g.id}/members`).expect(200)).body).toEqual([]);
  });
});

describe('certificate profiles', () => {
  it('creates scep profiles with defaults and trusted roots from a PEM', async () => {
    const scep = (await server.api.post('/certificate-profiles', { name: 'id', kind: 'scep', platform: 'ios' }).expect(201)).body;
    expect(scep.scep).toEqual({ subject: 'CN={{upn}}', keySize: 2048, validityDays: 365 });
    const root = (await server.api.post('/certificate-profiles', { name: 'root', kind: 'trustedRoot', platform: 'samsungKnox', pem: server.identity.ca.certPem }).expect(201)).body;
    expect(root.trustedRoot.fingerprintSha256).toBe(server.identity.ca.fingerprintSha256);
    expect((await server.api.get(`/certificate-profiles/${root.id}`).expect(200)).body).toEqual(root);
    await server.api.delete(`/certificate-profiles/${root.id}`).expect(204);
  });

  it.each([
    [{ name: 'a', kind: 'trustedRoot', platform: 'ios' }, 'missingField', 'pem'],
    [{ name: 'b', kind: 'trustedRoot', platform: 'ios', pem: 'hello' }, 'invalidCertificate', 'pem'],
    [{ name: 'c', kind: 'trustedRoot', platform: 'ios', pem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }, 'invalidCertificate', 'pem'],
    [{ name: 'd', kind: 'trustedRoot', platform: 'ios', pem: 'x', keySize: 2048 }, 'validationFailed', 'keySize'],
    [{ name: 'e', kind: 'scep', platform: 'ios', pem: 'x' }, 'validationFailed', 'pem'],
    [{ name: 'f', kind: 'scep', platform: 'ios', keySize: 3000 }, 'validationFailed', 'keySize'],
    [{ name: 'g', kind: 'scep', platform: 'ios', subject: 'hello world' }, 'validationFailed', 'subject'],
    [{ name: 'h', kind: 'smartcard', platform: 'ios' }, 'validationFailed', 'kind'],
    [{ name: 'i', kind: 'scep', platform: 'afwGmail' }, 'validationFailed', 'platform'],
  ])('refuses %j', async (body, code, field) => {
    const res = await server.api.post('/certificate-profiles', body).expect(400);
    expect(res.body.error).toMatchObject({ code, field });
  });
});
