import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KeyPool } from '../../agents/identity/key-pool.js';
import { SYNCML_DM_CONTENT_TYPE } from '../../protocol/windows/syncml/types.js';
import { startChild, type Child } from './child.js';
import { enrollBenchDevice, firstSession, idleMessage, post, takeReply, type BenchDevice } from './windows-wire-client.js';

/**
 * npm run bench:windows — the Windows figures of the README's "Benchmarks":
 * (1) OMA-DM idle sessions per second: a device's first package (Alert 1201, LoginStatus, DevInfo,
 *     with its syncml:auth-md5 credential) answered with a status-only message carrying the next
 *     nonce, against the server and against a bare node:http server in the same run, each in its
 *     own process, interleaved rounds, medians and their ratio. The load is a node client in this
 *     process (wrk cannot make a digest per request); it does the same work for both servers.
 * (2) N simulated Windows devices with cached identities enroll and confirm one email profile:
 *     the fleet harness every platform shares measures it (wall time, CPU and peak memory of server
 *     and simulator): `npm run bench:fleet -- --counts 1000 --mix windows10=1 --manual-first 0%`.
 */
const { values: v } = parseArgs({ options: { devices: { type: 'string' }, seconds: { type: 'string' }, connections: { type: 'string' } } });
const DEVICES = Number(v.devices ?? 64);
const SECONDS = Number(v.seconds ?? 10);
const CONNECTIONS = Number(v.connections ?? 32);
const TOKEN = 'bench-token';
const ROUNDS = 3;
const say = (s: string) => process.stderr.write(`${s}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function startServer(): Promise<{ child: Child; url: string; cleanup: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-bench-win-'));
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

async function admin(url: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/**
 * CPU seconds a process has used (user + system, /proc/<pid>/stat, clock ticks of 1/100 s): the
 * cost per request holds when the machine is shared and wall-clock rates do not.
 */
function cpuSeconds(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Rate {
  perSecond: number;
  /** Server CPU per request, µs. */
  cpuUs: number;
}

/** `connections` loops, each with its own devices, for `seconds`: sessions per second and the server's CPU per session. */
async function idleLoad(server: Child, devices: BenchDevice[], target: (d: BenchDevice) => string, check: boolean): Promise<Rate> {
  const cpu0 = cpuSeconds(server.process.pid);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const end = Date.now() + SECONDS * 1000;
  let sessions = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, worker) => {
      const mine = devices.filter((_d, i) => i % CONNECTIONS === worker);
      for (let i = 0; Date.now() < end; i++) {
        const d = mine[i % mine.length]!;
        const res = await post(target(d), SYNCML_DM_CONTENT_TYPE, idleMessage(d), agent);
        if (check) {
          const verdict = takeReply(d, res.body.toString('utf8'));
          if (res.status !== 200 || verdict.code !== 200 || verdict.commands) throw new Error(`an idle session was not answered status-only: ${res.body.toString('utf8').slice(0, 300)}`);
        } else if (res.status !== 200) throw new Error(`bare server answered ${res.status}`);
        sessions++;
      }
    }),
  );
  agent.destroy();
  return { perSecond: sessions / ((Date.now() - started) / 1000), cpuUs: ((cpuSeconds(server.process.pid) - cpu0) * 1e6) / sessions };
}

async function idleSessions(pool: KeyPool) {
  say(`(1) OMA-DM idle sessions: ${ROUNDS} interleaved rounds of ${SECONDS} s, ${CONNECTIONS} connections, ${DEVICES} devices, node client`);
  const bare = await startChild('scripts/bench/bare-server.ts', [], 'listening');
  const bareUrl = `http://127.0.0.1:${String(bare.hello.port)}/ManagementServer/MDM.svc`;
  const server = await startServer();
  const user = await admin(server.url, '/users', { upn: 'bench@contoso.com' });
  const token = await admin(server.url, '/enrollment-tokens', { userId: user.id, platform: 'windows10', reusable: true });
  const keys = await pool.take(DEVICES);
  const devices: BenchDevice[] = [];
  for (const key of keys) {
    const d = await enrollBenchDevice(String(token.discoveryUrl), 'bench@contoso.com', String(token.token), key, randomBytes(16).toString('hex').toUpperCase());
    await firstSession(d, `${server.url}/push/wns/${randomBytes(32).toString('hex')}`);
    devices.push(d);
  }
  const bytes = Buffer.byteLength(idleMessage({ ...devices[0]! }));
  const bareRates: Rate[] = [];
  const mdmRates: Rate[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bareRates.push(await idleLoad(bare, devices.map((d) => ({ ...d })), () => bareUrl, false));
    mdmRates.push(await idleLoad(server.child, devices, (d) => d.managementUrl, true));
    const [b, m] = [bareRates[round]!, mdmRates[round]!];
    say(`    round ${round + 1}: bare ${Math.round(b.perSecond)}/s (${Math.round(b.cpuUs)} µs CPU each), mdmlab idle sessions ${Math.round(m.perSecond)}/s (${Math.round(m.cpuUs)} µs CPU each)`);
  }
  const serverPeakRssMb = server.child.peakRssMb();
  await server.cleanup();
  await bare.stop();
  const rate = (rs: Rate[]) => Math.round(median(rs.map((r) => r.perSecond)));
  const cpu = (rs: Rate[]) => Math.round(median(rs.map((r) => r.cpuUs)));
  const out = {
    client: 'node',
    messageBytes: bytes,
    bare: rate(bareRates),
    idleSessions: rate(mdmRates),
    ratio: Number((rate(mdmRates) / rate(bareRates)).toFixed(3)),
    bareCpuUs: cpu(bareRates),
    idleSessionCpuUs: cpu(mdmRates),
    cpuRatio: Number((cpu(bareRates) / cpu(mdmRates)).toFixed(3)),
    rounds: bareRates.map((b, i) => ({ bare: Math.round(b.perSecond), idleSessions: Math.round(mdmRates[i]!.perSecond) })),
    serverPeakRssMb,
  };
  say(`    bare node:http, ${bytes}-byte POST: ${out.bare}/s, ${out.bareCpuUs} µs server CPU each (medians)`);
  say(`    mdmlab, idle session (digest checked, next nonce stored, status-only reply): ${out.idleSessions}/s, ${out.idleSessionCpuUs} µs server CPU each (medians)`);
  say(`    ratio ${out.ratio.toFixed(2)} by rate, ${out.cpuRatio.toFixed(2)} by server CPU (machine load ${(await import('node:os')).loadavg()[0]!.toFixed(1)}); server peak RSS ${serverPeakRssMb ?? '?'} MB`);
  return out;
}

const pool = new KeyPool({ seed: 'bench-windows' });
say('key pool: making sure enough cached keys exist (filled once by worker threads, not timed)…');
await pool.ensure(DEVICES + 10);
const sessions = await idleSessions(pool);
// Part (2) is the fleet harness every platform shares: npm run bench:fleet -- --counts 1000 --mix windows10=1 --manual-first 0%
const fleet = { seeBenchFleet: 'npm run bench:fleet -- --counts 1000 --mix windows10=1 --manual-first 0%' };
process.stdout.write(`${JSON.stringify({ machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, sessions, fleet }, null, 2)}\n`);
process.exit(0);
