import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { exitCode, runCli, spawnCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const run = (args: string[]) => runCli(['fleet', ...args]);

/** A real server behind a fault proxy; the server puts the proxy's URL in what it gives devices. */
async function serverBehindProxy(decide: Parameters<typeof startFaultProxy>[0]): Promise<{ proxy: FaultProxy; server: TestServer }> {
  const proxy = await startFaultProxy(decide);
  const server = await startTestServer({ baseUrl: proxy.url });
  // server.url is the base URL, the proxy's: forward to where the server really listens.
  proxy.target = `http://127.0.0.1:${server.port}`;
  return { proxy, server };
}
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
/** A fleet process that a failing test must not leave running (a fleet that never exits is the bug). */
function spawnFleet(args: string[]): ChildProcessWithoutNullStreams {
  const child = spawnCli(['fleet', ...args]);
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

describe('mdmlab fleet', () => {
  it('enrolls N iOS devices, delivers the profile to each and prints a summary', async () => {
    const r = await run(['--platform', 'ios', '--count', '4', '--profile', '--until-installed', '--seed', 'fleet-test', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ reason: 'every device installed the profile', devices: 4, enrolled: 4, enrollFailed: 0, enrollAttempts: 4, enrollRetried: 0, commands: { 'InstallProfile Acknowledged': 4 } });
    expect(summary.enrollLatencyMs.count).toBe(4);
    expect(summary.profileLatencyMs.p50).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/enrolled \d+\/4/);
  });

  it.each(['windows10', 'windowsPhone81'])('enrolls N %s devices over MS-MDE2 and counts each confirmed profile, whatever the platform calls it', async (platform) => {
    const r = await run(['--platform', platform, '--count', '3', '--profile', '--until-installed', '--seed', 'fleet-windows', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ reason: 'every device installed the profile', devices: 3, enrolled: 3, enrollFailed: 0, outcomes: { installed: 3 }, disagreements: 0 });
    // The platform's own words: each account arrived in an Atomic the device answered 200.
    expect(summary.commands['Atomic 200']).toBe(3);
    expect(summary.profileLatencyMs.count).toBe(3);
  }, 90_000);

  it('stops after --duration with a human summary', async () => {
    const r = await run(['--count', '2', '--duration', '3s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('fleet stopped: duration reached');
    expect(r.stdout).toMatch(/devices\s+2\/2 enrolled, 0 failed \(2 attempts, 0 enrolled after a retry\)/);
  });

  it('exits when --duration ends a run that --until-installed was also watching', async () => {
    // --duration 0s ends the run before any device could install anything.
    const child = spawnFleet(['--count', '2', '--profile', '--until-installed', '--duration', '0s', '--json']);
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    expect(await exitCode(child)).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ reason: 'duration reached', enrollFailed: 0 });
  }, 90_000);

  it('paces more than ten enrollment lanes with --rate without a listener-leak warning', async () => {
    // Each lane waits for its turn on the run's stop signal: twelve lanes are twelve listeners, all
    // expected (Node warns of a "possible EventTarget memory leak" past ten).
    const child = spawnFleet(['--count', '12', '--workers', '1', '--concurrency', '12', '--rate', '2/s', '--seed', 'lanes']);
    let stderr = '';
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/enrolled [1-9]\d*\/12/.test(stderr)) resolve();
      }),
    );
    child.kill('SIGINT');
    expect(await exitCode(child)).toBe(0);
    expect(stderr).not.toContain('MaxListenersExceededWarning');
    expect(stderr).not.toMatch(/memory leak/i);
  }, 90_000);

  it('retries an enrollment that failed (the server answered 503) and counts the attempts', async () => {
    let refused = 0;
    const { proxy, server } = await serverBehindProxy((req) => (req.url?.startsWith('/mdm/enroll') && refused++ < 2 ? { status: 503 } : 'forward'));
    cleanups.push(() => proxy.close(), () => server.stop());
    const r = await run(['--server', proxy.url, '--token', server.adminToken, '--count', '2', '--profile', '--until-installed', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ reason: 'every device installed the profile', enrolled: 2, enrollFailed: 0, enrollAttempts: 4, commands: { 'InstallProfile Acknowledged': 2 } });
    expect(summary.enrollRetried).toBeGreaterThanOrEqual(1);
    expect(proxy.seen.filter((l) => l.startsWith('GET /mdm/enroll'))).toHaveLength(4);
    // The failed attempts are in the summary's errors, without the enrollment tokens of their URLs.
    expect(Object.keys(summary.errors).join('\n')).toMatch(/answered N/);
    expect(Object.keys(summary.errors).join('\n')).not.toMatch(/token=[\w-]{8}/);
  }, 90_000);

  it('gives up on a device after --enroll-attempts and exits 1', async () => {
    const { proxy, server } = await serverBehindProxy((req) => (req.url?.startsWith('/mdm/enroll') ? { status: 503 } : 'forward'));
    cleanups.push(() => proxy.close(), () => server.stop());
    // --until-installed ends the run once every device installed the profile or gave up.
    const r = await run(['--server', proxy.url, '--token', server.adminToken, '--count', '1', '--profile', '--until-installed', '--enroll-attempts', '2', '--json']);
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ enrolled: 0, enrollFailed: 1, enrollAttempts: 2 });
  }, 90_000);

  it('a wrong admin token is one clear line and exit 2, before anything is created', async () => {
    // Earlier versions found out in the setup and exited 1 with a summary; issue 10 ("Bad input")
    // makes a wrong token a fleet that cannot run: exit 2 and one line.
    const server = await startTestServer();
    cleanups.push(() => server.stop());
    const child = spawnFleet(['--server', server.url, '--token', 'wrong', '--count', '1', '--json']);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await exitCode(child)).toBe(2);
    expect(stderr).toMatch(/^mdmlab fleet: the server refused the admin token \(401 unauthorized\): check --token or MDMLAB_ADMIN_TOKEN\n$/);
    expect((await server.api.get('/users')).body).toEqual([]);
  }, 90_000);

  it('a setup that fails on the way (the server answers 500) ends the run with exit 1 instead of waiting forever', async () => {
    const { proxy, server } = await serverBehindProxy((req) => (req.method === 'POST' && req.url === '/api/v1/groups' ? { status: 500 } : 'forward'));
    cleanups.push(() => proxy.close(), () => server.stop());
    const child = spawnFleet(['--server', proxy.url, '--token', server.adminToken, '--count', '1', '--json']);
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    expect(await exitCode(child)).toBe(1);
    expect(JSON.parse(stdout).reason).toMatch(/^setup failed: POST \/groups answered 500/);
  }, 90_000);

  it('a SIGTERM while the fleet is stopping (the run ended, a request still hangs) ends it at once with 143', async () => {
    // The server never answers the group creation: the run's setup hangs in it.
    const { proxy, server } = await serverBehindProxy((req) => (req.method === 'POST' && req.url === '/api/v1/groups' ? 'hold' : 'forward'));
    cleanups.push(() => proxy.close(), () => server.stop());
    const child = spawnFleet(['--server', proxy.url, '--token', server.adminToken, '--count', '1', '--duration', '0s']);
    // --duration 0s has ended the run long before its setup reached the group (users first).
    await proxy.whenHeld((l) => l === 'POST /api/v1/groups');
    child.kill('SIGTERM');
    // Before: the signal was swallowed and the fleet waited for the held request to time out.
    expect(await exitCode(child)).toBe(143);
  }, 90_000);

  it('refuses bad options with exit code 2', async () => {
    expect((await run(['--platform', 'blackberry', '--count', '2'])).code).toBe(2);
    expect((await run(['--count', 'many'])).code).toBe(2);
    expect((await run(['--until-installed'])).code).toBe(2);
    expect((await run(['--enroll-attempts', '0'])).code).toBe(2);
  }, 90_000);
});
