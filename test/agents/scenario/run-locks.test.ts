import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../../../agents/admin/admin-client.js';
import { lockName, RunLocks } from '../../../agents/scenario/run-locks.js';
import type { SharedServerOptions } from '../../../agents/scenario/runner.js';
import type { Scenario } from '../../../agents/scenario/scenario-types.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { body, expectNothingLeft as nothingLeft, loadShipped, report, runShared } from './shared-server-fixture.js';

/**
 * Runs on one shared server take turns on the users and devices they share (run-locks.ts): the
 * lock of a dead run is taken over, the lock of a live one is not.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

const enrollFirst = loadShipped('ios-enroll-first.yaml');
const run = (scenario: Scenario, shared: SharedServerOptions = {}, notices: string[] = [], extra: Parameters<typeof runShared>[4] = {}) =>
  runShared(server, scenario, shared, notices, extra);
const expectNothingLeft = () => nothingLeft(server);

describe('locks runs take on what they share', () => {
  it('a lock left by a run that died is taken over once its heartbeat has stopped for staleMs', async () => {
    const dead = await server.api.post('/groups', { name: lockName('bob@contoso.com'), description: 'held by run dead01 ("killed") · heartbeat 7' });
    expect(dead.status).toBe(201);
    const notices: string[] = [];
    const started = Date.now();
    const r = await run(enrollFirst, {}, notices);
    expect(r.exitCode, report(r)).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(notices).toEqual([expect.stringContaining('waiting for run dead01 ("killed"), which uses bob@contoso.com')]);
    expect((await server.api.get(`/groups/${dead.body.id}`)).status).toBe(404);
    await expectNothingLeft();
  });
});

describe('a live run keeps its locks', () => {
  it('a run longer than staleMs is not taken over while its heartbeat goes on', async () => {
    // The long wait comes once the device holds the profile, so a run that stole the lock would
    // enroll the same (seeded) UDID in the middle of this one's story.
    const steps = [...enrollFirst.steps];
    steps.splice(4, 0, { path: 'steps[wait]', kind: 'wait', ms: 1800 });
    const slow: Scenario = { ...enrollFirst, steps };
    const locks = { heartbeatMs: 50, staleMs: 600, pollMs: 20 };
    const first = run(slow, { locks });
    await new Promise((r) => setTimeout(r, 100));
    const second = await run(enrollFirst, { locks });
    const a = await first;
    expect(a.exitCode, report(a)).toBe(0);
    expect(second.exitCode, report(second)).toBe(0);
    await expectNothingLeft();
  });
});


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const deadLock = async (key: string, tag: string) => {
  const res = await server.api.post('/groups', { name: lockName(key), description: `held by run ${tag} ("killed") · heartbeat 3` });
  expect(res.status).toBe(201);
  return res.body.id as string;
};

describe('locks of a run waiting for more locks, and of a run that died', () => {
  it('a run waiting for its second lock keeps its first one alive: nobody takes it over meanwhile', async () => {
    const admin = new AdminClient(server.url, server.adminToken);
    const timings = { heartbeatMs: 50, staleMs: 400, pollMs: 20 };
    const other = new RunLocks(admin, { tag: 'c00001', scenario: 'holds b' }, timings);
    await other.acquire(['k-b']);
    const a = new RunLocks(admin, { tag: 'a00001', scenario: 'wants a and b' }, timings);
    const aDone = a.acquire(['k-a', 'k-b']);
    await sleep(100);
    let bHasIt = false;
    const b = new RunLocks(admin, { tag: 'b00001', scenario: 'wants a' }, timings);
    const bDone = b.acquire(['k-a']).then(() => (bHasIt = true));
    // Three times staleMs: without a heartbeat on k-a while a waits for k-b, b would take k-a over.
    await sleep(1200);
    expect(bHasIt).toBe(false);
    await other.release();
    expect((await aDone).abandoned).toEqual([]);
    expect(await a.release()).toEqual([]);
    await bDone;
    expect(await b.release()).toEqual([]);
    await expectNothingLeft();
  });

  it('once one lock of a run has gone stale, its other locks are taken over at once, not after staleMs each', async () => {
    for (const key of ['k-1', 'k-2', 'k-3']) await deadLock(key, 'dead03');
    const locks = new RunLocks(new AdminClient(server.url, server.adminToken), { tag: 'e00001', scenario: 'next' }, { heartbeatMs: 50, staleMs: 1000, pollMs: 20 });
    const { waitedMs, abandoned } = await locks.acquire(['k-1', 'k-2', 'k-3']);
    expect(waitedMs).toBeGreaterThanOrEqual(1000);
    expect(waitedMs).toBeLessThan(1800);
    expect(abandoned).toEqual(['dead03']);
    const names = (await body<{ name: string; description: string }[]>(server, '/groups')).map((g) => [g.name, g.description]);
    expect(names).toEqual(['k-1', 'k-2', 'k-3'].map((k) => [lockName(k), expect.stringMatching(/^held by run e00001 \("next"\) · heartbeat \d+$/)]));
    await locks.release();
    await expectNothingLeft();
  });

  it('a run that takes over the locks of a killed run deletes what that run left, so the file passes again', async () => {
    // A run killed before cleaning up: its objects stay (as with --keep) and so do its locks, without heartbeat.
    const killed = await run(enrollFirst, { keep: true, tag: 'dead02' });
    expect(killed.exitCode, report(killed)).toBe(0);
    const hardwareId = killed.ids!.devices['bob-iphone']!.hardwareId;
    await deadLock('bob@contoso.com', 'dead02');
    await deadLock(`device ${hardwareId}`, 'dead02');
    await deadLock('carol@contoso.com', 'dead02');

    // Without the reaping, its profile (deployed to its group listing bob) reaches this run's
    // device first, and this run's own profile is blocked as a duplicate account.
    const r = await run(enrollFirst);
    expect(r.exitCode, report(r)).toBe(0);
    const notes = r.steps[0]!.notes ?? [];
    expect(notes).toContainEqual(
      'run dead02 was abandoned: deleted email profile "Corp mail · run dead02", group "all-staff · run dead02", ' + `lock "${lockName('carol@contoso.com')}"`,
    );
    // The killed run's device has this run's (seeded) hardware id: this run takes it over, it is not another's.
    expect(notes.join('\n')).not.toContain('not from this run');

    // The killed run's user stays (nothing tells it from a person's); this run reused it.
    const [bob] = await body<{ id: string }[]>(server, '/users?upn=bob%40contoso.com');
    expect(r.ids!.users['bob@contoso.com']).toBe(bob!.id);
    expect((await server.api.delete(`/users/${bob!.id}`)).status).toBe(204);
    await expectNothingLeft();
  });

  it('an interrupted run stops waiting for a lock, and ends at once with exit code 1', async () => {
    const admin = new AdminClient(server.url, server.adminToken);
    const live = new RunLocks(admin, { tag: 'f00001', scenario: 'live' }, { heartbeatMs: 50 });
    await live.acquire(['bob@contoso.com']);
    const controller = new AbortController();
    const notices: string[] = [];
    const started = Date.now();
    const running = run(enrollFirst, {}, notices, { signal: controller.signal });
    while (notices.length === 0) await sleep(20);
    controller.abort();
    const r = await running;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(r).toMatchObject({ exitCode: 1, ok: false, interrupted: true, message: 'interrupted during setup' });
    expect(r.steps).toEqual([expect.objectContaining({ path: 'setup', ok: false, error: 'interrupted' })]);
    await live.release();
    await expectNothingLeft();
  }, 10_000);
});
