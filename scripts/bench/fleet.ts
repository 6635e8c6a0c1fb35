import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KeyPool } from '../../agents/identity/key-pool.js';
import { SIMULATED_PLATFORMS } from '../../agents/platforms.js';
import { repoRoot, startChild, type Child } from './child.js';
import { measurePushConnections } from './push-cost.js';

/**
 * npm run bench:fleet — issue 10 part 4: a mixed fleet against an mdmlab server in another process,
 * at each size asked (default 1,000 then 10,000 devices), through the CLI a user runs
 * (`mdmlab fleet --server … --report …`). Reported per size: wall time, devices per second, CPU and
 * peak memory of both processes; then the slope of memory and time from the smallest size to the
 * largest (what one more device costs); and what one push connection costs on each side, measured
 * on its own, to tell whether it is what a device costs most.
 *
 *   npm run bench:fleet -- [--counts 1000,10000] [--mix ios=40,windows10=60] [--manual-first 30%]
 *                          [--workers N] [--concurrency 64] [--push-sample 2000] [--keep-reports DIR]
 *                          [--previous EARLIER.json]
 *
 * `--previous` takes the JSON an earlier bench:fleet printed and counts its sizes with this run's for
 * the slope (sizes too long to run back to back on a busy machine). Each size records the load
 * average before and after it: on a shared machine the wall times say as much about the neighbours
 * as about mdmlab, and CPU seconds and memory are the figures to compare.
 *
 * The default mix is every simulated platform of agents/platforms.ts in equal shares (iOS, Windows 10,
 * Windows Phone 8.1, Knox, Android for Work). Keys come from the cache (filled first, not timed).
 */

const { values: v } = parseArgs({
  options: {
    counts: { type: 'string' },
    mix: { type: 'string' },
    'manual-first': { type: 'string' },
    workers: { type: 'string' },
    concurrency: { type: 'string' },
    'push-sample': { type: 'string' },
    'keep-reports': { type: 'string' },
    previous: { type: 'string' },
  },
});
const COUNTS = (v.counts ?? '1000,10000').split(',').map(Number);
const MIX = v.mix ?? SIMULATED_PLATFORMS.map((p) => `${p}=1`).join(',');
const MANUAL = v['manual-first'] ?? '30%';
const CONCURRENCY = v.concurrency ?? '64';
const PUSH_SAMPLE = Number(v['push-sample'] ?? 2000);
const TOKEN = 'bench-fleet-token';
const say = (s: string) => process.stderr.write(`${s}\n`);
const CLK_TCK = 100; // Linux USER_HZ: /proc/<pid>/stat times are in 1/100 s

/** utime + stime of a live process, in seconds (proc(5)). */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function startServer(): Promise<{ child: Child; url: string; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-bench-fleet-'));
  // The server's base URL is what it writes into enrollment profiles and QR codes, and Android
  // devices refuse a QR naming another server: give it the 127.0.0.1 URL the fleet uses.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await startChild('scripts/cli.ts', ['serve', '--port', String(port), '--host', '127.0.0.1', '--base-url', url, '--data', dataDir, '--log-level', 'info'], 'mdmlab listening', {
    MDMLAB_ADMIN_TOKEN: TOKEN,
  });
  return {
    child,
    url,
    stop: async () => {
      await child.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `mdmlab fleet` as its own process to its end; its JSON summary. */
function runFleet(args: string[]): Promise<{ code: number | null; summary: Record<string, any>; wallMs: number }> {
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts', 'cli.ts'), 'fleet', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    const line = d.toString().trim().split('\n').pop();
    if (line) process.stderr.write(`    ${line}\n`);
  });
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      let summary: Record<string, any> = {};
      try {
        summary = JSON.parse(stdout);
      } catch {
        say(`    fleet output was not JSON: ${stdout.slice(0, 300)}`);
      }
      resolve({ code, summary, wallMs: Date.now() - t0 });
    }),
  );
}

interface SizeResult {
  devices: number;
  exitCode: number | null;
  wallS: number;
  setupS: number;
  enrollToConvergedS: number;
  devicesPerS: number;
  outcomes: Record<string, number>;
  enrollP50Ms?: number;
  enrollP95Ms?: number;
  enrollP99Ms?: number;
  mailP95Ms?: number;
  simulator: { peakRssMb: number; heapMb?: number; cpuS: number };
  server: { peakRssMb?: number; cpuS?: number };
  /** 1-minute load average before and after (2 cores: above 2, processes wait for a core). */
  loadAvg: [number, number];
}

async function size(count: number): Promise<SizeResult> {
  say(`(${count}) ${count} devices, mix ${MIX}, ${MANUAL} set up mail by hand first`);
  const load0 = round(loadavg()[0]!);
  const server = await startServer();
  const serverCpu0 = cpuSeconds(server.child.process.pid!) ?? 0;
  const reportDir = v['keep-reports'] ? join(v['keep-reports'], String(count)) : mkdtempSync(join(tmpdir(), 'mdmlab-bench-report-'));
  const args = ['--server', server.url, '--token', TOKEN, '--count', String(count), '--mix', MIX, '--manual-first', MANUAL, '--profile', '--until-converged', '--react-after', '1s..5s', '--concurrency', CONCURRENCY, '--check-in', '0', '--seed', `bench-${count}`, '--report', reportDir, '--json'];
  if (v.workers) args.push('--workers', v.workers);
  const run = await runFleet(args);
  const serverCpu = (cpuSeconds(server.child.process.pid!) ?? serverCpu0) - serverCpu0;
  const serverPeak = server.child.peakRssMb();
  await server.stop();
  if (!v['keep-reports']) rmSync(reportDir, { recursive: true, force: true });
  const s = run.summary;
  const setupS = (s.setupMs ?? 0) / 1000;
  // The run's own time (until every device converged), not the process's start-up and teardown.
  const enrollToConverged = (s.elapsedMs ?? run.wallMs) / 1000 - setupS;
  const out: SizeResult = {
    devices: count,
    exitCode: run.code,
    wallS: round(run.wallMs / 1000),
    setupS: round(setupS),
    enrollToConvergedS: round(enrollToConverged),
    devicesPerS: round(count / enrollToConverged),
    outcomes: s.outcomes ?? {},
    enrollP50Ms: s.enrollLatencyMs?.p50,
    enrollP95Ms: s.enrollLatencyMs?.p95,
    enrollP99Ms: s.enrollLatencyMs?.p99,
    mailP95Ms: s.profileLatencyMs?.p95,
    simulator: { peakRssMb: s.memory?.maxRssMb, heapMb: s.memory?.heapMb, cpuS: round((s.cpu?.userS ?? 0) + (s.cpu?.systemS ?? 0)) },
    server: { peakRssMb: serverPeak, cpuS: round(serverCpu) },
    loadAvg: [load0, round(loadavg()[0]!)],
  };
  say(`    wall ${out.wallS} s (setup ${out.setupS} s: users, groups, profile; enrollment → converged ${out.enrollToConvergedS} s, ${out.devicesPerS} devices/s); exit ${out.exitCode}`);
  say(`    outcomes ${JSON.stringify(out.outcomes)}; enroll p50/p95/p99 ${out.enrollP50Ms}/${out.enrollP95Ms}/${out.enrollP99Ms} ms; mail p95 ${out.mailP95Ms} ms`);
  say(`    load average ${out.loadAvg[0]} → ${out.loadAvg[1]}`);
  say(`    simulator: peak RSS ${out.simulator.peakRssMb} MB (heap ${out.simulator.heapMb} MB), CPU ${out.simulator.cpuS} s; server: peak RSS ${out.server.peakRssMb} MB, CPU ${out.server.cpuS} s`);
  return out;
}

const round = (x: number) => Math.round(x * 100) / 100;

const biggest = Math.max(...COUNTS);
if (COUNTS.some((n) => !Number.isSafeInteger(n) || n < 1)) throw new Error(`--counts: whole numbers of devices, e.g. 1000,10000`);
say(`key pool: making sure ${biggest} cached keys exist (filled once by worker threads, not timed)…`);
await new KeyPool().ensure(biggest + 64);
const sizes: SizeResult[] = [];
for (const count of COUNTS) sizes.push(await size(count));
// `npm run` prints its banner on stdout before the JSON: read from the first brace.
const previousText = v.previous ? readFileSync(v.previous, 'utf8') : undefined;
const previous: SizeResult[] = previousText ? (JSON.parse(previousText.slice(previousText.indexOf('{'))) as { sizes: SizeResult[] }).sizes : [];

const all = [...previous, ...sizes].sort((a, b) => a.devices - b.devices);
const [small, large] = [all[0]!, all[all.length - 1]!];
const extra = large.devices - small.devices;
const slope =
  extra > 0
    ? {
        from: small.devices,
        to: large.devices,
        simulatorKbPerDevice: Math.round(((large.simulator.peakRssMb - small.simulator.peakRssMb) * 1024) / extra),
        simulatorHeapKbPerDevice: large.simulator.heapMb !== undefined && small.simulator.heapMb !== undefined ? Math.round(((large.simulator.heapMb - small.simulator.heapMb) * 1024) / extra) : undefined,
        serverKbPerDevice: large.server.peakRssMb !== undefined && small.server.peakRssMb !== undefined ? Math.round(((large.server.peakRssMb - small.server.peakRssMb) * 1024) / extra) : undefined,
        msPerDevice: round(((large.enrollToConvergedS - small.enrollToConvergedS) * 1000) / extra),
        simulatorCpuMsPerDevice: round(((large.simulator.cpuS - small.simulator.cpuS) * 1000) / extra),
        serverCpuMsPerDevice: large.server.cpuS !== undefined && small.server.cpuS !== undefined ? round(((large.server.cpuS - small.server.cpuS) * 1000) / extra) : undefined,
      }
    : undefined;
if (slope) say(`slope ${slope.from} → ${slope.to}: simulator +${slope.simulatorKbPerDevice} KB RSS (+${slope.simulatorHeapKbPerDevice} KB heap) per device, server +${slope.serverKbPerDevice} KB; +${slope.msPerDevice} ms wall, ${slope.simulatorCpuMsPerDevice} ms simulator CPU, ${slope.serverCpuMsPerDevice} ms server CPU per device`);

say(`push: what ${PUSH_SAMPLE} open push connections cost, client and server side…`);
const push = PUSH_SAMPLE > 0 ? await measurePushConnections(PUSH_SAMPLE, startServer) : undefined;
if (push) say(`    per connection: client +${push.clientHeapKb} KB heap / +${push.clientRssKb} KB RSS, server +${push.serverRssKb} KB RSS`);

process.stdout.write(`${JSON.stringify({ machine: { cpus: cpus().length, node: process.version }, mix: MIX, manualFirst: MANUAL, sizes, ...(previous.length ? { previous } : {}), slope, push }, null, 2)}\n`);
process.exit(0);
