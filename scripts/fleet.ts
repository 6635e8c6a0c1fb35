import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { parseDuration } from '../agents/scenario/duration.js';
import { FleetRun, progressLine, type FleetSnapshot } from '../agents/fleet/fleet-runner.js';
import { DEVICE_PLATFORMS, type DevicePlatform } from '../protocol/admin/platforms.js';
import { DEFAULT_CONFIG } from '../server/config.js';
import { startServer } from '../server/server.js';
import { createSimulatedDevice, isSimulated, SIMULATED_PLATFORMS } from '../agents/platforms.js';

const HELP = `usage: mdmlab fleet --platform ios --count N [--server URL] [--token TOKEN] [options]

Runs N simulated devices against a server until stopped (Ctrl-C), printing a progress line and a
final summary. Without --server an embedded server on a temporary store is used.

  --concurrency N       enrollments in flight at once (default 32)
  --profile             create an iOS email profile and deploy it to the fleet's group first
  --duration 60s        stop by itself after this long
  --until-installed     stop once every device has acknowledged the profile (with --profile)
  --check-in 15m        periodic check-in interval of each device (default 4h; 0 = push only)
  --seed S              repeatable UDIDs and key choices
  --json                print the summary as JSON
`;

export async function fleetCommand(argv: string[]): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        platform: { type: 'string' },
        count: { type: 'string' },
        server: { type: 'string' },
        token: { type: 'string' },
        concurrency: { type: 'string' },
        profile: { type: 'boolean' },
        duration: { type: 'string' },
        'until-installed': { type: 'boolean' },
        'check-in': { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    process.stderr.write(`mdmlab fleet: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const platform = (v.platform ?? 'ios') as DevicePlatform;
  const count = Number(v.count ?? '10');
  const concurrency = Number(v.concurrency ?? '32');
  const duration = v.duration === undefined ? undefined : parseDuration(v.duration);
  const checkIn = v['check-in'] === undefined ? undefined : parseDuration(v['check-in']);
  const problems = [
    !(DEVICE_PLATFORMS as readonly string[]).includes(platform) && `--platform must be one of ${DEVICE_PLATFORMS.join(', ')}`,
    (DEVICE_PLATFORMS as readonly string[]).includes(platform) && !isSimulated(platform) && `${platform} devices are not simulated yet (simulated: ${SIMULATED_PLATFORMS.join(', ')})`,
    !(Number.isInteger(count) && count > 0) && '--count must be a positive whole number',
    !(Number.isInteger(concurrency) && concurrency > 0) && '--concurrency must be a positive whole number',
    v.duration !== undefined && duration === undefined && '--duration must be a duration such as 60s',
    v['check-in'] !== undefined && checkIn === undefined && '--check-in must be a duration such as 15m',
    v['until-installed'] && !v.profile && '--until-installed needs --profile',
  ].filter(Boolean);
  if (problems.length) {
    process.stderr.write(`mdmlab fleet: ${problems.join('; ')}\n`);
    return 2;
  }

  const embedded = v.server ? undefined : await startEmbedded();
  const serverUrl = v.server?.replace(/\/$/, '') ?? embedded!.url;
  const token = v.token ?? process.env.MDMLAB_ADMIN_TOKEN ?? embedded?.token;
  if (!token) {
    process.stderr.write('mdmlab fleet: --server needs the admin token (--token or MDMLAB_ADMIN_TOKEN)\n');
    await embedded?.stop();
    return 2;
  }
  const run = new FleetRun({
    serverUrl,
    adminToken: token,
    platform,
    count,
    concurrency,
    seed: v.seed ?? String(Date.now()),
    createDevice: (id, seed) => createSimulatedDevice({ id, platform, seed, serverUrl, periodicCheckInMs: checkIn ?? 4 * 3600_000 }),
    ...(v.profile ? { profile: { platform: 'ios', host: 'mail.contoso.com', accountName: 'Fleet mail' } } : {}),
  });
  const tty = process.stderr.isTTY;
  let lastPrinted = 0;
  const ticker = setInterval(() => {
    const line = progressLine(run.snapshot(), count);
    if (tty) process.stderr.write(`\r${line.padEnd(130)}`);
    else if (Date.now() - lastPrinted >= 5000) {
      process.stderr.write(`${line}\n`);
      lastPrinted = Date.now();
    }
  }, 1000);
  const done = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('interrupted'));
    process.once('SIGTERM', () => resolve('terminated'));
    if (duration !== undefined) setTimeout(() => resolve('duration reached'), duration).unref();
    if (v['until-installed']) {
      const check = setInterval(() => {
        if ((run.counters.commands.get('InstallProfile Acknowledged') ?? 0) + run.counters.enrollFailed >= count) {
          clearInterval(check);
          resolve('every device installed the profile');
        }
      }, 50);
    }
  });
  const starting = run.start().catch((err: unknown) => process.stderr.write(`\nmdmlab fleet: ${(err as Error).message}\n`));
  const reason = await done;
  clearInterval(ticker);
  const snap = run.snapshot();
  // The last state of the progress line, also when the run ended before the first tick.
  process.stderr.write(tty ? `\r${progressLine(snap, count).padEnd(130)}` : `${progressLine(snap, count)}\n`);
  await run.stop();
  await starting;
  await embedded?.stop();
  if (tty) process.stderr.write('\n');
  process.stdout.write(v.json ? `${JSON.stringify(summaryJson(snap, reason, count), null, 2)}\n` : summaryText(snap, reason, count));
  return snap.counters.enrollFailed > 0 ? 1 : 0;
}

function summaryJson(s: FleetSnapshot, reason: string, total: number) {
  return {
    reason,
    elapsedMs: s.elapsedMs,
    devices: total,
    enrolled: s.counters.enrolled,
    enrollFailed: s.counters.enrollFailed,
    commands: Object.fromEntries(s.counters.commands),
    backgroundErrors: s.counters.backgroundErrors,
    errors: Object.fromEntries(s.counters.errors),
    enrollLatencyMs: s.enrollLatency.summary(),
    profileLatencyMs: s.profileLatency.summary(),
    memory: { rssMb: Math.round(process.memoryUsage().rss / 1e6), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1e3) },
  };
}

function summaryText(s: FleetSnapshot, reason: string, total: number): string {
  const j = summaryJson(s, reason, total);
  const lat = (l: ReturnType<FleetSnapshot['enrollLatency']['summary']>) => (l.count ? `p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms, max ${l.max} ms` : 'no samples');
  const lines = [
    `fleet stopped: ${reason} after ${(j.elapsedMs / 1000).toFixed(1)} s`,
    `  devices   ${j.enrolled}/${total} enrolled, ${j.enrollFailed} failed`,
    `  enroll    ${lat(j.enrollLatencyMs)}`,
    `  profile   ${lat(j.profileLatencyMs)} (enroll start → InstallProfile acknowledged)`,
    `  commands  ${Object.entries(j.commands).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`,
    `  memory    peak RSS ${j.memory.maxRssMb} MB`,
    ...Object.entries(j.errors).map(([k, n]) => `  error ×${n}: ${k}`),
  ];
  return `${lines.join('\n')}\n`;
}

async function startEmbedded() {
  const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-fleet-'));
  const server = await startServer({ ...DEFAULT_CONFIG, port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent' }, pino({ level: 'silent' }));
  return {
    url: server.url,
    token: server.adminToken,
    stop: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
