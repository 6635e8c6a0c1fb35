import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../../certs/authority.js';
import { MDMLAB_DPC_PACKAGE } from '../../../protocol/android/apps.js';
import type { AccountStateReport } from '../../../protocol/android/app-states.js';
import { accountKeyedAppState } from '../../../protocol/android/app-states.js';
import { KNOX_FLIP_LIMIT } from '../../../server/android/knox-flips.js';
import { fetchPolicy, pushListener, registerDevice, reportOn, sendReport, type AndroidDevice } from '../../helpers/android-wire.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * The KNOX rules on the server. Knox matches an Exchange account by its address only, so two
 * samsungKnox profiles giving one user the same address replace each other at every sync: their
 * deployment to overlapping groups is answered with a warning and an overlappingKnoxProfiles
 * alert, and a device that keeps flipping ends with the newer profile failed (conflictingProfiles)
 * and withheld, instead of looping. useSsl needs a trustedRoot certificate profile for samsungKnox.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

let n = 0;
const group = async (userIds: string[]) => {
  const id = (await server.api.post('/groups', { name: `g${++n}` }).expect(201)).body.id as string;
  if (userIds.length) await server.api.post(`/groups/${id}/members`, { users: userIds }).expect(200);
  return id;
};
const user = async (upn: string, extra: Record<string, unknown> = {}) => (await server.api.post('/users', { upn, ...extra }).expect(201)).body.id as string;
const knoxProfile = async (host: string, extra: Record<string, unknown> = {}) =>
  (await server.api.post('/email-profiles', { platform: 'samsungKnox', name: `knox ${++n}`, host, accountName: 'Corp', useSsl: false, ...extra }).expect(201)).body as { id: string };
const deploy = (profileId: string, groupIds: string[]) => server.api.put(`/email-profiles/${profileId}/deployment`, { groupIds });
const overlapAlerts = async () => (await server.api.get('/alerts?kind=overlappingKnoxProfiles').expect(200)).body as { profileId: string; message: string; details: { conflictsWith: string } }[];

describe('deploying two Knox profiles whose address can collide', () => {
  it('is accepted with an overlappingKnoxProfiles warning and one alert, and the alert goes when the overlap does', async () => {
    const una = await user('una@contoso.com');
    const sales = await group([una]);
    const ops = await group([una]);
    const a = await knoxProfile('mail-a.contoso.com');
    const b = await knoxProfile('mail-b.contoso.com');
    expect((await deploy(a.id, [sales]).expect(200)).body).not.toHaveProperty('warnings');
    const res = (await deploy(b.id, [ops]).expect(200)).body;
    expect(res.warnings).toEqual([
      expect.objectContaining({ code: 'overlappingKnoxProfiles', profileIds: [b.id, a.id], message: expect.stringMatching(/una@contoso\.com, on mail-b\.contoso\.com and mail-a\.contoso\.com/) }),
    ]);
    expect(await overlapAlerts()).toEqual([expect.objectContaining({ profileId: b.id, details: expect.objectContaining({ conflictsWith: a.id }) })]);
    // Deploying either again adds no second alert.
    await deploy(a.id, [sales]).expect(200);
    expect(await overlapAlerts()).toHaveLength(1);
    await deploy(b.id, []).expect(200);
    expect(await overlapAlerts()).toEqual([]);
  });

  it('says nothing when the addresses differ: another email source for users whose UPN is not their address', async () => {
    const vic = await user('vic@contoso.com', { primarySmtp: 'victor@contoso.com' });
    const g = await group([vic]);
    const a = await knoxProfile('mail-a.contoso.com', { emailSource: 'primarySmtpAddress' });
    const b = await knoxProfile('mail-b.contoso.com', { emailSource: 'userPrincipalName' });
    await deploy(a.id, [g]).expect(200);
    expect((await deploy(b.id, [g]).expect(200)).body).not.toHaveProperty('warnings');
    // A shared group with the same source always can collide, members or not.
    const empty = await group([]);
    const c = await knoxProfile('mail-c.contoso.com', { emailSource: 'userPrincipalName' });
    await deploy(b.id, [empty]).expect(200);
    expect((await deploy(c.id, [empty]).expect(200)).body.warnings).toEqual([expect.objectContaining({ code: 'overlappingKnoxProfiles', groupIds: [empty] })]);
    await server.api.delete(`/email-profiles/${c.id}`).expect(204);
    expect((await overlapAlerts()).filter((x) => x.profileId === c.id || x.details.conflictsWith === c.id)).toEqual([]);
  });
});

describe('a device whose account keeps flipping between two Knox profiles', () => {
  let d: AndroidDevice;
  let older: { id: string };
  let newer: { id: string };
  beforeAll(async () => {
    const wes = await user('wes@contoso.com');
    const g = await group([wes]);
    older = await knoxProfile('mail-a.contoso.com');
    newer = await knoxProfile('mail-b.contoso.com');
    d = await registerDevice(server, 'wes@contoso.com', 'samsungKnox');
    await deploy(newer.id, [g]).expect(200);
    await deploy(older.id, [g]).expect(200);
  });

  /** The device's word after a sync: the winner replaced the loser's account (same address), the loser is gone. */
  const flip = (winner: string, loser: string): AccountStateReport[] => [
    { state: 'replaced', accountId: winner, message: `replaced the account of ${loser}` },
    { state: 'removed', accountId: loser },
  ];

  it(`ends, after ${KNOX_FLIP_LIMIT} replacements, with the newer profile failed and withheld, a conflictingProfiles alert and a push — no endless loop`, async () => {
    const push = await pushListener(server);
    const first = await fetchPolicy(d);
    expect(first.policy!.mdmlab!.knoxExchangeAccounts!.map((a) => a.id).sort()).toEqual([older.id, newer.id].sort());
    await sendReport(d, reportOn(d, first.policy!.version, { extra: { mdmlab: { knoxVersion: '3.2.1', pushToken: push.token } } }));
    // Each sync the device applies both accounts; the second replaces the first (address only).
    let t = Date.now();
    const report = async (states: AccountStateReport[], version = first.policy!.version, repeat = false) => {
      if (!repeat) t += 1000;
      const r = reportOn(d, version);
      r.applicationReports = [{ packageName: MDMLAB_DPC_PACKAGE, state: 'INSTALLED', keyedAppStates: states.map((s) => accountKeyedAppState(s, new Date(t).toISOString())) }];
      expect((await sendReport(d, r)).status).toBe(204);
    };
    let last: AccountStateReport[] = [];
    for (let i = 0; i < KNOX_FLIP_LIMIT - 1; i++) {
      last = i % 2 === 0 ? flip(newer.id, older.id) : flip(older.id, newer.id);
      await report(last);
      expect((await server.api.get(`/devices/${d.deviceId}`).expect(200)).body.profiles.every((p: { state: string }) => p.state !== 'failed')).toBe(true);
    }
    // The same report again (the keyed state's time stamp has not moved) is the same replacement: not counted twice.
    await report(last, first.policy!.version, true);
    await report(last, first.policy!.version, true);
    expect((await server.api.get(`/devices/${d.deviceId}`).expect(200)).body.compliance).toBe('compliant');
    await report(flip(newer.id, older.id));

    const view = (await server.api.get(`/devices/${d.deviceId}`).expect(200)).body;
    const states = Object.fromEntries(view.profiles.map((p: { profileId: string; state: string }) => [p.profileId, p.state]));
    expect(states[newer.id]).toBe('failed');
    expect(states[older.id]).not.toBe('failed');
    expect(view.compliance).toBe('nonCompliant');
    expect(view.profiles.find((p: { profileId: string }) => p.profileId === newer.id).detail).toMatch(/replaced each other 3 times on this device/);
    expect(view.alerts).toEqual([expect.objectContaining({ kind: 'conflictingProfiles', profileId: newer.id, details: expect.objectContaining({ conflictsWith: older.id }) })]);
    expect(await push.next()).toMatchObject({ payload: { event: 'policyChanged' } });

    const next = (await fetchPolicy(d)).policy!;
    expect(next.mdmlab!.knoxExchangeAccounts!.map((a) => a.id)).toEqual([older.id]);
    await report([{ state: 'replaced', accountId: older.id }, { state: 'removed', accountId: newer.id }], next.version);
    const settled = (await server.api.get(`/devices/${d.deviceId}`).expect(200)).body;
    expect(settled.pendingCommands).toBe(0);
    expect(Object.fromEntries(settled.profiles.map((p: { profileId: string; state: string }) => [p.profileId, p.state]))).toEqual({ [older.id]: 'installed', [newer.id]: 'failed' });
    await push.close();
  });

  it('brings the withheld profile back when it is edited (a new version is tried again)', async () => {
    await server.api.patch(`/email-profiles/${newer.id}`, { accountName: 'Corp B' }).expect(200);
    const { policy } = await fetchPolicy(d);
    expect(policy!.mdmlab!.knoxExchangeAccounts!.map((a) => a.id).sort()).toEqual([older.id, newer.id].sort());
    const view = (await server.api.get(`/devices/${d.deviceId}`).expect(200)).body;
    expect(view.profiles.find((p: { profileId: string }) => p.profileId === newer.id).state).toBe('pending');
    expect(view.alerts).toEqual([]);
  });
});

describe('useSsl on a Knox profile needs the Exchange server\'s certificate as a trustedRoot certificate profile', () => {
  it('refuses the deployment (409 trustedRootRequired) and the edit to useSsl of a deployed profile while there is none; accepts both once there is', async () => {
    const zoe = await user('zoe@contoso.com');
    const g = await group([zoe]);
    const ssl = await knoxProfile('mail.contoso.com', { useSsl: true });
    const refused = (await deploy(ssl.id, [g]).expect(409)).body.error;
    expect(refused).toMatchObject({ code: 'trustedRootRequired' });
    expect((await server.api.get(`/email-profiles/${ssl.id}/deployment`).expect(200)).body.groupIds).toEqual([]);
    const plain = await knoxProfile('mail.contoso.com');
    await deploy(plain.id, [g]).expect(200);
    expect((await server.api.patch(`/email-profiles/${plain.id}`, { useSsl: true }).expect(409)).body.error.code).toBe('trustedRootRequired');
    expect((await server.api.get(`/email-profiles/${plain.id}`).expect(200)).body).toMatchObject({ version: 1, definition: { useSsl: false } });

    const exchange = await CertificateAuthority.create({ commonName: 'Exchange' });
    const root = (await server.api.post('/certificate-profiles', { name: 'zoe root', kind: 'trustedRoot', platform: 'samsungKnox', pem: exchange.certPem }).expect(201)).body;
    await deploy(ssl.id, [g]).expect(200);
    await server.api.patch(`/email-profiles/${plain.id}`, { useSsl: true }).expect(200);
    const d = await registerDevice(server, 'zoe@contoso.com', 'samsungKnox');
    const { policy } = await fetchPolicy(d);
    expect(policy!.mdmlab!.caCertificates).toEqual([{ alias: `mdmlab-${root.id}`, certificate: exchange.certDer.toString('base64') }]);

    // At policy build too: with the root gone (certificate profiles are not deployed, so nothing
    // stops its deletion), the planning its deletion sets off withholds the profiles and fails them, saying why.
    await server.api.delete(`/certificate-profiles/${root.id}`).expect(204);
    const view = (await server.api.get(`/devices/${d.deviceId}`).expect(200)).body;
    const failed = view.profiles.find((p: { profileId: string }) => p.profileId === ssl.id);
    expect(failed).toMatchObject({ state: 'failed', detail: expect.stringMatching(/trustedRoot certificate profile for samsungKnox/) });
    const after = (await fetchPolicy(d)).policy!;
    expect(after.mdmlab?.knoxExchangeAccounts?.map((a) => a.id) ?? []).not.toContain(ssl.id);
  });

  it('reconciles the platform\'s devices when a trusted root comes or goes: the new root reaches them, a withheld profile comes back, a push says so', async () => {
    const yan = await user('yan@contoso.com');
    const g = await group([yan]);
    const first = await CertificateAuthority.create({ commonName: 'Exchange 1' });
    const root1 = (await server.api.post('/certificate-profiles', { name: 'yan root 1', kind: 'trustedRoot', platform: 'samsungKnox', pem: first.certPem }).expect(201)).body;
    const ssl = await knoxProfile('mail.contoso.com', { useSsl: true });
    await deploy(ssl.id, [g]).expect(200);
    const d = await registerDevice(server, 'yan@contoso.com', 'samsungKnox');
    const push = await pushListener(server);
    const v1 = (await fetchPolicy(d)).policy!;
    await sendReport(d, reportOn(d, v1.version, { extra: { mdmlab: { knoxVersion: '3.2.1', pushToken: push.token } } }));
    const aliases = (p: typeof v1) => (p.mdmlab?.caCertificates ?? []).map((c) => c.alias).sort();
    const otherRoots = aliases(v1).filter((a) => a !== `mdmlab-${root1.id}`);

    // A second root: the device's policy gets it, without any deployment or membership change.
    const second = await CertificateAuthority.create({ commonName: 'Exchange 2' });
    const root2 = (await server.api.post('/certificate-profiles', { name: 'yan root 2', kind: 'trustedRoot', platform: 'samsungKnox', pem: second.certPem }).expect(201)).body;
    expect(await push.next()).toMatchObject({ payload: { event: 'policyChanged' } });
    const v2 = (await fetchPolicy(d)).policy!;
    expect(Number(v2.version)).toBeGreaterThan(Number(v1.version));
    expect(aliases(v2)).toEqual([...otherRoots, `mdmlab-${root1.id}`, `mdmlab-${root2.id}`].sort());

    // Every samsungKnox root gone: the profile is withheld at once, and comes back with a new root.
    const remaining = ((await server.api.get('/certificate-profiles').expect(200)).body as { id: string; kind: string; platform: string }[]).filter((c) => c.kind === 'trustedRoot' && c.platform === 'samsungKnox');
    for (const c of remaining) await server.api.delete(`/certificate-profiles/${c.id}`).expect(204);
    const state = async () => (await server.api.get(`/devices/${d.deviceId}`).expect(200)).body.profiles.find((p: { profileId: string }) => p.profileId === ssl.id);
    expect(await state()).toMatchObject({ state: 'failed', detail: expect.stringMatching(/trustedRoot certificate profile for samsungKnox/) });
    const v3 = (await fetchPolicy(d)).policy!;
    expect(v3.mdmlab?.knoxExchangeAccounts ?? []).toEqual([]);
    expect(v3.mdmlab?.caCertificates).toBeUndefined();
    const third = await CertificateAuthority.create({ commonName: 'Exchange 3' });
    const root3 = (await server.api.post('/certificate-profiles', { name: 'yan root 3', kind: 'trustedRoot', platform: 'samsungKnox', pem: third.certPem }).expect(201)).body;
    expect(await state()).toMatchObject({ state: 'pending' });
    const v4 = (await fetchPolicy(d)).policy!;
    expect(v4.mdmlab!.knoxExchangeAccounts!.map((a) => a.id)).toContain(ssl.id);
    expect(aliases(v4)).toEqual([`mdmlab-${root3.id}`]);
    await push.close();
  });
});
