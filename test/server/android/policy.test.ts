import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../../certs/authority.js';
import { parseCertificate } from '../../../certs/certificate.js';
import { certificateKeyId } from '../../../certs/http-signature.js';
import { readPkcs12 } from '../../../certs/pkcs12.js';
import { accountIdentityFor } from '../../../protocol/admin/account-identity.js';
import { GMAIL_PACKAGE, NINE_WORK_PACKAGE } from '../../../protocol/android/apps.js';
import { ANDROID_CHANNEL_PATHS, ANDROID_PUSH_TOPIC, POLICY_CHANGED_PUSH } from '../../../protocol/android/channel.js';
import { buildKnoxExchangeAccount, knoxExchangeAccountJson } from '../../../protocol/android/knox/exchange-account.js';
import { buildGmailConfiguration, GMAIL_KEYS } from '../../../protocol/android/managed-config/gmail.js';
import { buildNineWorkConfiguration } from '../../../protocol/android/managed-config/nine-work.js';
import type { Policy } from '../../../protocol/android/amapi/policy.js';
import { checkAgainstSchema } from '../../protocol/android/amapi/discovery-checker.js';
import { eventually, fetchPolicy, pushListener, registerDevice, reportOn, sendReport, signed, type AndroidDevice } from '../../helpers/android-wire.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * The policy a device pulls (GET /android/v1/policy): an AMAPI Policy rebuilt from the device's
 * desired profiles and apps, one managed configuration per app, the Knox Exchange accounts, CA
 * certificates and key pairs (PKCS#12 from the lab CA); a new version whenever what the device
 * should hold changes, with a push; ETag / If-None-Match → 304.
 */
let server: TestServer;
const dir = mkdtempSync(join(tmpdir(), 'mdmlab-android-policy-'));
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
/** A user (address ≠ upn, on-premises user name) in a group of their own. */
async function userInGroup(upn: string): Promise<{ userId: string; groupId: string; user: { upn: string; primarySmtp: string; username: string } }> {
  const user = { upn, primarySmtp: upn.replace('@', '.smtp@'), username: upn.split('@')[0]! };
  const userId = (await server.api.post('/users', user).expect(201)).body.id as string;
  const groupId = (await server.api.post('/groups', { name: `group ${++n}` }).expect(201)).body.id as string;
  await server.api.post(`/groups/${groupId}/members`, { users: [userId] }).expect(200);
  return { userId, groupId, user };
}

async function profile(body: Record<string, unknown>): Promise<{ id: string; definition: Parameters<typeof buildGmailConfiguration>[0] & { platform: string } }> {
  return (await server.api.post('/email-profiles', { name: `profile ${++n}`, host: 'mail.contoso.com', accountName: 'Corp mail', ...body }).expect(201)).body;
}

const deploy = async (profileId: string, groupIds: string[]) => (await server.api.put(`/email-profiles/${profileId}/deployment`, { groupIds }).expect(200)).body;
const device = async (id: string) => (await server.api.get(`/devices/${id}`).expect(200)).body;
const conforms = (body: Buffer) => expect(checkAgainstSchema(JSON.parse(body.toString()), 'Policy')).toEqual([]);

/** The device's push token reported on the version it holds (as the DPC does after connecting to the gateway). */
async function reportPushToken(d: AndroidDevice, version: string | number, token: string): Promise<void> {
  expect((await sendReport(d, reportOn(d, version, { extra: { mdmlab: { pushToken: token } } }))).status).toBe(204);
}

describe('an Android for Work device and its Gmail profile', () => {
  let d: AndroidDevice;
  let push: Awaited<ReturnType<typeof pushListener>>;
  let group: Awaited<ReturnType<typeof userInGroup>>;
  let first: Awaited<ReturnType<typeof fetchPolicy>>;
  beforeAll(async () => {
    group = await userInGroup('alice@contoso.com');
    d = await registerDevice(server, 'alice@contoso.com', 'androidForWork');
    push = await pushListener(server);
    first = await fetchPolicy(d);
    await reportPushToken(d, first.policy!.version, push.token);
  });
  afterAll(() => push.close());

  it('starts with an empty policy of version 1 that conforms to the discovery document, and nothing pending once reported', async () => {
    expect(first.policy).toEqual({ name: d.policyName, version: '1', statusReportingSettings: { applicationReportsEnabled: true, softwareInfoEnabled: true } });
    conforms(first.res.body);
    expect(first.res.headers['cache-control']).toBe('no-store');
    expect(await device(d.deviceId)).toMatchObject({ pendingCommands: 0, android: { policyVersion: 1, appliedPolicyVersion: 1, pushToken: push.token } });
  });

  it('gets a deployed profile as a new policy version with Gmail\'s managed configuration, woken by a push', async () => {
    const p = await profile({ platform: 'afwGmail', usernameSource: 'username', daysToSync: 14 });
    await deploy(p.id, [group.groupId]);
    expect(await push.next()).toEqual({ topic: ANDROID_PUSH_TOPIC, payload: { ...POLICY_CHANGED_PUSH } });
    expect(await device(d.deviceId)).toMatchObject({ pendingCommands: 1, profiles: [{ profileId: p.id, state: 'pending' }] });
    const { res, policy, etag } = await fetchPolicy(d, first.etag);
    expect(res.status).toBe(200);
    conforms(res.body);
    expect(etag).not.toBe(first.etag);
    expect(policy!.version).toBe('2');
    expect(policy!.applications).toEqual([
      { packageName: GMAIL_PACKAGE, installType: 'AVAILABLE', managedConfiguration: buildGmailConfiguration(p.definition, accountIdentityFor(p.definition, group.user)) },
    ]);
    expect(policy!.applications![0]!.managedConfiguration).toMatchObject({ [GMAIL_KEYS.emailAddress]: 'alice.smtp@contoso.com', [GMAIL_KEYS.username]: 'alice', [GMAIL_KEYS.trustAllCertificates]: false });
    expect((await sendReport(d, reportOn(d, 2, { apps: [{ packageName: GMAIL_PACKAGE, states: [{ state: 'created' }] }] }))).status).toBe(204);
    expect(await device(d.deviceId)).toMatchObject({ pendingCommands: 0, compliance: 'compliant', profiles: [{ profileId: p.id, state: 'installed', installedVersion: 1 }] });
  });

  it('answers 304 to If-None-Match with the current ETag (also weak, in a list, or *), and 200 to an older one', async () => {
    const current = await fetchPolicy(d);
    for (const tag of [current.etag!, `W/${current.etag!}`, `"x", ${current.etag!}`, '*']) {
      const res = await signed(d, 'GET', ANDROID_CHANNEL_PATHS.policy, { headers: { 'if-none-match': tag } });
      expect(res.status, tag).toBe(304);
      expect(res.body.length).toBe(0);
      expect(res.headers.etag).toBe(current.etag);
    }
    expect((await fetchPolicy(d, first.etag)).res.status).toBe(200);
  });

  it('gets a new version when the profile is edited or the user\'s address changes, and a removal that waits for the device\'s report', async () => {
    const [p] = (await device(d.deviceId)).profiles as { profileId: string }[];
    const before = (await fetchPolicy(d)).policy!;
    await server.api.patch(`/email-profiles/${p!.profileId}`, { daysToSync: 30 }).expect(200);
    await push.next();
    const edited = (await fetchPolicy(d)).policy!;
    expect(Number(edited.version)).toBe(Number(before.version) + 1);
    expect(edited.applications![0]!.managedConfiguration![GMAIL_KEYS.syncWindow]).toBe(5);
    await server.api.patch(`/users/${group.userId}`, { primarySmtp: 'alice.new@contoso.com' }).expect(200);
    await push.next();
    const moved = (await fetchPolicy(d)).policy!;
    expect(moved.applications![0]!.managedConfiguration![GMAIL_KEYS.emailAddress]).toBe('alice.new@contoso.com');
    await sendReport(d, reportOn(d, moved.version, { apps: [{ packageName: GMAIL_PACKAGE, states: [{ state: 'recreated' }] }] }));
    expect((await device(d.deviceId)).profiles[0]).toMatchObject({ state: 'installed', installedVersion: 2 });

    await server.api.delete(`/groups/${group.groupId}/members/users/${group.userId}`).expect(200);
    await push.next();
    expect(await device(d.deviceId)).toMatchObject({ pendingCommands: 1, profiles: [{ state: 'installed' }] });
    const without = (await fetchPolicy(d)).policy!;
    expect(without.applications).toBeUndefined();
    await sendReport(d, reportOn(d, without.version));
    expect(await device(d.deviceId)).toMatchObject({ pendingCommands: 0, profiles: [{ state: 'removed' }] });
  });
});

describe('one managed configuration per app, from the whole desired set', () => {
  it('gives Gmail and Nine Work each their profile, and of two Gmail profiles keeps the older one: the newer fails with conflictingProfiles until the older goes', async () => {
    const g = await userInGroup('bea@contoso.com');
    const d = await registerDevice(server, 'bea@contoso.com', 'androidForWork');
    const older = await profile({ platform: 'afwGmail' });
    const nine = await profile({ platform: 'afwNineWork', host: 'mail.contoso.com:8443', contentTypes: ['email', 'calendar'] });
    const newer = await profile({ platform: 'afwGmail', host: 'mail2.contoso.com' });
    // Deployed newest first: who keeps the app does not depend on the order of deployment.
    await deploy(newer.id, [g.groupId]);
    await deploy(nine.id, [g.groupId]);
    await deploy(older.id, [g.groupId]);
    const { policy } = await fetchPolicy(d);
    const identity = accountIdentityFor(older.definition, g.user);
    expect(policy!.applications).toEqual([
      { packageName: GMAIL_PACKAGE, installType: 'AVAILABLE', managedConfiguration: buildGmailConfiguration(older.definition, identity) },
      { packageName: NINE_WORK_PACKAGE, installType: 'AVAILABLE', managedConfiguration: buildNineWorkConfiguration(nine.definition, accountIdentityFor(nine.definition, g.user)) },
    ]);
    const view = await device(d.deviceId);
    expect(view.compliance).toBe('nonCompliant');
    expect(view.profiles.find((p: { profileId: string }) => p.profileId === newer.id)).toMatchObject({ state: 'failed', detail: expect.stringContaining(older.id) });
    const alert = view.alerts.find((a: { kind: string; profileId: string }) => a.kind === 'conflictingProfiles' && a.profileId === newer.id);
    expect(alert.details).toMatchObject({ conflictsWith: older.id });

    await deploy(older.id, []);
    const after = (await fetchPolicy(d)).policy!;
    expect(after.applications![0]!.managedConfiguration![GMAIL_KEYS.host]).toBe('mail2.contoso.com');
    const states = (await device(d.deviceId)).profiles as { profileId: string; state: string }[];
    expect(states.find((p) => p.profileId === newer.id)?.state).toBe('pending');
    expect((await device(d.deviceId)).alerts.filter((a: { kind: string }) => a.kind === 'conflictingProfiles')).toEqual([]);
    await sendReport(d, reportOn(d, after.version, { apps: [{ packageName: GMAIL_PACKAGE, states: [{ state: 'recreated' }] }, { packageName: NINE_WORK_PACKAGE, states: [{ state: 'created' }] }] }));
    const final = (await device(d.deviceId)).profiles as { profileId: string; state: string }[];
    expect(Object.fromEntries(final.map((p) => [p.profileId, p.state]))).toEqual({ [older.id]: 'removed', [nine.id]: 'installed', [newer.id]: 'installed' });
  });
});

describe('certificates in the policy', () => {
  it('gives a Knox device its Exchange account, the trusted roots for SSL and PKCS#12 key pairs for certificate authentication and S/MIME', async () => {
    const exchangeCa = await CertificateAuthority.create({ commonName: 'Contoso Exchange CA' });
    const root = (await server.api.post('/certificate-profiles', { name: 'exchange root', kind: 'trustedRoot', platform: 'samsungKnox', pem: exchangeCa.certPem }).expect(201)).body;
    const auth = (await server.api.post('/certificate-profiles', { name: 'knox auth', kind: 'scep', platform: 'samsungKnox', subject: 'CN={{upn}},O=Contoso' }).expect(201)).body;
    const sign = (await server.api.post('/certificate-profiles', { name: 'knox smime', kind: 'scep', platform: 'samsungKnox', subject: 'E={{email}}' }).expect(201)).body;
    const g = await userInGroup('kim@contoso.com');
    const d = await registerDevice(server, 'kim@contoso.com', 'samsungKnox');
    const p = await profile({ platform: 'samsungKnox', authMethod: 'certificate', identityCertificateProfileId: auth.id, useSmime: true, signingCertificateProfileId: sign.id, usernameSource: 'username' });
    await deploy(p.id, [g.groupId]);
    const { policy, res } = await fetchPolicy(d);
    conforms(res.body);
    const account = knoxExchangeAccountJson(buildKnoxExchangeAccount(p.id, p.definition, accountIdentityFor(p.definition, g.user)));
    expect(policy!.applications).toBeUndefined();
    expect(policy!.mdmlab!.knoxExchangeAccounts).toEqual([account]);
    expect(account).toMatchObject({ id: p.id, emailAddress: 'kim.smtp@contoso.com', easUser: 'kim', useSSL: true, acceptAllCertificates: false, certificateAlias: `mdmlab-${auth.id}`, smimeCertificateAlias: `mdmlab-${sign.id}` });
    expect(policy!.mdmlab!.caCertificates).toEqual([{ alias: `mdmlab-${root.id}`, certificate: exchangeCa.certDer.toString('base64') }]);
    const pairs = policy!.mdmlab!.keyPairs!;
    expect(pairs.map((k) => k.alias).sort()).toEqual([`mdmlab-${auth.id}`, `mdmlab-${sign.id}`].sort());
    const subjects: string[] = [];
    for (const kp of pairs) {
      const store = readPkcs12(Buffer.from(kp.pkcs12, 'base64'), kp.password);
      expect(store.friendlyName).toBe(kp.alias);
      expect(store.chain[0]!.equals(server.identity.ca.certDer)).toBe(true);
      expect(server.identity.ca.verifyIssued(store.certDer)).toBe(true);
      subjects.push(parseCertificate(store.certDer).subject.string);
      // A real tool opens it too (OpenSSL, as a keystore importer would).
      const file = join(dir, `${kp.alias}.p12`);
      writeFileSync(file, Buffer.from(kp.pkcs12, 'base64'));
      expect(execFileSync('openssl', ['pkcs12', '-in', file, '-passin', `pass:${kp.password}`, '-nokeys'], { encoding: 'utf8' })).toContain('BEGIN CERTIFICATE');
      // The key pair is the user's mail identity, never the device's: it cannot sign the device's requests.
      const asKeyPair = await signed(d, 'GET', ANDROID_CHANNEL_PATHS.policy, { sign: { key: store.privateKey, keyId: certificateKeyId(store.certDer) } });
      expect(asKeyPair.error?.reason).toBe('unknownIdentity');
    }
    expect(subjects.sort()).toEqual(['CN=kim@contoso.com,O=Contoso', 'emailAddress=kim.smtp@contoso.com'].sort());
    // Made once and kept: the next pull of the same version hands out the same stores.
    const again = (await signed(d, 'GET', ANDROID_CHANNEL_PATHS.policy)).text;
    expect(JSON.parse(again).mdmlab.keyPairs).toEqual(pairs);
  });

  it('gives an Android for Work device its Gmail login certificate as a key pair under the alias the configuration names', async () => {
    const auth = (await server.api.post('/certificate-profiles', { name: 'afw auth', kind: 'scep', platform: 'androidForWork' }).expect(201)).body;
    const g = await userInGroup('lee@contoso.com');
    const d = await registerDevice(server, 'lee@contoso.com', 'androidForWork');
    const p = await profile({ platform: 'afwGmail', authMethod: 'certificate', identityCertificateProfileId: auth.id });
    await deploy(p.id, [g.groupId]);
    const policy: Policy = (await fetchPolicy(d)).policy!;
    expect(policy.applications![0]!.managedConfiguration![GMAIL_KEYS.loginCertificateAlias]).toBe(`mdmlab-${auth.id}`);
    expect(policy.mdmlab!.keyPairs!.map((k) => k.alias)).toEqual([`mdmlab-${auth.id}`]);
    expect(policy.mdmlab!.caCertificates).toBeUndefined();
  });
});

describe('what the device holds, eventually', () => {
  it('keeps the version a device should hold when nothing changed (a deployment to an unrelated group plans the same policy)', async () => {
    const g = await userInGroup('max@contoso.com');
    const d = await registerDevice(server, 'max@contoso.com', 'androidForWork');
    const v1 = await fetchPolicy(d);
    const elsewhere = (await server.api.post('/groups', { name: `empty ${++n}` }).expect(201)).body.id as string;
    const p = await profile({ platform: 'samsungKnox', useSsl: false });
    await deploy(p.id, [elsewhere, g.groupId]);
    // A Knox profile reaches an Android for Work device as notApplicable: nothing in its policy.
    expect((await fetchPolicy(d, v1.etag)).res.status).toBe(304);
    expect(await eventually(() => device(d.deviceId), (v) => v.profiles.length === 1)).toMatchObject({ profiles: [{ state: 'notApplicable' }] });
  });
});
