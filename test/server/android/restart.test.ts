import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, fetchPolicy, pushListener, registerDevice, reportOn, sendReport } from '../../helpers/android-wire.js';
import { startTestServer } from '../../helpers/server.js';

/**
 * A policy version a device has not applied is pending work outside the command queue: the start-up
 * wake wakes such devices too (the wake-ups held before a restart died with the process), and the
 * channel's state — identity, versions, push token — lives in the database.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-android-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('an Android device across a server restart', () => {
  it('is woken at start when its policy changed while it was offline, and its identity still speaks for it', async () => {
    const port = await freePort();
    const first = await startTestServer({ dataDir, port });
    const userId = (await first.api.post('/users', { upn: 'away@contoso.com' }).expect(201)).body.id;
    const groupId = (await first.api.post('/groups', { name: 'away' }).expect(201)).body.id;
    await first.api.post(`/groups/${groupId}/members`, { users: [userId] }).expect(200);
    const d = await registerDevice(first, 'away@contoso.com', 'androidForWork');
    const listener = await pushListener(first);
    const v1 = await fetchPolicy(d);
    await sendReport(d, reportOn(d, v1.policy!.version, { extra: { mdmlab: { pushToken: listener.token } } }));
    await listener.close();
    const p = (await first.api.post('/email-profiles', { platform: 'afwNineWork', name: 'Nine', host: 'mail.contoso.com', accountName: 'Corp' }).expect(201)).body;
    await first.api.put(`/email-profiles/${p.id}/deployment`, { groupIds: [groupId] }).expect(200);
    expect((await first.api.get(`/devices/${d.deviceId}`).expect(200)).body.pendingCommands).toBe(1);
    await first.stop({ keepData: true });

    const second = await startTestServer({ dataDir, port });
    try {
      expect(await second.startupWake.done).toBe(1);
      // The wake-up is held for the offline device and delivered when it reconnects with its token.
      const back = await pushListener(second, listener.token);
      expect(await back.next()).toMatchObject({ payload: { event: 'policyChanged' } });
      const v2 = await fetchPolicy(d, v1.etag);
      expect(v2.res.status).toBe(200);
      expect(v2.policy!.version).toBe('2');
      await sendReport(d, reportOn(d, '2', { apps: [{ packageName: 'com.ninefolders.hd3.work', states: [{ state: 'created' }] }] }));
      expect(await eventually(async () => (await second.api.get(`/devices/${d.deviceId}`).expect(200)).body, (v) => v.pendingCommands === 0)).toMatchObject({ profiles: [{ state: 'installed' }] });
      await back.close();
    } finally {
      await second.stop({ keepData: true });
    }
  });
});
