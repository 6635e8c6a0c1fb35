import { parseArgs } from 'node:util';
import { KeyPool } from '../../agents/identity/key-pool.js';
import { windowsFleetEnrollment } from './windows-fleet-run.js';

/**
 * `npm run bench windows-fleet [-- --count 1000 --platform windows10|windowsPhone81]`: part (2) of
 * bench:windows (windows-fleet-run.ts says what is measured), printed as JSON.
 */
async function main(): Promise<void> {
  const { values: v } = parseArgs({ options: { count: { type: 'string' }, platform: { type: 'string' }, concurrency: { type: 'string' } }, strict: false });
  const count = Number(v.count ?? 1000);
  const platform = v.platform === 'windowsPhone81' ? 'windowsPhone81' : 'windows10';
  const say = (s: string) => process.stderr.write(`${s}\n`);
  const pool = new KeyPool({ seed: 'bench' });
  say('key pool: making sure enough cached keys exist (filled once by worker threads, not timed)…');
  await pool.ensure(count + 10);
  say(`(2) ${count} ${platform} devices enroll (MS-MDE2) and confirm one email profile (OMA-DM)`);
  const figures = await windowsFleetEnrollment({ count, platform, pool, say, ...(v.concurrency ? { concurrency: Number(v.concurrency) } : {}) });
  say(`    wall ${figures.wallSeconds} s (directory setup ${figures.directorySetupSeconds} s, first enrollment → last install ${figures.enrollToInstallSeconds} s); ${figures.installed}/${count} installed, ${figures.enrollFailed} failed`);
  say(`    enroll latency p50 ${figures.enrollLatencyMs.p50} ms, p95 ${figures.enrollLatencyMs.p95} ms, p99 ${figures.enrollLatencyMs.p99} ms`);
  say(`    peak RSS: server ${figures.serverPeakRssMb} MB, simulator ${figures.simulatorPeakRssMb} MB`);
  process.stdout.write(`${JSON.stringify({ machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, fleet: figures }, null, 2)}\n`);
}

await main();
process.exit(0);
