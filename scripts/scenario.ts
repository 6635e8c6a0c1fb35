import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { formatCleanup, formatStep, formatSummary } from '../agents/scenario/report.js';
import { runScenario, type ScenarioResult } from '../agents/scenario/runner.js';
import { ScenarioFileError } from '../agents/scenario/scenario-error.js';
import { loadScenario } from '../agents/scenario/scenario-file.js';
import { KeyPool } from '../agents/identity/key-pool.js';
import { SeededRandom } from '../agents/random/seeded-random.js';
import { identifyServer, notMdmlabMessage } from '../agents/foreign/server-kind.js';
import type { ForeignRun } from '../agents/scenario/operator-steps.js';
import type { ScenarioDevice } from '../agents/scenario/scenario-types.js';
import { DEFAULT_CONFIG } from '../server/config.js';
import { describeForeign, deviceWarnings, FOREIGN_FLAGS, foreignRunFrom } from './scenario-foreign.js';
import type { IdPrefix } from '../server/domain/context.js';
import { startServer } from '../server/server.js';
import { createSimulatedDevice } from './device-factory.js';
import { MailStoreRecorder, storiesReport } from './report/scenario-report.js';
import { writeReport } from './report/write-report.js';

const HELP = `usage: mdmlab scenario run FILE [--server URL] [--token TOKEN] [--ca CA.pem] [--keep] [--report DIR] [--json]
       mdmlab scenario run FILE --foreign (--enroll-url URL | --enroll-profile FILE) [--ca CA.pem]
                               [--discovery-url URL --upn USER --password SECRET]
                               [--push auto|none|URL] [--check-in 30s] [--admin-hook CMD] [--hook-timeout 2m] [--keep] [--json]

Plays a scenario file (see docs/scenarios.md / README) with simulated devices speaking the real
protocols. Without --server it starts an embedded server on a fresh temporary store.
--token (or MDMLAB_ADMIN_TOKEN) is the admin token of the server given with --server, and
--ca the server's CA certificate when it runs TLS (GET /ca.pem). A --server that is not an
mdmlab server is refused (exit 2): use --foreign for it.
--foreign plays the file against any MDM server, through the device protocols only: iOS devices
enroll from --enroll-url (or the saved --enroll-profile), Windows devices from the MS-MDE2
--discovery-url as --upn with --password (on-premise authentication; {n} in the UPN is the
device's number in the file), all trust --ca and get push from --push
(auto: mdmlab's gateway next to the server if there is one; none: they make up a token and
check in every --check-in, default 30s). The file's administrator steps (and its users, groups,
certificate profiles) are the operator's: printed as "operator: ...", and with --admin-hook run as
CMD (sh -c) with the step as JSON on stdin, the run waiting for it to exit 0. Expectations on
the devices (mailAccounts, commands) are checked; those that need mdmlab's API (compliance,
profiles, alerts, profileStatus) are reported as skipped. settle waits for the devices to be idle.
At the end the devices unenroll (not with --keep) and the hook gets a cleanup step.
On a --server the run names its groups and profiles with a run tag, reuses users that exist,
waits for runs that use the same users, and cleans up at the end: its devices unenroll, its
profiles, groups and new users are deleted. --keep skips the cleanup (its devices stay enrolled
and later runs' groups that list their users target them too).
Ctrl-C (SIGINT or SIGTERM) stops the run after the step under way (a wait or settle stops at
once), cleans up as above (the embedded server's temporary store is removed) and exits 1;
a second Ctrl-C exits at once (130, or 143 for SIGTERM) without cleaning up.
--report DIR writes DIR/report.json and a self-contained DIR/report.html (docs/report-schema.md):
the steps with pass / fail, what a failed expectation expected and found, and each device's mail
store before the first step and after the last (an interrupted run's report says so).
Exit codes: 0 every expectation held, 1 one did not (or the run was interrupted), 2 the file is
invalid or cannot run here.
`;

/** Where the command writes (the process's streams; tests pass their own). */
export interface CommandOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const PROCESS_OUTPUT: CommandOutput = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

/**
 * `signal` interrupts the run as Ctrl-C does (tests); without it the command watches the process's
 * SIGINT and SIGTERM itself while the run goes (watchInterrupts).
 */
export async function scenarioCommand(argv: string[], out: CommandOutput = PROCESS_OUTPUT, signal?: AbortSignal): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        server: { type: 'string' },
        token: { type: 'string' },
        ca: { type: 'string' },
        keep: { type: 'boolean' },
        json: { type: 'boolean' },
        foreign: { type: 'boolean' },
        'enroll-url': { type: 'string' },
        'enroll-profile': { type: 'string' },
        'discovery-url': { type: 'string' },
        upn: { type: 'string' },
        password: { type: 'string' },
        push: { type: 'string' },
        'check-in': { type: 'string' },
        'admin-hook': { type: 'string' },
        'hook-timeout': { type: 'string' },
        report: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    out.stderr(`mdmlab scenario: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const [verb, file, ...extra] = parsed.positionals;
  if (parsed.values.help) {
    out.stdout(HELP);
    return 0;
  }
  if (verb !== 'run' || !file || extra.length > 0) {
    out.stderr(HELP);
    return 2;
  }
  const json = parsed.values.json ?? false;
  const foreignMode = parsed.values.foreign ?? false;
  if (parsed.values.keep && !parsed.values.server && !foreignMode) {
    out.stderr('mdmlab scenario: --keep only means something with --server or --foreign (the embedded server goes away with the run)\n');
    return 2;
  }
  const foreignFlags = FOREIGN_FLAGS.filter((f) => parsed.values[f] !== undefined);
  if (!foreignMode && foreignFlags.length > 0) {
    out.stderr(`mdmlab scenario: --${foreignFlags.join(', --')} ${foreignFlags.length > 1 ? 'are' : 'is'} for a server that is not mdmlab's: add --foreign\n`);
    return 2;
  }
  if (foreignMode && parsed.values.token) {
    out.stderr("mdmlab scenario: --token is mdmlab's admin token; a --foreign run never uses an admin API\n");
    return 2;
  }
  // --json always answers on stdout with one shape; `invalid.path` is '' for the file as a whole.
  const invalid = (path: string, line: number | undefined, reason: string, human: string) => {
    if (json) out.stdout(`${JSON.stringify({ file, ok: false, exitCode: 2, invalid: { path, line, reason } }, null, 2)}\n`);
    else out.stderr(human);
    return 2;
  };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = `cannot read ${file}: ${(err as Error).message}`;
    return invalid('', undefined, reason, `mdmlab scenario: ${reason}\n`);
  }
  let scenario;
  try {
    scenario = loadScenario(text);
  } catch (err) {
    if (!(err instanceof ScenarioFileError)) throw err;
    return invalid(err.path, err.line, err.reason, `${file}: invalid scenario: ${err.message}\n`);
  }

  // The run cannot start: one line (or, with --json, one object), exit 2.
  const cannotRun = (message: string) => {
    if (json) out.stdout(`${JSON.stringify({ file, ok: false, exitCode: 2, message }, null, 2)}\n`);
    else out.stderr(`mdmlab scenario: ${message}\n`);
    return 2;
  };
  let foreign: ForeignRun | undefined;
  if (foreignMode) {
    try {
      foreign = foreignRunFrom(parsed.values, scenario.devices);
    } catch (err) {
      return cannotRun((err as Error).message);
    }
  }
  let caPem: string | undefined;
  try {
    caPem = foreign ? foreign.enrollment.caPem : parsed.values.ca ? readFileSync(parsed.values.ca, 'utf8') : undefined;
  } catch (err) {
    return cannotRun(`--ca: cannot read ${parsed.values.ca}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (parsed.values.server && !foreign) {
    // Before anything that reads its admin API: one sentence, not the first JSON error a 404 page would cause.
    const kind = await identifyServer(parsed.values.server, { caPem });
    if (kind.kind !== 'mdmlab') {
      return cannotRun(notMdmlabMessage(kind, "to play the file's device steps against it, run with --foreign --enroll-url URL (or --enroll-profile FILE) [--ca FILE] [--push none] [--admin-hook CMD]"));
    }
  }
  const token = parsed.values.server && !foreign ? (parsed.values.token ?? process.env.MDMLAB_ADMIN_TOKEN) : undefined;
  if (parsed.values.server && !foreign && !token) {
    out.stderr('mdmlab scenario: --server needs the admin token (--token or MDMLAB_ADMIN_TOKEN)\n');
    return 2;
  }
  let embedded: Embedded | undefined;
  const interrupts = signal
    ? undefined
    : watchInterrupts(process, {
        first: (name) =>
          out.stderr(
            `\n… ${name}: stopping after the step under way, then ${embedded ? "removing the embedded server's store" : 'cleaning up'}; ` +
              `${name} again exits at once${embedded ? '' : ' without cleaning up'}\n`,
          ),
        again: (name, code) => {
          embedded?.removeStoreNow();
          out.stderr(`\n… ${name} again: exiting at once${embedded ? '' : ' without cleaning up (a later run that needs the same users or devices deletes what this run left once its locks go stale)'}\n`);
          process.exit(code);
        },
      });
  const abort = signal ?? interrupts!.signal;
  let result: ScenarioResult;
  let keyPool: KeyPool | undefined;
  const reportDir = parsed.values.report;
  // Only with --report: reading every store after each step is the report's cost, not every run's.
  const stores = reportDir ? new MailStoreRecorder() : undefined;
  const startedAt = Date.now();
  try {
    embedded = parsed.values.server || foreign ? undefined : await startEmbedded(scenario.seed);
    const serverUrl = parsed.values.server?.replace(/\/$/, '') ?? embedded?.server.url ?? foreign!.enrollment.enrollUrl ?? '';
    if (!json) out.stdout(`▶ ${scenario.name} (${file}) against ${foreign ? describeForeign(foreign, parsed.values.server) : embedded ? 'an embedded server' : serverUrl}\n`);
    const device = (spec: ScenarioDevice, i: number, seed: number) => ({ id: spec.id, platform: spec.platform, seed: `${seed}:${i}:${spec.id}`, keyPool: (keyPool ??= new KeyPool({ seed })), ...(caPem ? { caPem } : {}) });
    result = await runScenario(scenario, {
      serverUrl,
      ...(foreign ? {} : { adminToken: token ?? embedded!.server.adminToken }),
      ...(caPem ? { caPem } : {}),
      ...(embedded || foreign ? {} : { shared: { keep: parsed.values.keep ?? false } }),
      ...(foreign ? { foreign: { ...foreign, keep: parsed.values.keep ?? false } } : {}),
      createDevice: async (spec, i, seed) => {
        const made = await createSimulatedDevice(
          foreign
            ? {
                ...device(spec, i, seed),
                serverUrl,
                push: foreign.enrollment.push,
                periodicCheckInMs: foreign.enrollment.checkInMs,
                allowHttp: foreign.enrollment.allowHttp,
                // What a device finds odd about someone else's server (no push gateway, a weak SCEP cipher) is worth a line.
                ...(json ? {} : { logger: deviceWarnings(out) }),
              }
            : { ...device(spec, i, seed), serverUrl },
        );
        return stores ? stores.track(made) : made;
      },
      onStep: async (r) => {
        if (!json) out.stdout(`${formatStep(r)}\n`);
        await stores?.afterStep(r);
      },
      onNotice: (t) => {
        if (!json) out.stdout(`… ${t}\n`);
      },
      signal: abort,
    });
  } finally {
    await embedded?.stop();
    interrupts?.dispose();
  }
  const written = stores && reportDir ? writeScenarioReport(reportDir, file, scenario, result, stores, startedAt, parsed.values) : undefined;
  if (json) out.stdout(`${JSON.stringify({ file, ...result, ...(written ? { report: written } : {}) }, null, 2)}\n`);
  else {
    out.stdout(`${formatCleanup(result)}${result.interrupted ? `✗ ${result.name}: ${result.message} (the rest of the file did not run)` : formatSummary(result)}\n`);
    if (written) out.stdout(`report: ${written.html}\n`);
  }
  return result.exitCode;
}

/** DIR/report.json and DIR/report.html of one played file. */
function writeScenarioReport(
  dir: string,
  file: string,
  scenario: { description?: string | undefined; seed?: number | undefined },
  result: ScenarioResult,
  stores: MailStoreRecorder,
  startedAt: number,
  flags: { server?: string | undefined; foreign?: boolean | undefined; keep?: boolean | undefined },
): { json: string; html: string } {
  const endReason = result.interrupted ? 'interrupted' : result.ok ? 'every expectation held' : result.exitCode === 2 ? 'cannot run here' : 'an expectation did not hold';
  const report = storiesReport('scenario', result.name, [stores.section(result, scenario.description)], {
    startedAt,
    endedAt: Date.now(),
    exitCode: result.exitCode,
    interrupted: result.interrupted ?? false,
    endReason,
    parameters: { file, server: flags.server ?? 'embedded', ...(flags.foreign ? { foreign: true } : {}), ...(flags.keep ? { keep: true } : {}), ...(result.run ? { runTag: result.run.tag } : {}) },
    ...(scenario.seed !== undefined ? { seed: String(scenario.seed) } : {}),
  });
  return writeReport(dir, report);
}

/** The process events watchInterrupts listens to (tests give an EventEmitter). */
export interface SignalSource {
  on(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Ctrl-C while a run goes: the first SIGINT or SIGTERM aborts `signal` (the run stops after the
 * step under way and cleans up, which may take a few seconds: devices unenroll over their
 * protocol); a second one calls `again` with the shell's exit code for the signal (128 + its
 * number), for a user who does not want to wait. Until `dispose`, the process does not die of
 * these signals by default.
 */
export function watchInterrupts(
  source: SignalSource,
  on: { first: (name: 'SIGINT' | 'SIGTERM') => void; again: (name: 'SIGINT' | 'SIGTERM', exitCode: number) => void },
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const listeners = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const listener = () => {
      if (controller.signal.aborted) on.again(name, SIGNAL_EXIT[name]);
      else {
        controller.abort(new Error(`interrupted by ${name}`));
        on.first(name);
      }
    };
    source.on(name, listener);
    return [name, listener] as const;
  });
  return { signal: controller.signal, dispose: () => listeners.forEach(([name, listener]) => source.off(name, listener)) };
}

interface Embedded {
  server: Awaited<ReturnType<typeof startServer>>;
  stop: () => Promise<void>;
  /** For an exit that cannot wait: the store (with the lab CA's key) must not stay in /tmp. */
  removeStoreNow: () => void;
}

/**
 * The embedded server on a fresh temporary store. With a seed its record ids come from a seeded
 * stream per kind (`usr`, `eml`, …), so a seeded file gets the same ids on every run
 * (docs/scenarios.md, `seed`).
 */
async function startEmbedded(seed: number | undefined): Promise<Embedded> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-scenario-'));
  const removeStoreNow = () => rmSync(dataDir, { recursive: true, force: true });
  let server;
  try {
    server = await startServer({ ...DEFAULT_CONFIG, port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent' }, pino({ level: 'silent' }), {
      ...(seed !== undefined ? { newId: seededIds(seed) } : {}),
    });
  } catch (err) {
    removeStoreNow();
    throw err;
  }
  return {
    server,
    stop: async () => {
      try {
        await server.close();
      } finally {
        removeStoreNow();
      }
    },
    removeStoreNow,
  };
}

/**
 * One stream per id kind, so the ids of one kind do not depend on how many of another kind were
 * made in between (command ids, say, depend on device timing; user and profile ids should not).
 */
export function seededIds(seed: number | string): (prefix: IdPrefix) => string {
  const root = new SeededRandom(`${seed}/server-ids`);
  const streams = new Map<IdPrefix, SeededRandom>();
  return (prefix) => {
    let stream = streams.get(prefix);
    if (!stream) streams.set(prefix, (stream = root.fork(prefix)));
    return `${prefix}_${stream.hex(20).toLowerCase()}`;
  };
}
