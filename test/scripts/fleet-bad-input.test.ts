import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { startTestServer } from '../helpers/server.js';

/**
 * Issue 10, "Bad input": a malformed --mix, --expect or --shard, an unreachable server, a wrong
 * token, a server that is not mdmlab's, a server that refuses enrollments mid-run → one clear line
 * and exit 2, never a stack trace.
 */

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const fleet = (args: string[]) => runCli(['fleet', ...args]);

/** Exit 2 and exactly one line on stderr, in the fleet's words. */
function oneLine(r: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.split('\n').filter(Boolean), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(/^mdmlab fleet: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).toMatch(pattern);
}

describe('mdmlab fleet refuses what it cannot run, in one line', () => {
  it('malformed flags', async () => {
    const cases: [string[], RegExp][] = [
      [['--mix', 'ios40'], /--mix: 'ios40' is not PLATFORM=WEIGHT/],
      [['--mix', 'ios=40,iso=60'], /unknown platform 'iso'/],
      [['--expect', 'installed>>99%'], /--expect 'installed>>99%'/],
      [['--expect', 'windows10:installed>=1', '--mix', 'ios=1'], /the run has no windows10 devices/],
      [['--shard', '3/2', '--seed', 's'], /--shard 3\/2: K must be between 1 and N/],
      [['--shard', '1/2'], /--shard needs --seed/],
      [['--manual-first', 'lots'], /--manual-first 'lots'/],
      [['--rate', 'fast'], /--rate 'fast'/],
      [['--profile', '/nonexistent/profiles.yaml'], /--profile \/nonexistent\/profiles.yaml: cannot read the file \(ENOENT\)/],
      [['--foreign'], /--foreign needs one of --enroll-url URL or --enroll-profile FILE/],
      [['--foreign', '--mix', 'ios=50,windows10=50', '--enroll-url', 'http://127.0.0.1:9/enroll'], /--foreign windows10 devices need --discovery-url URL --upn USER --password SECRET/],
      [['--foreign', '--platform', 'windows10', '--upn', 'u{n}@contoso.com'], /Windows devices enroll with --discovery-url URL --upn USER --password SECRET: give all three/],
      [['--discovery-url', 'http://127.0.0.1:9/d'], /--discovery-url, --upn, --password, --mail-address and --mail-host are for --foreign runs/],
      [['--until-converged'], /--until-converged needs --profile/],
    ];
    const results = await Promise.all(cases.map(([args]) => fleet(args)));
    results.forEach((r, i) => oneLine(r, cases[i]![1]));
  }, 120_000);

  it('an unreachable server', async () => {
    // A port nothing listens on: found and closed again.
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    oneLine(await fleet(['--server', `http://127.0.0.1:${port}`, '--token', 't', '--count', '1']), new RegExp(`cannot reach http://127.0.0.1:${port}: .*ECONNREFUSED`));
  }, 90_000);

  it('a server that is not an mdmlab server says so (before: "setup failed: Unexpected token …")', async () => {
    const other = http.createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>404 page not found</body></html>'));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => other.close(() => r())));
    const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    oneLine(await fleet(['--server', url, '--token', 't', '--count', '1']), new RegExp(`${url} is not an mdmlab server \\(GET /api/v1/openapi.json answered 404\\); to point the fleet at another MDM server use --foreign --enroll-url URL`));
  }, 90_000);

  it('a server that starts refusing enrollments mid-run: one line, exit 2, and the report of what happened', async () => {
    let enrollments = 0;
    const proxy = await startFaultProxy((req) => (req.url?.startsWith('/mdm/enroll') && ++enrollments > 2 ? { status: 403 } : 'forward'));
    const server = await startTestServer({ baseUrl: proxy.url });
    proxy.target = `http://127.0.0.1:${server.port}`;
    const dir = mkdtempSync(join(tmpdir(), 'mdmlab-fleet-refused-'));
    cleanups.push(() => proxy.close(), () => server.stop(), () => rmSync(dir, { recursive: true, force: true }));
    const r = await fleet(['--server', proxy.url, '--token', server.adminToken, '--count', '12', '--concurrency', '1', '--profile', '--report', dir, '--json']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^mdmlab fleet: the server refuses enrollments \(5 in a row\): GET .*\/mdm\/enroll\?token=… answered N: proxy: N$/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report.run).toMatchObject({ exitCode: 2, endReason: 'the server refuses enrollments' });
    expect(report.fleet.total).toMatchObject({ enrolled: 2, enrollFailed: 5 });
    // Refusals are not retried: one attempt each.
    expect(report.fleet.total.enrollAttempts).toBe(7);
  }, 120_000);
});
