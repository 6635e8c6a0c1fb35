import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KeyPool } from '../../../agents/identity/key-pool.js';
import { IosDevice } from '../../../agents/ios/ios-device.js';
import { HttpClient } from '../../../agents/transport/http.js';
import { exitCode, spawnCli, waitForLog } from '../../helpers/cli.js';

/**
 * Issue 7, item 11: `kill -9` at any moment of a rollout, and every device converges without help.
 * The server runs as `mdmlab serve` in a child process on a fixed data folder and port; 24 simulated
 * iOS devices run here, with their periodic check-in off (only pushes and their own retries bring
 * them to the server). The server is killed with SIGKILL:
 *   1. right after a deployment was answered, with a third of the devices offline (their wake-ups
 *      are held) and the others in the middle of fetching the profile;
 *   2. just after the restart, while devices reconnect, the offline ones come back, and the
 *      start-up wake is under way;
 *   3. right after an edit of the profile (a new version on its way to every device).
 * After the last restart of each rollout every device must hold the profile, as the server and the
 * device both say, with nobody pushing by hand; only then does the test push each device itself, to
 * see that every push connection came back. Before the fix the offline devices' wake-ups died with the process
 * and devices whose exchange was cut gave up until the 4-hour timer.
 */
const COUNT = 24;
const OFFLINE = 8;
const TOKEN = 'restart-token';
const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-kill-'));
const http = new HttpClient({ timeoutMs: 5000 });
// Its own pool over the same key folder: the process-wide pool other test files draw from (files
// share a worker process) is left as full as it was.
const keyPool = new KeyPool();
const devices: IosDevice[] = [];
let child: ChildProcessWithoutNullStreams | undefined;

afterAll(async () => {
  await Promise.allSettled(devices.map((d) => d.stop()));
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
    await exitCode(child);
  }
  http.destroy();
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

async function start(port: number): Promise<void> {
  child = spawnCli(['serve', '--port', String(port), '--host', '127.0.0.1', '--data', dataDir, '--log-level', 'info'], { MDMLAB_ADMIN_TOKEN: TOKEN });
  child.stdout.resume();
  await waitForLog(child, 'mdmlab listening', 45_000);
}

async function kill(): Promise<void> {
  const c = child!;
  c.kill('SIGKILL');
  expect(await exitCode(c)).toBeNull(); // killed by the signal, not exited
}

function adminApi(base: string) {
  return async <T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, body?: unknown): Promise<T> => {
    const res = await http.request({
      method,
      url: `${base}/api/v1${path}`,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = res.body.toString('utf8');
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

interface Overview {
  profiles: { profileId: string; version: number; counts: Record<string, number> }[];
  pendingCommands: number;
}

/** Waits until the server counts every device installed at the profile's current version and the devices hold it too. */
async function converged(api: ReturnType<typeof adminApi>, profileId: string, accountName: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const status = await api<Overview>('GET', '/status');
      const p = status.profiles.find((x) => x.profileId === profileId)!;
      const onDevices = await Promise.all(devices.map(async (d) => (await d.mailAccounts()).some((a) => a.managed && a.settings.accountName === accountName)));
      last = `server: ${JSON.stringify(p.counts)}, pending ${status.pendingCommands}; devices holding it: ${onDevices.filter(Boolean).length}/${COUNT}`;
      if (p.counts.installed === COUNT && status.pendingCommands === 0 && onDevices.every(Boolean)) return;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > until) throw new Error(`no convergence within ${timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('kill -9 during a rollout', () => {
  it('every device converges after each restart, with no admin push', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const api = adminApi(base);
    await start(port);
    const user = await api<{ id: string }>('POST', '/users', { upn: 'fleet@contoso.com' });
    const group = await api<{ id: string }>('POST', '/groups', { name: 'fleet' });
    await api('POST', `/groups/${group.id}/members`, { users: [user.id] });
    const { enrollUrl } = await api<{ enrollUrl: string }>('POST', '/enrollment-tokens', { userId: user.id, reusable: true });
    for (let i = 0; i < COUNT; i++) {
      // Retries paced for a test (a restart here takes ~2 s); the defaults pace a real fleet.
      const retry = { initialMs: 200, maxMs: 2000 };
      devices.push(await IosDevice.create({ id: `d${i}`, seed: `kill-${i}-${Date.now()}`, periodicCheckInMs: 0, allowHttp: true, http, keyPool, retry }));
    }
    for (let i = 0; i < COUNT; i += 6) await Promise.all(devices.slice(i, i + 6).map((d) => d.enroll(enrollUrl)));
    await Promise.all(devices.map((d) => d.whenIdle(10_000)));

    // Moment 1: a deployment answered; a third of the fleet offline, the rest fetching the profile.
    await Promise.all(devices.slice(0, OFFLINE).map((d) => d.setOnline(false)));
    const profile = await api<{ id: string }>('POST', '/email-profiles', { platform: 'ios', name: 'Corp mail', host: 'mail.contoso.com', accountName: 'Corp mail' });
    await api('PUT', `/email-profiles/${profile.id}/deployment`, { groupIds: [group.id] });
    await kill();
    await start(port);

    // Moment 2: just after the restart, as devices reconnect and the offline ones come back.
    await Promise.all(devices.slice(0, OFFLINE).map((d) => d.setOnline(true)));
    await new Promise((r) => setTimeout(r, 150));
    await kill();
    await start(port);
    await converged(api, profile.id, 'Corp mail', 20_000);

    // Moment 3: an edit (a new version for every device), killed as soon as it is answered.
    await api('PATCH', `/email-profiles/${profile.id}`, { accountName: 'Corp mail 2' });
    await kill();
    await start(port);
    await converged(api, profile.id, 'Corp mail 2', 20_000);

    // Every push connection comes back after the last restart (reconnecting with backoff): a
    // wake-up then reaches each device at once instead of being held.
    const listed = await api<{ id: string }[]>('GET', '/devices?status=enrolled');
    expect(listed).toHaveLength(COUNT);
    let waiting = listed.map((d) => d.id);
    for (const until = Date.now() + 20_000; waiting.length > 0 && Date.now() < until; ) {
      const results = await Promise.all(waiting.map(async (id) => ({ id, ...(await api<{ result: string }>('POST', `/devices/${id}/push`)) })));
      waiting = results.filter((r) => r.result !== 'delivered').map((r) => r.id);
      if (waiting.length) await new Promise((r) => setTimeout(r, 200));
    }
    expect(waiting).toEqual([]);
  }, 180_000); // ~20 s on an idle 2-core machine; a loaded one starts each server far slower
});
