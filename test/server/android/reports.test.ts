import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeDeviceReport } from '../../../protocol/android/amapi/device.js';
import { GMAIL_PACKAGE, MDMLAB_DPC_PACKAGE, SAMSUNG_EMAIL_PACKAGE } from '../../../protocol/android/apps.js';
import { fetchPolicy, pushListener, registerDevice, reportOn, sendReport, storeSnapshot, type AndroidDevice } from '../../helpers/android-wire.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * Status reports in AMAPI's Device shape (POST /android/v1/report) decide the profile states,
 * through ProfileOutcomes: APP_NOT_INSTALLED → waitingForApp, INVALID_VALUE → failed, PENDING →
 * still pending, the account's keyed app state → installed or failed. A report about another
 * device, a version from the future or with unknown fields is refused and stores nothing.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

let n = 0;
async function deployed(platform: 'afwGmail' | 'samsungKnox', upn: string): Promise<{ d: AndroidDevice; profileId: string; version: string }> {
  const userId = (await server.api.post('/users', { upn }).expect(201)).body.id;
  const groupId = (await server.api.post('/groups', { name: `g${++n}` }).expect(201)).body.id;
  await server.api.post(`/groups/${groupId}/members`, { users: [userId] }).expect(200);
  const d = await registerDevice(server, upn, platform === 'afwGmail' ? 'androidForWork' : 'samsungKnox');
  const profileId = (await server.api.post('/email-profiles', { platform, name: `p${++n}`, host: 'mail.contoso.com', accountName: 'Corp', useSsl: false }).expect(201)).body.id;
  await server.api.put(`/email-profiles/${profileId}/deployment`, { groupIds: [groupId] }).expect(200);
  const { policy } = await fetchPolicy(d);
  return { d, profileId, version: policy!.version };
}

const state = async (d: AndroidDevice) => (await server.api.get(`/devices/${d.deviceId}`).expect(200)).body;

describe('an Android for Work profile follows the reports', () => {
  it('waits for its app (APP_NOT_INSTALLED), is pending while PENDING, fails on INVALID_VALUE naming the field, installs when Gmail says the account exists', async () => {
    const { d, profileId, version } = await deployed('afwGmail', 'wait@contoso.com');
    const missing = { settingName: 'applications', nonComplianceReason: 'APP_NOT_INSTALLED' as const, packageName: GMAIL_PACKAGE, fieldPath: 'applications[0]', installationFailureReason: 'IN_PROGRESS' as const };
    expect((await sendReport(d, reportOn(d, version, { details: [missing] }))).status).toBe(204);
    expect(await state(d)).toMatchObject({ compliance: 'compliant', pendingCommands: 0, profiles: [{ profileId, state: 'waitingForApp', detail: 'Gmail is not installed in the work profile (IN_PROGRESS)' }] });

    const pending = { settingName: 'applications', nonComplianceReason: 'PENDING' as const, packageName: GMAIL_PACKAGE };
    await sendReport(d, reportOn(d, version, { apps: [{ packageName: GMAIL_PACKAGE }], details: [pending] }));
    expect((await state(d)).profiles[0].state).toBe('waitingForApp');

    const invalid = { settingName: 'applications', nonComplianceReason: 'INVALID_VALUE' as const, packageName: GMAIL_PACKAGE, fieldPath: 'applications[0].managedConfiguration.exchange_host', currentValue: 42 };
    await sendReport(d, reportOn(d, version, { apps: [{ packageName: GMAIL_PACKAGE }], details: [invalid] }));
    expect(await state(d)).toMatchObject({
      compliance: 'nonCompliant',
      profiles: [{ state: 'failed', detail: 'the device refused the policy: INVALID_VALUE at applications[0].managedConfiguration.exchange_host (value 42)' }],
    });

    await sendReport(d, reportOn(d, version, { apps: [{ packageName: GMAIL_PACKAGE, states: [{ state: 'authPending', message: 'waiting for the password' }] }] }));
    expect(await state(d)).toMatchObject({ compliance: 'compliant', profiles: [{ state: 'installed', installedVersion: 1 }] });
    expect((await state(d)).profiles[0]).not.toHaveProperty('detail');
  });

  it('fails with the app\'s words when the account cannot be made (certificateMissing)', async () => {
    const { d, version } = await deployed('afwGmail', 'nocert@contoso.com');
    await sendReport(d, reportOn(d, version, { apps: [{ packageName: GMAIL_PACKAGE, states: [{ state: 'certificateMissing', message: 'no key under mdmlab-crt_x' }] }] }));
    expect((await state(d)).profiles[0]).toMatchObject({ state: 'failed', detail: 'certificateMissing: no key under mdmlab-crt_x' });
  });

  it('keeps the states of a report about an older version as they are, and records its facts', async () => {
    const { d, version } = await deployed('afwGmail', 'old@contoso.com');
    const res = await sendReport(d, reportOn(d, Number(version) - 1, { apps: [{ packageName: GMAIL_PACKAGE, states: [{ state: 'created' }] }], extra: { softwareInfo: { androidVersion: '14' } } }));
    expect(res.status).toBe(204);
    expect(await state(d)).toMatchObject({ osVersion: '14', pendingCommands: 1, profiles: [{ state: 'pending' }], android: { appliedPolicyVersion: Number(version) - 1 } });
  });
});

describe('a Knox profile follows the DPC\'s keyed states for its account', () => {
  it('installs when the account is created or replaced a hand-made one, fails when Samsung Email is missing or SSL is untrusted', async () => {
    const { d, profileId, version } = await deployed('samsungKnox', 'knox@contoso.com');
    await sendReport(d, reportOn(d, version, { apps: [{ packageName: MDMLAB_DPC_PACKAGE, states: [{ state: 'replaced', accountId: profileId }] }] }));
    expect((await state(d)).profiles[0]).toMatchObject({ state: 'installed' });
    await sendReport(d, reportOn(d, version, { apps: [{ packageName: MDMLAB_DPC_PACKAGE, states: [{ state: 'serverCertificateUntrusted', accountId: profileId }] }] }));
    expect((await state(d)).profiles[0]).toMatchObject({ state: 'failed', detail: 'serverCertificateUntrusted' });
    await sendReport(d, reportOn(d, version, { details: [{ settingName: 'mdmlab', nonComplianceReason: 'APP_NOT_INSTALLED', packageName: SAMSUNG_EMAIL_PACKAGE }] }));
    expect((await state(d)).profiles[0].detail).toMatch(/^Samsung Email is not installed/);
    await sendReport(d, reportOn(d, version, { details: [{ settingName: 'mdmlab', nonComplianceReason: 'INVALID_VALUE', fieldPath: 'mdmlab.knoxExchangeAccounts[0].syncLookback', currentValue: 9 }] }));
    expect((await state(d)).profiles[0].detail).toBe('the device refused the policy: INVALID_VALUE at mdmlab.knoxExchangeAccounts[0].syncLookback (value 9)');
  });

  it('confirms a removal only once the DPC no longer lists the account', async () => {
    const { d, profileId, version } = await deployed('samsungKnox', 'remove@contoso.com');
    await sendReport(d, reportOn(d, version, { apps: [{ packageName: MDMLAB_DPC_PACKAGE, states: [{ state: 'created', accountId: profileId }] }] }));
    await server.api.put(`/email-profiles/${profileId}/deployment`, { groupIds: [] }).expect(200);
    const next = (await fetchPolicy(d)).policy!;
    expect(next.mdmlab).toBeUndefined();
    await sendReport(d, reportOn(d, next.version, { apps: [{ packageName: MDMLAB_DPC_PACKAGE, states: [{ state: 'created', accountId: profileId }] }] }));
    expect((await state(d)).profiles[0].state).toBe('installed');
    await sendReport(d, reportOn(d, next.version, { apps: [{ packageName: MDMLAB_DPC_PACKAGE, states: [{ state: 'removed', accountId: profileId }] }] }));
    expect((await state(d)).profiles[0].state).toBe('removed');
  });
});

describe('reports the server refuses, storing nothing', () => {
  let d: AndroidDevice;
  let version: string;
  beforeAll(async () => {
    ({ d, version } = await deployed('afwGmail', 'refused@contoso.com'));
  });

  it('a version from the future, unknown fields, wrong types, another device\'s name, another management mode, no name', async () => {
    const good = reportOn(d, version, { apps: [{ packageName: GMAIL_PACKAGE, states: [{ state: 'created' }] }] });
    const json = JSON.parse(encodeDeviceReport(good)) as Record<string, unknown>;
    const before = storeSnapshot(server);
    const cases: [string, number, string, string][] = [
      [encodeDeviceReport({ ...good, appliedPolicyVersion: String(Number(version) + 1) }), 400, 'futurePolicyVersion', 'appliedPolicyVersion'],
      [encodeDeviceReport({ ...good, appliedPolicyVersion: '9223372036854775807' }), 400, 'futurePolicyVersion', 'appliedPolicyVersion'],
      [JSON.stringify({ ...json, batteryLevel: 80 }), 400, 'unknownField', 'batteryLevel'],
      [JSON.stringify({ ...json, applicationReports: [{ packageName: GMAIL_PACKAGE, keyedAppStates: [{ key: 'exchangeAccount', severity: 'INFO', colour: 'x' }] }] }), 400, 'unknownField', 'applicationReports[0].keyedAppStates[0].colour'],
      [JSON.stringify({ ...json, appliedPolicyVersion: 2 }), 400, 'wrongType', 'appliedPolicyVersion'],
      [JSON.stringify({ ...json, nonComplianceDetails: [{ settingName: 'applications', nonComplianceReason: 'SOMETHING' }] }), 400, 'invalidValue', 'nonComplianceDetails[0].nonComplianceReason'],
      [encodeDeviceReport({ ...good, name: d.deviceName.replace(/[^/]+$/, 'dev_someone_else') }), 403, 'wrongDevice', 'name'],
      [encodeDeviceReport({ ...good, managementMode: 'DEVICE_OWNER' }), 400, 'wrongManagementMode', 'managementMode'],
      [JSON.stringify({ ...json, name: undefined }), 400, 'missingField', 'name'],
      ['{"managementMode":', 400, 'malformedJson', ''],
    ];
    for (const [body, status, reason, field] of cases) {
      const res = await sendReport(d, body);
      expect(res.status, reason).toBe(status);
      expect(res.error, body.slice(0, 80)).toMatchObject({ reason, ...(field ? { field } : {}) });
    }
    const huge = await sendReport(d, JSON.stringify({ ...json, softwareInfo: { androidVersion: 'x'.repeat(300 * 1024) } }));
    expect(huge.status).toBe(413);
    expect(storeSnapshot(server)).toBe(before);
    // The server kept serving, and the device's honest report still counts.
    expect((await sendReport(d, good)).status).toBe(204);
    expect((await state(d)).profiles[0].state).toBe('installed');
  });
});

describe('pending work outside the command queue', () => {
  it('shows in GET /devices/{id} and the status overview until the device reports its current version', async () => {
    const { d } = await deployed('afwGmail', 'pending@contoso.com');
    expect((await state(d)).pendingCommands).toBe(1);
    expect((await server.api.get(`/devices/${d.deviceId}/commands`).expect(200)).body).toEqual({ queued: [], history: [] });
    const overview = (await server.api.get('/status').expect(200)).body;
    expect(overview.pendingCommands).toBeGreaterThanOrEqual(1);
    const { policy } = await fetchPolicy(d);
    await sendReport(d, reportOn(d, policy!.version));
    expect((await state(d)).pendingCommands).toBe(0);
  });
});

describe('leaving management', () => {
  it('is a report with appliedState DELETED: the device is unenrolled, what it held is removed, it is pushed no more and its identity speaks no more', async () => {
    const { d, profileId, version } = await deployed('afwGmail', 'leave@contoso.com');
    const push = await pushListener(server);
    await sendReport(d, reportOn(d, version, { apps: [{ packageName: GMAIL_PACKAGE, states: [{ state: 'created' }] }], extra: { mdmlab: { pushToken: push.token } } }));
    expect((await server.api.post(`/devices/${d.deviceId}/push`).expect(200)).body).toEqual({ result: 'delivered' });
    expect((await sendReport(d, reportOn(d, version, { extra: { appliedState: 'DELETED', state: 'DELETED' } }))).status).toBe(204);
    expect(await state(d)).toMatchObject({ status: 'unenrolled', pendingCommands: 0, profiles: [{ profileId, state: 'removed' }], android: { unregisteredAt: expect.any(String) } });
    expect((await server.api.post(`/devices/${d.deviceId}/push`).expect(200)).body).toEqual({ result: 'noToken' });
    const after = await sendReport(d, reportOn(d, version));
    expect(after.status).toBe(403);
    expect(after.error?.reason).toBe('deviceNotEnrolled');
    await push.close();
  });
});
