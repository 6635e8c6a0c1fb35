import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IosDevice } from '../../../agents/ios/ios-device.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * Issue 7, item 11, in one process: a wake-up held for an offline device lived only in the
 * gateway's memory, so after a restart the device came back to a server that had work queued for
 * it and never told it. Now the server wakes, at start, every enrolled device with queued work,
 * and the gateway holds the wake-up until the device reconnects.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-wake-'));
const devices: IosDevice[] = [];
afterAll(async () => {
  await Promise.allSettled(devices.map((d) => d.stop()));
  rmSync(dataDir, { recursive: true, force: true });
});

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

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > until) throw new Error(`not reached in time; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const profileStates = async (server: TestServer, udid: string) => {
  const list = (await server.api.get('/devices').expect(200)).body as { id: string; hardwareId: string }[];
  const id = list.find((d) => d.hardwareId === udid)!.id;
  return ((await server.api.get(`/devices/${id}`).expect(200)).body as { profiles: { state: string }[] }).profiles.map((p) => p.state);
};

describe('wake-ups after a restart', () => {
  it('a device offline across a restart is woken when it comes back, with no admin push', async () => {
    const port = await freePort();
    const first = await startTestServer({ dataDir, port });
    const user = (await first.api.post('/users', { upn: 'away@contoso.com' }).expect(201)).body as { id: string };
    const group = (await first.api.post('/groups', { name: 'away' }).expect(201)).body as { id: string };
    await first.api.post(`/groups/${group.id}/members`, { users: [user.id] }).expect(200);
    const enrollUrl = ((await first.api.post('/enrollment-tokens', { userId: user.id }).expect(201)).body as { enrollUrl: string }).enrollUrl;
    const device = await IosDevice.create({ periodicCheckInMs: 0, allowHttp: true, seed: `wake-${Date.now()}` });
    devices.push(device);
    await device.enroll(enrollUrl);
    await device.setOnline(false);

    const profile = (await first.api.post('/email-profiles', { platform: 'ios', name: 'Corp mail', host: 'mail.contoso.com', accountName: 'Corp mail' }).expect(201)).body as { id: string };
    await first.api.put(`/email-profiles/${profile.id}/deployment`, { groupIds: [group.id] }).expect(200);
    expect(first.push.stats().held).toBe(1); // the wake-up waits in memory…
    await first.stop({ keepData: true }); // …and is gone with the process

    const second = await startTestServer({ dataDir, port });
    try {
      expect(await second.startupWake.done).toBe(1);
      expect(second.push.stats().held).toBe(1);
      await device.setOnline(true);
      await eventually(() => profileStates(second, device.udid), (s) => s.length === 1 && s[0] === 'installed');
      expect(device.installedProfiles().map((p) => p.identifier)).toContain(`com.mdmlab.email.${profile.id}`);
      expect(second.push.stats()).toMatchObject({ held: 0, delivered: 1, connected: 1 });
    } finally {
      await second.stop({ keepData: true });
    }
  });
});
