import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../helpers/server.js';

/**
 * Devices, status overview and alerts. No platform enrolls devices in this suite, so it writes
 * what a platform would (device rows, reported states, alerts) through the store, then reads
 * them back through the API; the platform suites drive the same views through real protocols.
 */
let server: TestServer;
const t = '2026-01-01T00:00:00.000Z';
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('devices, status and alerts', () => {
  it('lists nothing before any platform enrolls a device', async () => {
    expect((await server.api.get('/devices').expect(200)).body).toEqual([]);
    expect((await server.api.get('/status').expect(200)).body).toEqual({ profiles: [], devices: { enrolled: 0, compliant: 0, nonCompliant: 0 }, activeAlerts: 0, pendingCommands: 0 });
    expect((await server.api.get('/alerts').expect(200)).body).toEqual([]);
  });

  it('counts profile states per profile, derives compliance, and shows alerts by filter', async () => {
    const user = (await server.api.post('/users', { upn: 'gina@contoso.com' }).expect(201)).body;
    const p = (await server.api.post('/email-profiles', { platform: 'ios', name: 'corp', host: 'mail.contoso.com', accountName: 'Corp' }).expect(201)).body;
    const { store } = server;
    for (const id of ['dev_a', 'dev_b', 'dev_c']) {
      await store.devices.insert({ id, platform: 'ios', hardwareId: id, userId: user.id, status: 'enrolled', enrolledAt: t });
    }
    await store.profileStates.upsert({ deviceId: 'dev_a', profileId: p.id, state: 'installed', profileVersion: 1, updatedAt: t });
    await store.profileStates.upsert({ deviceId: 'dev_b', profileId: p.id, state: 'installed', profileVersion: 1, updatedAt: t });
    await store.profileStates.upsert({ deviceId: 'dev_c', profileId: p.id, state: 'blocked', detail: 'MCEASErrorDomain 21005', profileVersion: 1, updatedAt: t });
    await store.alerts.insert({ id: 'alr_1', kind: 'duplicateAccount', deviceId: 'dev_c', profileId: p.id, message: 'remove the manual account', details: { email: 'gina@contoso.com' }, createdAt: t });

    const status = (await server.api.get('/status').expect(200)).body;
    expect(status.profiles).toEqual([
      expect.objectContaining({ profileId: p.id, name: 'corp', platform: 'ios', counts: { pending: 0, installed: 2, blocked: 1, failed: 0, waitingForApp: 0, notApplicable: 0, removed: 0 } }),
    ]);
    expect(status.devices).toEqual({ enrolled: 3, compliant: 2, nonCompliant: 1 });
    expect(status.activeAlerts).toBe(1);

    const list = (await server.api.get(`/devices?userId=${user.id}&platform=ios`).expect(200)).body;
    expect(list.map((d: { id: string; compliance: string }) => [d.id, d.compliance])).toEqual([['dev_a', 'compliant'], ['dev_b', 'compliant'], ['dev_c', 'nonCompliant']]);
    const detail = (await server.api.get('/devices/dev_c').expect(200)).body;
    expect(detail).toMatchObject({ userUpn: 'gina@contoso.com', compliance: 'nonCompliant', profiles: [{ profileId: p.id, profileName: 'corp', state: 'blocked' }], alerts: [{ id: 'alr_1' }] });

    expect((await server.api.get('/alerts?deviceId=dev_c&kind=duplicateAccount').expect(200)).body).toHaveLength(1);
    expect((await server.api.get('/alerts?deviceId=dev_a').expect(200)).body).toEqual([]);
    await store.alerts.resolve({ deviceId: 'dev_c' }, t);
    expect((await server.api.get('/alerts').expect(200)).body).toEqual([]);
    expect((await server.api.get('/alerts?status=resolved').expect(200)).body).toHaveLength(1);
    expect((await server.api.get('/alerts?status=all').expect(200)).body).toHaveLength(1);
  });
});
