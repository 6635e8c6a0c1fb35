import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient } from '../../../agents/admin/admin-client.js';
import { buildFleetSection } from '../../../agents/fleet/fleet-report.js';
import { FleetRun, type FleetRunOptions } from '../../../agents/fleet/fleet-run.js';
import { perPlatformProfiles, FLEET_MAIL_HOST } from '../../../agents/fleet/fleet-profiles.js';
import { parseMix } from '../../../agents/fleet/mix.js';
import { readServerView } from '../../../agents/fleet/server-check.js';
import { startFaultProxy } from '../../helpers/fault-proxy.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * A fleet against a real server over real HTTP, through the public pieces the CLI uses: the plan,
 * the setup, shares on the main thread and in worker threads, convergence, the server's view and
 * the report section.
 */

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const base = (server: { url: string; adminToken: string }): Omit<FleetRunOptions, 'seed' | 'count'> => ({
  target: { kind: 'mdmlab', serverUrl: server.url, adminToken: server.adminToken },
  mix: parseMix('ios=1'),
  manualFirst: 0.5,
  reactDelayMs: [50, 300],
  appDelayMs: [50, 300],
  profiles: perPlatformProfiles(['ios']),
  concurrency: 8,
  enrollAttempts: 3,
  checkInMs: 0,
});

async function untilConverged(run: FleetRun): Promise<void> {
  while (!(await run.converged())) await new Promise((r) => setTimeout(r, 100));
}

async function playToTheEnd(server: TestServer, run: FleetRun) {
  await run.start();
  await untilConverged(run);
  const finals = await run.stop();
  const admin = new AdminClient(server.url, server.adminToken);
  const serverView = await readServerView(admin, finals.flatMap((f) => f.devices), (p) => run.setup!.profileByPlatform.get(p));
  return { finals, section: buildFleetSection({ runId: run.runId, server: { url: server.url, kind: 'mdmlab', embedded: false }, shard: run.shard, finals, serverView, peakRssMb: 0, expectations: [] }) };
}

describe('a fleet run', () => {
  it('plays the iOS rule: users who set up mail first are blocked, remove the account, then get the profile', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.stop());
    const run = new FleetRun({ ...base(server), seed: 'fleet-run ios', count: 6, workers: 0 });
    const { section } = await playToTheEnd(server, run);
    const ios = section.platforms[0]!;
    expect(ios).toMatchObject({ platform: 'ios', planned: 6, enrolled: 6, enrollFailed: 0, manualFirst: 3, reactions: { removedAccount: 3, installedApp: 0 } });
    expect(ios.outcomes).toMatchObject({ installed: 6, blocked: 0, failed: 0, pending: 0 });
    expect(ios.commands).toMatchObject({ 'InstallProfile Error': 3, 'InstallProfile Acknowledged': 6 });
    expect(section.alerts).toMatchObject({ available: true, byKind: { duplicateAccount: 3 } });
    expect(section.disagreements).toEqual([]);
    expect(ios.latency.enroll.count).toBe(6);
    expect(ios.latency.converge.count).toBe(6);
    // The timeline saw the three blocks and six arrivals.
    const sum = (k: string) => (section.timeline.series[k] ?? []).reduce((a, b) => a + b, 0);
    expect([sum('ios.enrolled'), sum('ios.converged'), sum('ios.blocked')]).toEqual([6, 6, 3]);
    // The slowest devices are the ones whose users had to react.
    expect(section.slowest.slice(0, 3).every((d) => d.manualFirst)).toBe(true);
  }, 120_000);

  it('spreads the devices over worker threads and adds up what each counted', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.stop());
    const run = new FleetRun({ ...base(server), seed: 'fleet-run threads', count: 8, workers: 2 });
    const { finals, section } = await playToTheEnd(server, run);
    expect(finals).toHaveLength(2);
    expect(finals.map((f) => f.devices.length)).toEqual([4, 4]);
    expect(section.total).toMatchObject({ planned: 8, enrolled: 8, manualFirst: 4, outcomes: { installed: 8 } });
    const hardwareIds = finals.flatMap((f) => f.devices.map((d) => d.hardwareId));
    expect(new Set(hardwareIds).size).toBe(8);
  }, 120_000); // worker threads started from TypeScript sources compile them first: slow on a loaded machine

  it('runs against a server known only through its device protocols (foreign mode): no admin API, outcomes from the devices', async () => {
    // The operator (this test) sets the server up with its own admin API; the fleet gets only an
    // enrollment URL, and reaches the server through a proxy that shows what it asked for.
    const proxy = await startFaultProxy(() => 'forward');
    const server = await startTestServer({ baseUrl: proxy.url });
    proxy.target = `http://127.0.0.1:${server.port}`;
    cleanups.push(() => proxy.close(), () => server.stop());
    const user = (await server.api.post('/users', { upn: 'operator-user@contoso.com' })).body as { id: string };
    const group = (await server.api.post('/groups', { name: 'foreign fleet' })).body as { id: string };
    await server.api.post(`/groups/${group.id}/members`, { users: [user.id] });
    const profile = (await server.api.post('/email-profiles', { platform: 'ios', name: 'Corp mail', host: FLEET_MAIL_HOST, accountName: 'Corp mail' })).body as { id: string };
    await server.api.put(`/email-profiles/${profile.id}/deployment`, { groupIds: [group.id] });
    const ticket = (await server.api.post('/enrollment-tokens', { userId: user.id, platform: 'ios', reusable: true })).body as { enrollUrl: string };
    const operatorRequests = proxy.seen.length; // the test's admin calls go through the proxy too (the base URL)

    const run = new FleetRun({
      ...base(server),
      target: { kind: 'foreign', serverUrl: proxy.url, ticket: { enrollUrl: ticket.enrollUrl } },
      profiles: [],
      foreignAccount: { email: 'operator-user@contoso.com', host: FLEET_MAIL_HOST },
      seed: 'fleet-run foreign',
      count: 4,
      workers: 0,
    });
    await run.start();
    await untilConverged(run);
    const finals = await run.stop();
    const section = buildFleetSection({ runId: run.runId, server: { url: proxy.url, kind: 'foreign', embedded: false }, shard: run.shard, finals, peakRssMb: 0, expectations: [] });
    expect(section.total).toMatchObject({ enrolled: 4, manualFirst: 2, reactions: { removedAccount: 2 }, outcomes: { installed: 4 } });
    expect(section.alerts.available).toBe(false);
    const fleetRequests = proxy.seen.slice(operatorRequests);
    expect(fleetRequests.filter((l) => l.includes('/api/'))).toEqual([]);
    expect(fleetRequests.filter((l) => l.startsWith('GET /mdm/enroll'))).toHaveLength(4);
  }, 120_000);
});
