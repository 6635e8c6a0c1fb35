import { AdminApiError, AdminClient } from '../agents/admin/admin-client.js';
import type { FleetTarget } from '../agents/fleet/device-runner.js';
import { buildFleetSection } from '../agents/fleet/fleet-report.js';
import { FleetRun } from '../agents/fleet/fleet-run.js';
import { planDigest } from '../agents/fleet/fleet-plan.js';
import { FleetInputError } from '../agents/fleet/input-error.js';
import { shardRange, WHOLE_FLEET } from '../agents/fleet/shard.js';
import { mixRecord } from '../agents/fleet/mix.js';
import { readServerView, type ServerView } from '../agents/fleet/server-check.js';
import { checkAdminToken, probeServer } from '../agents/fleet/server-probe.js';
import { fleetVerdict } from '../agents/report/merge.js';
import { newReport, type Report } from '../agents/report/report-model.js';
import { sharedHttpClient } from '../agents/transport/http.js';
import { packageVersion } from '../server/version.js';
import { openFilesLimit, openFilesNeeded, openFilesRefusal } from './fleet/open-files.js';
import { startServerProcess } from './fleet/server-process.js';
import { FLEET_HELP } from './fleet/help.js';
import { parseFleetOptions, type FleetCliOptions } from './fleet/options.js';
import { serveEnrollmentProfile } from './fleet/profile-server.js';
import { ProgressDisplay } from './fleet/progress-display.js';
import { summaryJson, summaryText } from './fleet/summary.js';
import { writeReport } from './report/write-report.js';

/** The shell's exit code for a process ended by the signal (128 + its number). */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/** `mdmlab fleet …`: returns the exit code (0 met, 1 not met, 2 cannot run; docs/fleet.md). */
export async function fleetCommand(argv: string[]): Promise<number> {
  let o: FleetCliOptions;
  try {
    const parsed = parseFleetOptions(argv);
    if (parsed === 'help') {
      process.stdout.write(FLEET_HELP);
      return 0;
    }
    o = parsed;
  } catch (err) {
    return cannotRun(err);
  }
  const { from, to } = shardRange(o.count, o.shard ?? WHOLE_FLEET);
  const tooMany = openFilesRefusal(to - from, { needed: openFilesNeeded(to - from, o.concurrency), limit: openFilesLimit() });
  if (tooMany) return cannotRun(new FleetInputError(tooMany));
  const display = new ProgressDisplay();
  const closers: (() => Promise<void>)[] = [];
  let removeStoreNow: (() => void) | undefined;
  let target: FleetTarget;
  let server: { url: string; kind: 'mdmlab' | 'foreign'; embedded: boolean };
  try {
    ({ target, server, removeStoreNow } = await resolveTarget(o, closers));
  } catch (err) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    return cannotRun(err);
  }

  const run = new FleetRun({
    target,
    seed: o.seed,
    count: o.count,
    mix: o.mix,
    manualFirst: o.manualFirst,
    reactDelayMs: o.reactDelayMs,
    appDelayMs: o.appDelayMs,
    ...(o.shard ? { shard: o.shard } : {}),
    profiles: o.profiles ?? [],
    ...(o.foreign?.mailAddress && o.foreign.mailHost ? { foreignAccount: { email: o.foreign.mailAddress, host: o.foreign.mailHost } } : {}),
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
    concurrency: o.concurrency,
    ...(o.ratePerSec ? { ratePerSec: o.ratePerSec } : {}),
    enrollAttempts: o.enrollAttempts,
    checkInMs: o.checkInMs,
    onSetupProgress: (text) => display.say(text),
  });

  // The run ends for the first of: Ctrl-C, --duration, --until-converged, a setup that failed, a
  // server that refuses enrollments. Once it is ending, for whatever reason, a signal exits at once:
  // a fleet whose devices are slow to stop must never be unkillable by Ctrl-C.
  let ending = false;
  let interrupted = false;
  let cannotContinue: string | undefined;
  let setupFailed = false;
  let end!: (reason: string) => void;
  const ended = new Promise<string>((resolve) => (end = resolve)).finally(() => (ending = true));
  const onSignal = (name: 'SIGINT' | 'SIGTERM') => {
    if (ending) {
      removeStoreNow?.();
      process.stderr.write(`\n… ${name} again: exiting at once\n`);
      process.exit(SIGNAL_EXIT[name]);
    }
    ending = true;
    interrupted = true;
    process.stderr.write(`\n… ${name}: stopping the fleet and writing what happened so far; ${name} again exits at once\n`);
    end(name === 'SIGINT' ? 'interrupted' : 'terminated');
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  run.onTrouble((message, kind) => {
    cannotContinue ??= message;
    end(kind === 'refusing' ? 'the server refuses enrollments' : 'a fleet worker failed');
  });

  const timers: NodeJS.Timeout[] = [setInterval(() => display.update(run.progress()), 250)];
  if (o.durationMs !== undefined) timers.push(setTimeout(() => end('duration reached'), o.durationMs));
  if (o.untilConverged) {
    let checking = false;
    timers.push(
      setInterval(() => {
        if (checking || run.shares.length === 0) return;
        checking = true;
        run.converged().then(
          (yes) => {
            if (!yes) return;
            const t = run.progress().total;
            end(t.outcomes.installed + t.outcomes.replaced === t.planned - t.enrollFailed ? 'every device installed the profile' : 'every device converged');
          },
          () => undefined, // a status read that failed is tried again at the next tick
        ).finally(() => (checking = false));
      }, 250),
    );
  }
  const setupAbort = new AbortController();
  let setupDone = false;
  const starting = run
    .start(setupAbort.signal)
    .catch((err: unknown) => {
      if (setupAbort.signal.aborted) return;
      setupFailed = true;
      if (err instanceof AdminApiError && err.status >= 400 && err.status < 500) cannotContinue = `the server refused the fleet's setup: ${err.message}`;
      end(`setup failed: ${(err as Error).message}`);
    })
    .finally(() => (setupDone = true));

  const reason = await ended;
  const endedAt = Date.now();
  for (const t of timers) clearInterval(t);
  display.finish(run.progress());
  if (!setupDone) process.stderr.write(`stopping: waiting for the setup's requests in flight (Ctrl-C exits at once)\n`);
  let report: Report;
  let files: { json: string; html: string } | undefined;
  try {
    setupAbort.abort();
    await starting;
    const finals = await run.stop();
    // A worker thread that died took its devices' figures with it: say so rather than let the
    // summary read as if those devices never existed.
    const lost = run.shares.length - finals.length;
    if (lost > 0) process.stderr.write(`note: ${lost} of ${run.shares.length} worker shares ended without their figures; the summary and report leave their devices out\n`);
    let serverView: ServerView | undefined;
    if (target.kind === 'mdmlab' && run.setup && finals.length > 0) {
      try {
        const setup = run.setup;
        const admin = new AdminClient(target.serverUrl, target.adminToken, target.caPem);
        serverView = await readServerView(admin, finals.flatMap((f) => f.devices), (platform) => setup.profileByPlatform.get(platform));
      } catch (err) {
        process.stderr.write(`note: could not read the server's view of the devices (${(err as Error).message}); outcomes are the devices' own\n`);
      }
    }
    for (const close of closers.reverse()) await close();
    const fleet = buildFleetSection({
      runId: run.runId,
      server,
      shard: run.shard,
      finals,
      ...(serverView ? { serverView } : {}),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      cpu: { userS: round1(process.resourceUsage().userCPUTime / 1e6), systemS: round1(process.resourceUsage().systemCPUTime / 1e6) },
      ...(run.enrollStartedAt !== undefined ? { setupMs: run.enrollStartedAt - run.startedAt } : {}),
      expectations: o.expectations,
    });
    const exitCode = cannotContinue ? 2 : setupFailed ? 1 : fleetVerdict(fleet, o.expectations.length > 0);
    report = newReport('fleet', title(o), runInfo(o, run, endedAt, reason, interrupted, exitCode), packageVersion());
    report.fleet = fleet;
    if (o.reportDir) files = writeReport(o.reportDir, report);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
  if (cannotContinue) process.stderr.write(`mdmlab fleet: ${cannotContinue}\n`);
  process.stdout.write(o.json ? `${JSON.stringify(summaryJson(report, files ? { reportFiles: files } : {}), null, 2)}\n` : summaryText(report, files ? { reportFiles: files } : {}));
  return report.run.exitCode;
}

/** Where the devices go: the embedded server, a given mdmlab server, or (--foreign) another MDM server. */
async function resolveTarget(o: FleetCliOptions, closers: (() => Promise<void>)[]) {
  if (o.foreign) {
    let enrollUrl = o.foreign.enrollUrl;
    const { windows } = o.foreign;
    if (o.foreign.enrollProfile) {
      const served = await serveEnrollmentProfile(o.foreign.enrollProfile);
      closers.push(served.close);
      enrollUrl = served.url;
    } else if (enrollUrl) {
      await reachable(enrollUrl, o.caPem);
    }
    if (windows) await reachable(windows.discoveryUrl, o.caPem);
    // The server URL only decides lab mode (http MDM URLs accepted) for a foreign server.
    const given = o.foreign.enrollUrl ?? windows?.discoveryUrl;
    const serverUrl = o.server ?? (given ? new URL(given).origin : 'https://foreign-mdm-server');
    const target: FleetTarget = {
      kind: 'foreign',
      serverUrl,
      ...(enrollUrl ? { ticket: { enrollUrl } } : {}),
      ...(windows ? { windows } : {}),
      ...(o.caPem ? { caPem: o.caPem } : {}),
    };
    return { target, server: { url: o.server ?? o.foreign.enrollUrl ?? o.foreign.enrollProfile ?? windows!.discoveryUrl, kind: 'foreign' as const, embedded: false }, removeStoreNow: undefined };
  }
  if (!o.server) {
    const embedded = await startServerProcess();
    closers.push(embedded.stop);
    const target: FleetTarget = { kind: 'mdmlab', serverUrl: embedded.url, adminToken: embedded.token };
    return { target, server: { url: embedded.url, kind: 'mdmlab' as const, embedded: true }, removeStoreNow: embedded.removeStoreNow };
  }
  const kind = await probeServer(o.server, o.caPem);
  if (kind.kind === 'other') throw new FleetInputError(`${o.server} is not an mdmlab server (${kind.why}); to point the fleet at another MDM server use --foreign --enroll-url URL (docs/fleet.md)`);
  const token = o.token ?? process.env.MDMLAB_ADMIN_TOKEN;
  if (!token) throw new FleetInputError('--server needs the admin token (--token or MDMLAB_ADMIN_TOKEN)');
  const target: FleetTarget = { kind: 'mdmlab', serverUrl: o.server, adminToken: token, ...(o.caPem ? { caPem: o.caPem } : {}) };
  await checkAdminToken(new AdminClient(o.server, token, o.caPem));
  return { target, server: { url: o.server, kind: 'mdmlab' as const, embedded: false }, removeStoreNow: undefined };
}

/** A foreign server answers at all (any HTTP status will do): an unreachable one is one line, not a run of retries. */
async function reachable(url: string, caPem: string | undefined): Promise<void> {
  try {
    await sharedHttpClient().request({ method: 'GET', url: new URL('/', url).href, timeoutMs: 10_000, ...(caPem ? { caPem } : {}) });
  } catch (err) {
    throw new FleetInputError(`cannot reach ${new URL(url).origin}: ${(err as Error).message}`);
  }
}

function title(o: FleetCliOptions): string {
  // Weights are relative (ios=1 is ios=100): the title gives each platform's share.
  const weights = o.mix.reduce((n, m) => n + m.weight, 0);
  const mix = o.mix.map((m) => `${m.platform} ${Math.round((1000 * m.weight) / weights) / 10} %`).join(', ');
  return `mdmlab fleet: ${o.count.toLocaleString('en-US')} devices (${mix})${o.shard && o.shard.of > 1 ? ` (shard ${o.shard.index}/${o.shard.of})` : ''}`;
}

/** The run's times are its own: from the start until it ended (the stop and the report come after). */
function runInfo(o: FleetCliOptions, run: FleetRun, endedAt: number, endReason: string, interrupted: boolean, exitCode: number): Report['run'] {
  return {
    startedAt: new Date(run.startedAt).toISOString(),
    endedAt: new Date(endedAt).toISOString(),
    elapsedMs: endedAt - run.startedAt,
    endReason,
    interrupted,
    exitCode,
    parameters: {
      count: o.count,
      mix: mixRecord(o.mix),
      manualFirst: `${Math.round(o.manualFirst * 1000) / 10}%`,
      profile: o.foreign ? 'deployed by the operator' : (o.profileSource ?? 'none'),
      workers: run.workers,
      concurrency: o.concurrency,
      ...(o.ratePerSec ? { rate: `${o.ratePerSec}/s` } : {}),
      ...(o.shard ? { shard: `${o.shard.index}/${o.shard.of}` } : {}),
      ...(o.durationMs !== undefined ? { duration: `${o.durationMs / 1000}s` } : {}),
      untilConverged: o.untilConverged,
      expect: o.expectations.map((e) => e.text),
      reactAfter: `${o.reactDelayMs[0] / 1000}s..${o.reactDelayMs[1] / 1000}s`,
      appAfter: `${o.appDelayMs[0] / 1000}s..${o.appDelayMs[1] / 1000}s`,
      checkIn: `${o.checkInMs / 1000}s`,
      enrollAttempts: o.enrollAttempts,
      plan: planDigest(run.plan),
      // The Windows password is a secret: the report names the user, never the password.
      ...(o.foreign ? { foreign: { ...o.foreign, ...(o.foreign.windows ? { windows: { discoveryUrl: o.foreign.windows.discoveryUrl, upn: o.foreign.windows.upn } } : {}) } } : {}),
    },
    seed: o.seed,
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function cannotRun(err: unknown): number {
  if (!(err instanceof FleetInputError)) throw err;
  process.stderr.write(`mdmlab fleet: ${err.message}\n`);
  return 2;
}
