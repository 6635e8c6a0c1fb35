import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../helpers/server.js';

let server: TestServer;
let scepIos: string;
let scepKnox: string;
let scepAfw: string;
let rootKnox: string;
beforeAll(async () => {
  server = await startTestServer();
  const cert = async (body: object) => (await server.api.post('/certificate-profiles', body).expect(201)).body.id as string;
  scepIos = await cert({ name: 'ios identity', kind: 'scep', platform: 'ios', subject: 'CN={{upn}}' });
  scepKnox = await cert({ name: 'knox identity', kind: 'scep', platform: 'samsungKnox' });
  scepAfw = await cert({ name: 'afw identity', kind: 'scep', platform: 'androidForWork' });
  rootKnox = await cert({ name: 'knox root', kind: 'trustedRoot', platform: 'samsungKnox', pem: server.identity.ca.certPem });
});
afterAll(() => server.stop());

const base = (platform: string, name: string) => ({
  platform,
  name,
  host: 'mail.contoso.com',
  accountName: 'Contoso mail',
  usernameSource: 'userPrincipalName',
  emailSource: 'primarySmtpAddress',
});

describe('email profiles: the six types', () => {
  it('creates an iOS profile with every iOS setting, certificate auth and S/MIME', async () => {
    const res = await server.api
      .post('/email-profiles', {
        ...base('ios', 'ios full'),
        description: 'all settings',
        authMethod: 'certificate',
        identityCertificateProfileId: scepIos,
        useSmime: true,
        signingCertificateProfileId: scepIos,
        daysToSync: 'unlimited',
        useSsl: true,
        contentTypes: ['email', 'calendar', 'notes'],
        allowSendFromThirdPartyApps: false,
      })
      .expect(201);
    expect(res.body).toMatchObject({ version: 1, everDeployed: false, definition: { platform: 'ios', daysToSync: 'unlimited', useSmime: true } });
    expect(res.body.id).toMatch(/^eml_/);
  });

  it.each([
    ['windowsPhone81', { daysToSync: 14, syncSchedule: 30, contentTypes: ['email', 'tasks'] }],
    ['windows10', { daysToSync: 90, syncSchedule: 'manual', contentTypes: ['email', 'contacts'] }],
    ['samsungKnox', { authMethod: 'certificate', identityCertificateProfileId: 'KNOX', useSmime: false, daysToSync: 30, syncSchedule: 240, contentTypes: ['email', 'notes'] }],
    ['afwGmail', { authMethod: 'certificate', identityCertificateProfileId: 'AFW', daysToSync: 1, syncSchedule: 'asMessagesArrive' }],
    ['afwNineWork', { authMethod: 'password', daysToSync: 3, syncSchedule: 60, contentTypes: ['email', 'calendar', 'tasks'] }],
  ])('creates a %s profile', async (platform, extra) => {
    const settings = { ...extra } as Record<string, unknown>;
    if (settings.identityCertificateProfileId === 'KNOX') settings.identityCertificateProfileId = scepKnox;
    if (settings.identityCertificateProfileId === 'AFW') settings.identityCertificateProfileId = scepAfw;
    const res = await server.api.post('/email-profiles', { ...base(platform, `p ${platform}`), ...settings }).expect(201);
    expect(res.body.definition).toMatchObject({ platform, ...settings });
    const got = await server.api.get(`/email-profiles/${res.body.id}`).expect(200);
    expect(got.body).toEqual(res.body);
  });

  it('fills each platform\'s defaults and only the settings the platform has', async () => {
    const ios = (await server.api.post('/email-profiles', base('ios', 'ios defaults')).expect(201)).body.definition;
    expect(ios).toMatchObject({ authMethod: 'password', useSmime: false, daysToSync: 7, useSsl: true, allowSendFromThirdPartyApps: true });
    expect(ios.contentTypes).toEqual(['email', 'contacts', 'calendar', 'tasks', 'notes']);
    expect(ios).not.toHaveProperty('syncSchedule');
    const gmail = (await server.api.post('/email-profiles', base('afwGmail', 'gmail defaults')).expect(201)).body.definition;
    expect(gmail).not.toHaveProperty('contentTypes');
    expect(gmail).not.toHaveProperty('useSmime');
    expect(gmail.syncSchedule).toBe('asMessagesArrive');
  });
});

describe('email profiles: the rules of docs/email-profiles.md', () => {
  const refused = async (body: object, status: number, code: string, field?: string) => {
    const before = (await server.api.get('/email-profiles')).body.length;
    const res = await server.api.post('/email-profiles', body).expect(status);
    expect(res.body.error.code).toBe(code);
    if (field) expect(res.body.error.field).toBe(field);
    expect((await server.api.get('/email-profiles')).body.length).toBe(before);
    return res.body.error;
  };

  it.each([
    ['windows10', 'authMethod'],
    ['windows10', 'useSmime'],
    ['windowsPhone81', 'allowSendFromThirdPartyApps'],
    ['afwGmail', 'contentTypes'],
    ['afwGmail', 'useSmime'],
    ['afwNineWork', 'signingCertificateProfileId'],
    ['ios', 'syncSchedule'],
    ['samsungKnox', 'allowSendFromThirdPartyApps'],
  ])('refuses %s with the setting %s it does not have (400 naming the field)', async (platform, key) => {
    const value = key === 'contentTypes' ? ['email'] : key === 'syncSchedule' ? 'manual' : key.endsWith('Id') ? scepIos : key === 'authMethod' ? 'password' : true;
    const err = await refused({ ...base(platform, `bad ${platform} ${key}`), [key]: value }, 400, 'settingNotOnPlatform', key);
    expect(err.message).toContain(platform);
  });

  it.each([
    ['ios', 'daysToSync', 30],
    ['ios', 'daysToSync', 0],
    ['windowsPhone81', 'daysToSync', 1],
    ['samsungKnox', 'daysToSync', 31],
    ['windows10', 'syncSchedule', 5],
    ['samsungKnox', 'syncSchedule', 45],
    ['windows10', 'contentTypes', ['email', 'notes']],
    ['ios', 'contentTypes', ['email', 'email']],
    ['ios', 'usernameSource', 'samAccountName'],
    ['ios', 'emailSource', 'username'],
    ['ios', 'useSsl', 'yes'],
    ['ios', 'host', 'https://mail.contoso.com'],
    ['ios', 'host', 'mail contoso'],
  ])('refuses %s %s = %j (a value the client does not offer)', async (platform, key, value) => {
    const err = await refused({ ...base(platform, `v ${platform} ${key} ${JSON.stringify(value)}`), [key]: value }, 400, 'validationFailed');
    expect(err.field).toMatch(new RegExp(`^${key}`));
  });

  it('refuses missing required settings, unknown fields and a missing or unknown platform', async () => {
    const { host: _h, ...noHost } = base('ios', 'no host');
    await refused(noHost, 400, 'missingField', 'host');
    await refused({ ...base('ios', 'x1'), accountName: '' }, 400, 'validationFailed', 'accountName');
    await refused({ ...base('ios', 'x2'), password: 'secret' }, 400, 'unknownField', 'password');
    const { platform: _p, ...noPlatform } = base('ios', 'x3');
    await refused(noPlatform, 400, 'missingField', 'platform');
    await refused({ ...base('blackberry', 'x4') }, 400, 'validationFailed', 'platform');
  });

  it('requires a certificate profile exactly when certificate auth or S/MIME is chosen', async () => {
    await refused({ ...base('ios', 'c1'), authMethod: 'certificate' }, 400, 'certificateProfileRequired', 'identityCertificateProfileId');
    await refused({ ...base('ios', 'c2'), authMethod: 'password', identityCertificateProfileId: scepIos }, 400, 'certificateProfileNotAllowed', 'identityCertificateProfileId');
    await refused({ ...base('ios', 'c3'), identityCertificateProfileId: scepIos }, 400, 'certificateProfileNotAllowed', 'identityCertificateProfileId');
    await refused({ ...base('samsungKnox', 'c4'), useSmime: true }, 400, 'certificateProfileRequired', 'signingCertificateProfileId');
    await refused({ ...base('samsungKnox', 'c5'), signingCertificateProfileId: scepKnox }, 400, 'certificateProfileNotAllowed', 'signingCertificateProfileId');
  });

  it('requires the certificate profile to exist, be a SCEP profile and be of the same platform', async () => {
    await refused({ ...base('ios', 'k1'), authMethod: 'certificate', identityCertificateProfileId: 'crt_missing' }, 400, 'certificateProfileNotFound', 'identityCertificateProfileId');
    await refused({ ...base('samsungKnox', 'k2'), authMethod: 'certificate', identityCertificateProfileId: rootKnox }, 400, 'certificateProfileWrongKind', 'identityCertificateProfileId');
    await refused({ ...base('ios', 'k3'), useSmime: true, signingCertificateProfileId: scepKnox }, 400, 'certificateProfileWrongPlatform', 'signingCertificateProfileId');
    await refused({ ...base('afwNineWork', 'k4'), authMethod: 'certificate', identityCertificateProfileId: scepIos }, 400, 'certificateProfileWrongPlatform', 'identityCertificateProfileId');
    // Both Android for Work apps take the work profile's certificates.
    await server.api.post('/email-profiles', { ...base('afwNineWork', 'k5'), authMethod: 'certificate', identityCertificateProfileId: scepAfw }).expect(201);
  });

  it('keeps names unique (409)', async () => {
    await server.api.post('/email-profiles', base('ios', 'Unique')).expect(201);
    await refused(base('windows10', 'unique'), 409, 'nameTaken', 'name');
  });

  it('refuses to delete a certificate profile an email profile uses (409)', async () => {
    const res = await server.api.delete(`/certificate-profiles/${scepAfw}`).expect(409);
    expect(res.body.error.code).toBe('inUse');
  });
});

describe('email profiles: edits', () => {
  it('applies an edit as a new version; null clears an optional setting; the platform cannot change', async () => {
    const p = (await server.api.post('/email-profiles', { ...base('ios', 'edit me'), description: 'x' }).expect(201)).body;
    const e = (await server.api.patch(`/email-profiles/${p.id}`, { daysToSync: 14, description: null }).expect(200)).body;
    expect(e.version).toBe(2);
    expect(e.definition.daysToSync).toBe(14);
    expect(e.definition).not.toHaveProperty('description');
    const same = (await server.api.patch(`/email-profiles/${p.id}`, { daysToSync: 14 }).expect(200)).body;
    expect(same.version).toBe(2);
    expect((await server.api.patch(`/email-profiles/${p.id}`, { platform: 'windows10' }).expect(400)).body.error.code).toBe('platformImmutable');
    expect((await server.api.patch(`/email-profiles/${p.id}`, { syncSchedule: 15 }).expect(400)).body.error.code).toBe('settingNotOnPlatform');
    expect((await server.api.patch(`/email-profiles/${p.id}`, { host: null }).expect(400)).body.error).toMatchObject({ code: 'missingField', field: 'host' });
    // Before any deployment host and email source may still change.
    await server.api.patch(`/email-profiles/${p.id}`, { host: 'mail2.contoso.com', emailSource: 'userPrincipalName' }).expect(200);
  });

  it('refuses (409) an edit of host or email source once the profile was ever deployed, even after undeploying', async () => {
    const group = (await server.api.post('/groups', { name: 'edit-group' }).expect(201)).body;
    const p = (await server.api.post('/email-profiles', base('windows10', 'deployed one')).expect(201)).body;
    await server.api.put(`/email-profiles/${p.id}/deployment`, { groupIds: [group.id] }).expect(200);
    expect((await server.api.get(`/email-profiles/${p.id}`)).body.everDeployed).toBe(true);
    for (const [key, value] of [['host', 'other.contoso.com'], ['emailSource', 'userPrincipalName']] as const) {
      const res = await server.api.patch(`/email-profiles/${p.id}`, { [key]: value }).expect(409);
      expect(res.body.error).toMatchObject({ code: 'immutableSetting', field: key });
    }
    await server.api.put(`/email-profiles/${p.id}/deployment`, { groupIds: [] }).expect(200);
    await server.api.patch(`/email-profiles/${p.id}`, { host: 'other.contoso.com' }).expect(409);
    // Other settings still change.
    expect((await server.api.patch(`/email-profiles/${p.id}`, { accountName: 'Renamed' }).expect(200)).body.version).toBe(2);
    const unchanged = (await server.api.get(`/email-profiles/${p.id}`)).body.definition;
    expect(unchanged).toMatchObject({ host: 'mail.contoso.com', emailSource: 'primarySmtpAddress' });
  });
});
