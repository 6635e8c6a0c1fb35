import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import type { AfwDevice } from '../../agents/android/afw-device.js';
import { FleetRun } from '../../agents/fleet/fleet-runner.js';
import { KeyPool } from '../../agents/identity/key-pool.js';
import type { DevicePlatform } from '../../protocol/admin/platforms.js';
import { createSimulatedDevice } from '../device-factory.js';
import { startChild } from './child.js';

/**
 * `npm run bench android-fleet` — issue 9's bench part (2): N Android devices, half Samsung Knox and
 * half Android for Work (Gmail already in the work profile), with cached identities (a seeded key
 * pool filled before the clock starts), enroll against a server in its own process and report one
 * email profile applied (a samsungKnox profile, an afwGmail profile, each deployed to its half's
 * group before the devices enroll). Wall time from the first admin call until the last device
 * reported its account created, and the peak memory of server and simulator.
 */
const { values: v } = parseArgs({ options: { count: { type: 'string' }, concurrency: { type: 'string' } } });
const COUNT = Number(v.count ?? 1000);
const CONCURRENCY = Number(v.concurrency ?? 64);
const TOKEN = 'bench-token';
const say = (s: string) => process.stderr.write(`${s}\n`);

const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-bench-android-'));
// The enrollment QR code names the server's base URL and the devices refuse any other: give the
// server its 127.0.0.1 URL (a free port picked first) so devices and QR codes agree.
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const server = await startChild('scripts/cli.ts', ['serve', '--port', String(port), '--host', '127.0.0.1', '--base-url', url, '--data', dataDir, '--log-level', 'info'], 'mdmlab listening', { MDMLAB_ADMIN_TOKEN: TOKEN });
const pool = new KeyPool({ seed: 'bench-android' });
say(`key pool: making sure ${COUNT} cached keys exist (filled once by worker threads, not timed)…`);
await pool.ensure(COUNT + 20);

let applied = 0;
const halves: { platform: DevicePlatform; profile: Record<string, unknown>; count: number }[] = [
  { platform: 'samsungKnox', profile: { platform: 'samsungKnox', host: 'mail.contoso.com', accountName: 'Bench mail', useSsl: false }, count: Math.ceil(COUNT / 2) },
  { platform: 'androidForWork', profile: { platform: 'afwGmail', host: 'mail.contoso.com', accountName: 'Bench mail' }, count: Math.floor(COUNT / 2) },
];
const runs = halves.map(
  (h) =>
    new FleetRun({
      serverUrl: url,
      adminToken: TOKEN,
      platform: h.platform,
      count: h.count,
      concurrency: Math.max(1, Math.round((CONCURRENCY * h.count) / COUNT)),
      seed: `bench-${h.platform}`,
      profile: h.profile,
      createDevice: async (id, seed) => {
        const device = await createSimulatedDevice({ id, platform: h.platform, seed, serverUrl: url, keyPool: pool, periodicCheckInMs: 0 });
        if (h.platform === 'androidForWork') await (device as AfwDevice).installApp('gmail');
        let counted = false;
        device.on('commandHandled', (e) => {
          if (counted || e.profileAction !== 'install' || e.outcome !== 'success') return;
          counted = true;
          applied++;
        });
        return device;
      },
    }),
);
say(`${COUNT} Android devices (${halves.map((h) => `${h.count} ${h.platform}`).join(', ')}) enroll and apply one email profile; ${CONCURRENCY} enrollments in flight`);
const t0 = Date.now();
const failed = () => runs.reduce((n, r) => n + r.counters.enrollFailed, 0);
const ticker = setInterval(() => say(`    ${((Date.now() - t0) / 1000).toFixed(0)} s: enrolled ${runs.reduce((n, r) => n + r.counters.enrolled, 0)}, applied ${applied}`), 5000);
await Promise.all(runs.map((r) => r.start()));
while (applied + failed() < COUNT) await new Promise((r) => setTimeout(r, 20));
const done = Date.now();
clearInterval(ticker);
const enrollStartedAt = Math.min(...runs.map((r) => r.enrollStartedAt ?? done));
say(`    errors: ${JSON.stringify(Object.fromEntries(runs.flatMap((r) => [...r.counters.errors])))}`);
const report = {
  machine: { cpus: cpus().length, node: process.version },
  devices: COUNT,
  applied,
  enrollFailed: failed(),
  wallSeconds: Number(((done - t0) / 1000).toFixed(1)),
  directorySetupSeconds: Number(((enrollStartedAt - t0) / 1000).toFixed(1)),
  enrollToLastReportSeconds: Number(((done - enrollStartedAt) / 1000).toFixed(1)),
  enrollLatencyMs: Object.fromEntries(runs.map((r, i) => [halves[i]!.platform, r.enrollLatency.summary()])),
  serverPeakRssMb: server.peakRssMb(),
  simulatorPeakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
};
await Promise.all(runs.map((r) => r.stop()));
await server.stop();
rmSync(dataDir, { recursive: true, force: true });
say(`    wall ${report.wallSeconds} s (directory setup ${report.directorySetupSeconds} s, enroll → last report ${report.enrollToLastReportSeconds} s); ${applied}/${COUNT} applied, ${report.enrollFailed} failed`);
say(`    peak RSS: server ${report.serverPeakRssMb} MB, simulator ${report.simulatorPeakRssMb} MB`);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.exit(0);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port: p } = probe.address() as AddressInfo;
      probe.close(() => resolve(p));
    });
  });
}
