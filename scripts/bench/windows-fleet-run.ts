import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FleetRun } from '../../agents/fleet/fleet-runner.js';
import { KeyPool } from '../../agents/identity/key-pool.js';
import { createSimulatedDevice } from '../device-factory.js';
import { startChild } from './child.js';

/**
 * Part (2) of bench:windows (README, "Benchmarks"):
 * N simulated Windows devices with cached identities (keys from the on-disk pool, not timed) enroll
 * over MS-MDE2 and confirm one email profile over OMA-DM, against a server in its own process:
 * wall time from the first enrollment (and with the directory setup), enrollment latency, peak
 * memory of the server and of the simulator. Devices poll on push only (no scheduled sessions), as
 * bench:apple's do.
 */
export interface WindowsFleetFigures {
  platform: 'windows10' | 'windowsPhone81';
  devices: number;
  enrollFailed: number;
  installed: number;
  wallSeconds: number;
  enrollToInstallSeconds: number;
  directorySetupSeconds: number;
  enrollLatencyMs: ReturnType<FleetRun['enrollLatency']['summary']>;
  profileLatencyMs: ReturnType<FleetRun['profileLatency']['summary']>;
  serverPeakRssMb: number | undefined;
  simulatorPeakRssMb: number;
}

const TOKEN = 'bench-token';

export async function windowsFleetEnrollment(o: { count: number; platform?: 'windows10' | 'windowsPhone81'; concurrency?: number; pool: KeyPool; say?: (s: string) => void }): Promise<WindowsFleetFigures> {
  const platform = o.platform ?? 'windows10';
  const say = o.say ?? (() => {});
  const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-bench-'));
  const server = await startChild('scripts/cli.ts', ['serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir, '--log-level', 'info'], 'mdmlab listening', { MDMLAB_ADMIN_TOKEN: TOKEN });
  const url = String(server.hello.url).replace('localhost', '127.0.0.1');
  const run = new FleetRun({
    serverUrl: url,
    adminToken: TOKEN,
    platform,
    count: o.count,
    concurrency: o.concurrency ?? 64,
    seed: 'bench',
    createDevice: (id, seed) => createSimulatedDevice({ id, platform, seed, serverUrl: url, keyPool: o.pool, periodicCheckInMs: 0 }),
    profile: { platform, host: 'mail.contoso.com', accountName: 'Bench mail' },
  });
  try {
    const t0 = Date.now();
    const ticker = setInterval(() => say(`    ${((Date.now() - t0) / 1000).toFixed(0)} s: enrolled ${run.counters.enrolled}, installed ${run.counters.profilesInstalled}`), 5000);
    await run.start();
    while (run.counters.profilesInstalled + run.counters.enrollFailed < o.count) await new Promise((r) => setTimeout(r, 20));
    const done = Date.now();
    clearInterval(ticker);
    return {
      platform,
      devices: o.count,
      enrollFailed: run.counters.enrollFailed,
      installed: run.counters.profilesInstalled,
      wallSeconds: Number(((done - t0) / 1000).toFixed(1)),
      enrollToInstallSeconds: Number(((done - run.enrollStartedAt!) / 1000).toFixed(1)),
      directorySetupSeconds: Number(((run.enrollStartedAt! - t0) / 1000).toFixed(1)),
      enrollLatencyMs: run.enrollLatency.summary(),
      profileLatencyMs: run.profileLatency.summary(),
      serverPeakRssMb: server.peakRssMb(),
      simulatorPeakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    await run.stop();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
