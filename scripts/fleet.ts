import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { parseDuration } from '../agents/scenario/duration.js';
import { FleetRun, progressLine, type FleetSnapshot } from '../agents/fleet/fleet-runner.js';
import { DEVICE_PLATFORMS, type DevicePlatform, type EmailProfilePlatform } from '../protocol/admin/platforms.js';
import { DEFAULT_CONFIG } from '../server/config.js';
import { startServer } from '../server/server.js';
import { createSimulatedDevice, isSimulated, SIMULATED_PLATFORMS } from '../agents/platforms.js';

/** The shell's exit code for a process ended by the signal (128 + its number). */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

const HELP = `usage: mdmlab fleet --platform ios|windows10|windowsPhone81 --count N [--server URL] [--token TOKEN] [options]

Runs N simulated devices against a server until stopped (Ctrl-C), printing a progress line and a
final summary. Without --server an embedded server on a temporary store is used.

  --concurrency N       enrollments in flight at once (default 32)
  --profile             create an email profile of the fleet's platform and deploy it to the fleet's group first
  --duration 60s        stop by itself after this long
  --until-installed     stop once every device has acknowledged the profile (with --profile)
  --check-in 15m        periodic check-in interval of each device (default 4h; 0 = push only)
  --enroll-attempts N   tries per device before its enrollment counts as failed (default 5;
                        retries wait 1 s, 2 s, 4 s, … up to 30 s)
  --seed S              repeatable UDIDs and key choices
  --json                print the summary as JSON

Ctrl-C (SIGINT or SIGTERM) stops the devices and prints the summary; a second one exits at once.
Exit codes: 0, 1 when a device failed to enroll (after its retries) or the setup failed, 2 for bad
options, 130/143 when stopped by a second Ctrl-C.
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
        'enroll-attempts': { type: 'string' },
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
  const enrollAttempts = Number(v['enroll-attempts'] ?? '5');
  const problems = [
    !(DEVICE_PLATFORMS as readonly string[]).includes(platform) && `--platform must be one of ${DEVICE_PLATFORMS.join(', ')}`,
    (DEVICE_PLATFORMS as readonly string[]).includes(platform) && !isSimulated(platform) && `${platform} devices are not simulated yet (simulated: ${SIMULATED_PLATFORMS.join(', ')})`,
    !(Number.isInteger(count) && count > 0) && '--count must be a positive whole number',
    !(Number.isInteger(concurrency) && concurrency > 0) && '--concurrency must be a positive whole number',
    !(Number.isInteger(enrollAttempts) && enrollAttempts > 0) && '--enroll-attempts must be a positive whole number',
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
    enrollAttempts,
    seed: v.seed ?? String(Date.now()),
    createDevice: (id, seed) => createSimulatedDevice({ id, platform, seed, serverUrl, periodicCheckInMs: checkIn ?? 4 * 3600_000 }),
    ...(v.profile ? { profile: { platform: emailProfilePlatformOf(platform), host: 'mail.contoso.com', accountName: 'Fleet mail' } } : {}),
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

  // The run ends for the first of: Ctrl-C, --duration, --until-installed, a setup that failed.
  // Every timer that could end it is cleared when one does: a live interval keeps the process up.
  // Once it is ending, for whatever reason, a signal exits at once: a fleet whose devices are slow
  // to stop (a request still waiting for its answer) must never be unkillable by Ctrl-C.
  let ending = false;
  let end!: (reason: string) => void;
  const ended = new Promise<string>((resolve) => (end = resolve)).finally(() => (ending = true));
  const onSignal = (name: 'SIGINT' | 'SIGTERM') => {
    if (ending) {
      embedded?.removeStoreNow();
      process.stderr.write(`\n… ${name} again: exiting at once\n`);
      process.exit(SIGNAL_EXIT[name]);
    }
    ending = true;
    process.stderr.write(`\n… ${name}: stopping the fleet; ${name} again exits at once\n`);
    end(name === 'SIGINT' ? 'interrupted' : 'terminated');
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  const timers: NodeJS.Timeout[] = [];
  if (duration !== undefined) timers.push(setTimeout(() => end('duration reached'), duration));
  if (v['until-installed']) {
    timers.push(
      setInterval(() => {
        if (run.counters.profilesInstalled + run.counters.enrollFailed >= count) end('every device installed the profile');
      }, 50),
    );
  }
  let setupFailed = false;
  let settled = false;
  const starting = run
    .start()
    .catch((err: unknown) => {
      setupFailed = true;
      end(`setup failed: ${(err as Error).message}`);
    })
    .finally(() => (settled = true));
  const reason = await ended;
  for (const t of timers) clearTimeout(t);
  clearInterval(ticker);
  const snap = run.snapshot();
  // The last state of the progress line, also when the run ended before the first tick.
  process.stderr.write(tty ? `\r${progressLine(snap, count).padEnd(130)}` : `${progressLine(snap, count)}\n`);
  if (!settled) {
    const what = snap.counters.enrolling > 0 ? `${snap.counters.enrolling} enrollment(s)` : 'the requests of the setup';
    process.stderr.write(`${tty ? '\n' : ''}stopping: waiting for ${what} in flight (Ctrl-C exits at once)\n`);
  }
  try {
    await run.stop();
    await starting;
    await embedded?.stop();
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
  if (tty) process.stderr.write('\n');
  process.stdout.write(v.json ? `${JSON.stringify(summaryJson(snap, reason, count), null, 2)}\n` : summaryText(snap, reason, count));
  return setupFailed || snap.counters.enrollFailed > 0 ? 1 : 0;
}

/** The email profile type a fleet of `platform` devices gets with --profile. */
function emailProfilePlatformOf(platform: DevicePlatform): EmailProfilePlatform {
  return platform === 'androidForWork' ? 'afwGmail' : platform;
}

function summaryJson(s: FleetSnapshot, reason: string, total: number) {
  return {
    reason,
    elapsedMs: s.elapsedMs,
    devices: total,
    enrolled: s.counters.enrolled,
    enrollFailed: s.counters.enrollFailed,
    enrollAttempts: s.counters.enrollAttempts,
    enrollRetried: s.counters.enrollRetried,
    profilesInstalled: s.counters.profilesInstalled,
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
    `  devices   ${j.enrolled}/${total} enrolled, ${j.enrollFailed} failed (${j.enrollAttempts} attempts, ${j.enrollRetried} enrolled after a retry)`,
    `  enroll    ${lat(j.enrollLatencyMs)}`,
    `  profile   ${lat(j.profileLatencyMs)} (enroll start → profile installed)`,
    `  commands  ${Object.entries(j.commands).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`,
    `  memory    peak RSS ${j.memory.maxRssMb} MB`,
    ...Object.entries(j.errors).map(([k, n]) => `  error ×${n}: ${k}`),
  ];
  return `${lines.join('\n')}\n`;
}

async function startEmbedded() {
  const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-fleet-'));
  const removeStoreNow = () => rmSync(dataDir, { recursive: true, force: true });
  let server;
  try {
    server = await startServer({ ...DEFAULT_CONFIG, port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent' }, pino({ level: 'silent' }));
  } catch (err) {
    removeStoreNow();
    throw err;
  }
  return {
    url: server.url,
    token: server.adminToken,
    stop: async () => {
      try {
        await server.close();
      } finally {
        removeStoreNow();
      }
    },
    /** For an exit that cannot wait: the store (with the lab CA's key) must not stay in /tmp. */
    removeStoreNow,
  };
}
