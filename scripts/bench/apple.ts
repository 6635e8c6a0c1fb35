import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FleetRun } from '../../agents/fleet/fleet-run.js';
import { buildFleetSection } from '../../agents/fleet/fleet-report.js';
import { inProcessFleet } from '../../agents/fleet/in-process-fleet.js';
import { KeyPool } from '../../agents/identity/key-pool.js';
import type { IosDevice } from '../../agents/ios/ios-device.js';
import { createSimulatedDevice } from '../device-factory.js';
import { startChild, type Child } from './child.js';
import { haveWrk, runLoad, type LoadRequest } from './load.js';

/**
 * npm run bench:apple — the two Apple figures of the README's "Benchmarks", measured on this machine:
 * (1) signed Idle check-ins per second against the server, next to a bare node:http server in the
 *     same run (each in its own process, load from wrk when installed);
 * (2) N iOS devices with cached identities enroll, receive one email profile and acknowledge it:
 *     wall time and peak memory of server and simulator (separate processes).
 */
const { values: v } = parseArgs({ options: { count: { type: 'string' }, seconds: { type: 'string' }, connections: { type: 'string' }, only: { type: 'string' } } });
const COUNT = Number(v.count ?? 1000);
const SECONDS = Number(v.seconds ?? 10);
const CONNECTIONS = Number(v.connections ?? 64);
const TOKEN = 'bench-token';
const say = (s: string) => process.stderr.write(`${s}\n`);

async function startServer(): Promise<{ child: Child; url: string; cleanup: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-bench-'));
  const child = await startChild('scripts/cli.ts', ['serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir, '--log-level', 'info'], 'mdmlab listening', { MDMLAB_ADMIN_TOKEN: TOKEN });
  return {
    child,
    url: String(child.hello.url).replace('localhost', '127.0.0.1'),
    cleanup: async () => {
      await child.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function fleet(url: string, count: number, pool: KeyPool, profile: boolean): Promise<FleetRun> {
  return inProcessFleet({
    serverUrl: url,
    adminToken: TOKEN,
    platform: 'ios',
    count,
    concurrency: 64,
    seed: 'bench',
    createDevice: (id, seed) => createSimulatedDevice({ id, platform: 'ios', seed, serverUrl: url, keyPool: pool, periodicCheckInMs: 0 }),
    ...(profile ? { profile: { platform: 'ios', host: 'mail.contoso.com', accountName: 'Bench mail' } } : {}),
  });
}

const ROUNDS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function checkInThroughput(pool: KeyPool) {
  say(`(1) check-in throughput: ${ROUNDS} interleaved rounds of ${SECONDS} s each, ${CONNECTIONS} connections, load from ${haveWrk() ? 'wrk' : 'node:http (install wrk for a client that is never the bottleneck)'}`);
  const bare = await startChild('scripts/bench/bare-server.ts', [], 'listening');
  const bareReq: LoadRequest = { url: `http://127.0.0.1:${String(bare.hello.port)}/mdm/connect`, headers: { 'content-type': 'application/x-apple-aspen-mdm' }, body: Buffer.alloc(800, 0x61) };
  const server = await startServer();
  const run = await fleet(server.url, 50, pool, false);
  await run.start();
  await run.whenEnrollmentDone();
  const requests = run.devices.map((d) => (d as IosDevice).idleRequest()!).filter(Boolean);
  const bodyBytes = Math.round(requests.reduce((n, r) => n + r.body.length + (r.headers['mdm-signature']?.length ?? 0), 0) / requests.length);
  // Interleaved, so a slow minute of the machine weighs on both sides alike; medians reported.
  const bareRates: number[] = [];
  const mdmRates: number[] = [];
  let tool = 'node';
  for (let round = 0; round < ROUNDS; round++) {
    const b = await runLoad([bareReq], SECONDS, CONNECTIONS);
    const m = await runLoad(requests, SECONDS, CONNECTIONS);
    if (m.non2xx > 0) throw new Error(`${m.non2xx} check-ins were refused`);
    tool = m.tool;
    bareRates.push(Math.round(b.perSecond));
    mdmRates.push(Math.round(m.perSecond));
    say(`    round ${round + 1}: bare ${bareRates[round]}/s, mdmlab signed Idle ${mdmRates[round]}/s`);
  }
  await run.stop();
  await server.cleanup();
  await bare.stop();
  const out = { tool, bare: median(bareRates), signedIdle: median(mdmRates), ratio: Number((median(mdmRates) / median(bareRates)).toFixed(3)), bareRounds: bareRates, signedIdleRounds: mdmRates };
  say(`    bare node:http, 800-byte PUT: ${out.bare}/s (median)`);
  say(`    mdmlab, signed Idle (${requests.length} devices, ~${bodyBytes} bytes with signature): ${out.signedIdle}/s (median)`);
  say(`    ratio ${out.ratio.toFixed(2)}`);
  return out;
}

async function fleetEnrollment(pool: KeyPool) {
  say(`(2) ${COUNT} iOS devices enroll and acknowledge one email profile`);
  const server = await startServer();
  const run = await fleet(server.url, COUNT, pool, true);
  const t0 = Date.now();
  const installed = () => run.progress().total.outcomes.installed;
  const ticker = setInterval(() => say(`    ${((Date.now() - t0) / 1000).toFixed(0)} s: enrolled ${run.progress().total.enrolled}, installed ${installed()}`), 5000);
  await run.start();
  while (installed() + run.progress().total.enrollFailed < COUNT) await new Promise((r) => setTimeout(r, 20));
  const done = Date.now();
  clearInterval(ticker);
  const serverPeak = server.child.peakRssMb();
  const simulatorPeak = Math.round(process.resourceUsage().maxRSS / 1024);
  const finals = await run.stop();
  const figures = buildFleetSection({ runId: run.runId, server: { url: server.url, kind: 'mdmlab', embedded: false }, shard: run.shard, finals, peakRssMb: simulatorPeak, expectations: [] }).total;
  const out = {
    devices: COUNT,
    enrollFailed: figures.enrollFailed,
    installed: figures.outcomes.installed,
    wallSeconds: Number(((done - t0) / 1000).toFixed(1)),
    enrollToAckSeconds: Number(((done - run.enrollStartedAt!) / 1000).toFixed(1)),
    directorySetupSeconds: Number(((run.enrollStartedAt! - t0) / 1000).toFixed(1)),
    enrollLatencyMs: { p50: figures.latency.enroll.p50, p95: figures.latency.enroll.p95, p99: figures.latency.enroll.p99 },
    serverPeakRssMb: serverPeak,
    simulatorPeakRssMb: simulatorPeak,
  };
  await server.cleanup();
  say(`    wall ${out.wallSeconds} s (directory setup ${out.directorySetupSeconds} s, enroll → last acknowledgement ${out.enrollToAckSeconds} s); ${out.installed}/${COUNT} installed, ${out.enrollFailed} failed`);
  say(`    enroll latency p50 ${out.enrollLatencyMs.p50} ms, p95 ${out.enrollLatencyMs.p95} ms, p99 ${out.enrollLatencyMs.p99} ms`);
  say(`    peak RSS: server ${serverPeak} MB, simulator ${simulatorPeak} MB`);
  return out;
}

const pool = new KeyPool({ seed: 'bench' });
say('key pool: making sure enough cached keys exist (filled once by worker threads, not timed)…');
await pool.ensure(v.only === 'checkins' ? 60 : COUNT + 60);
const checkIns = v.only === 'fleet' ? undefined : await checkInThroughput(pool);
const enrollment = v.only === 'checkins' ? undefined : await fleetEnrollment(pool);
const report = { machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, checkIns, enrollment };
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.exit(0);
