import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exitCode, runCli, spawnCli } from '../helpers/cli.js';
import { startTestServer } from '../helpers/server.js';

/**
 * `mdmlab fleet --report`, `--expect`, `--shard`, Ctrl-C, `--foreign`, and `mdmlab report [merge]`,
 * as a user runs them: the CLI in its own process against a real server.
 */

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mdmlab-report-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('fleet reports', () => {
  it('--report writes report.json and a self-contained report.html; --expect decides the exit code', async () => {
    const dir = tempDir();
    const args = ['fleet', '--count', '4', '--workers', '2', '--profile', '--manual-first', '50%', '--react-after', '100ms..400ms', '--until-converged', '--seed', 'report-cli', '--report', dir, '--json'];
    const met = await runCli([...args, '--expect', 'installed>=100%', '--expect', 'ios:blocked==0', '--expect', 'enroll.p99<=10m']);
    expect(met.code, met.stderr).toBe(0);
    const summary = JSON.parse(met.stdout);
    expect(summary).toMatchObject({ reason: 'every device installed the profile', exitCode: 0, seed: 'report-cli', platforms: { ios: { devices: 4, manualFirst: 2, outcomes: { installed: 4 }, reactions: { removedAccount: 2 } } }, alerts: { duplicateAccount: 2 } });
    expect(summary.expectations.map((e: { ok: boolean }) => e.ok)).toEqual([true, true, true]);

    const report = readJson(join(dir, 'report.json'));
    expect(report).toMatchObject({ schema: 'mdmlab-report', version: 1, kind: 'fleet', title: 'mdmlab fleet: 4 devices (ios 100 %)', run: { exitCode: 0, interrupted: false, seed: 'report-cli', parameters: { count: 4, mix: { ios: 100 }, workers: 2 } } });
    expect(report.fleet.platforms[0].latency.enroll).toMatchObject({ unit: 'ms', count: 4, hdr: expect.any(String) });
    // What the simulator cost (bench:fleet reads these): its CPU, and the setup before enrolling.
    expect(report.fleet.cpu.userS).toBeGreaterThan(0);
    expect(report.fleet.setupMs).toBeGreaterThan(0);
    expect(summary).toMatchObject({ cpu: report.fleet.cpu, setupMs: report.fleet.setupMs });
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    // Self-contained: uPlot inlined, nothing fetched from elsewhere.
    expect(html).toContain('uPlot');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import/);
    expect(html).toContain('Outcome per platform');
    expect(html).toContain('duplicateAccount');
    expect(html).toContain('simulator CPU');

    // The same fleet held to a stricter expectation: not met, exit 1 (and the report says so).
    const notMet = await runCli(['fleet', '--count', '2', '--profile', '--until-converged', '--seed', 'report-cli-2', '--expect', 'blocked>=1', '--json']);
    expect(notMet.code, notMet.stderr).toBe(1);
    expect(JSON.parse(notMet.stdout).expectations).toEqual([{ text: 'blocked>=1', ok: false, actual: '0' }]);

    // mdmlab report re-renders the page from report.json alone.
    const again = join(dir, 'again');
    const rendered = await runCli(['report', join(dir, 'report.json'), '--out', again]);
    expect(rendered.code, rendered.stderr).toBe(0);
    expect(readFileSync(join(again, 'report.html'), 'utf8')).toBe(html);
  }, 180_000);

  it('shards of one seed against one server, joined by mdmlab report merge', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.stop());
    const [a, b, out] = [tempDir(), tempDir(), tempDir()];
    const shard = (k: string, dir: string) =>
      runCli(['fleet', '--server', server.url, '--token', server.adminToken, '--count', '5', '--shard', k, '--seed', 'sharded', '--profile', '--until-converged', '--report', dir, '--expect', 'installed>=100%']);
    const [ra, rb] = await Promise.all([shard('1/2', a), shard('2/2', b)]);
    expect([ra.code, rb.code], ra.stderr + rb.stderr).toEqual([0, 0]);
    const merged = await runCli(['report', 'merge', a, join(b, 'report.json'), '--out', out]);
    expect(merged.code, merged.stderr).toBe(0);
    const report = readJson(join(out, 'report.json'));
    expect(report.fleet).toMatchObject({ planned: 5, shards: [{ index: 1, of: 2, devices: 2 }, { index: 2, of: 2, devices: 3 }], total: { enrolled: 5, outcomes: { installed: 5 } } });
    expect(report.fleet.total.latency.enroll.count).toBe(5);
    const shardCpu = [readJson(join(a, 'report.json')), readJson(join(b, 'report.json'))].map((r) => r.fleet.cpu.userS as number);
    expect(report.fleet.cpu.userS).toBeCloseTo(shardCpu[0]! + shardCpu[1]!, 1);
    expect(report.fleet.expectations).toEqual([{ text: 'installed>=100%', ok: true, actual: '100% (5 of 5)' }]);
    expect(report.run).toMatchObject({ exitCode: 0, parameters: { shards: '1/2, 2/2' } });
    // The shards shared one group and one profile on the server, and made five users.
    const groups = (await server.api.get('/groups')).body as { name: string }[];
    expect(groups.map((g) => g.name)).toEqual([`fleet-${report.fleet.runId} ios`]);
    expect(((await server.api.get('/users')).body as unknown[]).length).toBe(5);

    // Joining a shard with itself, or reports of two fleets, is refused in one line.
    const twice = await runCli(['report', 'merge', a, a, '--out', out]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toBe('mdmlab report: shard 1/2 is given twice\n');
    writeFileSync(join(out, 'broken.json'), '{"schema":"something else"}');
    const broken = await runCli(['report', join(out, 'broken.json')]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^mdmlab report: .*broken.json is not an mdmlab report/);
  }, 180_000);

  it('Ctrl-C writes the report so far and says it was interrupted', async () => {
    const dir = tempDir();
    const child = spawnCli(['fleet', '--count', '3', '--profile', '--report', dir]);
    cleanups.push(() => void (child.exitCode === null && child.kill('SIGKILL')));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const enrolled = new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/enrolled 3\/3/.test(stderr)) resolve();
      }),
    );
    await enrolled;
    child.kill('SIGINT');
    expect(await exitCode(child)).toBe(0);
    expect(stderr).toContain('SIGINT: stopping the fleet and writing what happened so far');
    expect(stdout).toMatch(/^fleet stopped: interrupted after/);
    const report = readJson(join(dir, 'report.json'));
    expect(report.run).toMatchObject({ interrupted: true, endReason: 'interrupted' });
    expect(report.fleet.total.enrolled).toBe(3);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('This run was interrupted');
  }, 120_000);

  it('--foreign: devices enroll from an enrollment URL or profile file, the operator deploys, no admin API', async () => {
    // The operator's side (this test) on a server the fleet only knows through its device protocols.
    const server = await startTestServer();
    cleanups.push(() => server.stop());
    const user = (await server.api.post('/users', { upn: 'op@contoso.com' })).body as { id: string };
    const group = (await server.api.post('/groups', { name: 'ops' })).body as { id: string };
    await server.api.post(`/groups/${group.id}/members`, { users: [user.id] });
    const profile = (await server.api.post('/email-profiles', { platform: 'ios', name: 'Corp', host: 'mail.corp.example', accountName: 'Corp' })).body as { id: string };
    await server.api.put(`/email-profiles/${profile.id}/deployment`, { groupIds: [group.id] });
    const { enrollUrl } = (await server.api.post('/enrollment-tokens', { userId: user.id, platform: 'ios', reusable: true })).body as { enrollUrl: string };

    const r = await runCli(['fleet', '--foreign', '--enroll-url', enrollUrl, '--count', '2', '--manual-first', '50%', '--mail-address', 'op@contoso.com', '--mail-host', 'mail.corp.example', '--react-after', '100ms', '--until-converged', '--seed', 'foreign-cli', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ enrolled: 2, outcomes: { installed: 2 }, platforms: { ios: { manualFirst: 1, reactions: { removedAccount: 1 } } } });

    // An enrollment profile saved as a file (--enroll-profile): the fleet serves it to its devices.
    // mdmlab puts a one-time SCEP challenge in each profile it hands out, so one device here.
    const saved = join(tempDir(), 'enroll.mobileconfig');
    const { enrollUrl: once } = (await server.api.post('/enrollment-tokens', { userId: user.id, platform: 'ios' })).body as { enrollUrl: string };
    writeFileSync(saved, Buffer.from(await (await fetch(once)).arrayBuffer()));
    const fromFile = await runCli(['fleet', '--foreign', '--enroll-profile', saved, '--server', server.url, '--count', '1', '--until-converged', '--json']);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({ enrolled: 1, outcomes: { installed: 1 } });
  }, 180_000);

  it('--foreign windows10: devices enroll from the discovery URL with a user name and password; the report never holds the password', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.stop());
    const user = (await server.api.post('/users', { upn: 'win-op@contoso.com' })).body as { id: string };
    const group = (await server.api.post('/groups', { name: 'windows ops' })).body as { id: string };
    await server.api.post(`/groups/${group.id}/members`, { users: [user.id] });
    const profile = (await server.api.post('/email-profiles', { platform: 'windows10', name: 'Corp', host: 'mail.corp.example', accountName: 'Corp' })).body as { id: string };
    await server.api.put(`/email-profiles/${profile.id}/deployment`, { groupIds: [group.id] });
    // MS-MDE2 on-premise authentication on mdmlab: the password is a (here reusable) Windows enrollment token.
    const t = (await server.api.post('/enrollment-tokens', { userId: user.id, platform: 'windows10', reusable: true })).body as { token: string; discoveryUrl: string };
    const dir = tempDir();

    const r = await runCli(['fleet', '--foreign', '--platform', 'windows10', '--discovery-url', t.discoveryUrl, '--upn', 'win-op@contoso.com', '--password', t.token, '--count', '2', '--until-converged', '--seed', 'foreign-windows', '--report', dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ enrolled: 2, outcomes: { installed: 2 }, platforms: { windows10: { devices: 2 } } });
    const devices = (await server.api.get('/devices?platform=windows10')).body as { userId: string }[];
    expect(devices.map((d) => d.userId)).toEqual([user.id, user.id]);
    const report = readFileSync(join(dir, 'report.json'), 'utf8');
    expect(JSON.parse(report).run.parameters.foreign).toEqual({ windows: { discoveryUrl: t.discoveryUrl, upn: 'win-op@contoso.com' } });
    expect(report + readFileSync(join(dir, 'report.html'), 'utf8') + r.stdout + r.stderr).not.toContain(t.token);
  }, 180_000);
});
