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
import { DEFAULT_CONFIG } from '../server/config.js';
import type { IdPrefix } from '../server/domain/context.js';
import { startServer } from '../server/server.js';
import { createSimulatedDevice } from './device-factory.js';

const HELP = `usage: mdmlab scenario run FILE [--server URL] [--token TOKEN] [--ca CA.pem] [--keep] [--json]

Plays a scenario file (see SCENARIOS.md / README) with simulated devices speaking the real
protocols. Without --server it starts an embedded server on a fresh temporary store.
--token (or MDMLAB_ADMIN_TOKEN) is the admin token of the server given with --server, and
--ca the server's CA certificate when it runs TLS (GET /ca.pem).
On a --server the run names its groups and profiles with a run tag, reuses users that exist,
waits for runs that use the same users, and cleans up at the end: its devices unenroll, its
profiles, groups and new users are deleted. --keep skips the cleanup (its devices stay enrolled
and later runs' groups that list their users target them too).
Exit codes: 0 every expectation held, 1 one did not, 2 the file is invalid or cannot run here.
`;

/** Where the command writes (the process's streams; tests pass their own). */
export interface CommandOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const PROCESS_OUTPUT: CommandOutput = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

export async function scenarioCommand(argv: string[], out: CommandOutput = PROCESS_OUTPUT): Promise<number> {
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
  if (parsed.values.keep && !parsed.values.server) {
    out.stderr('mdmlab scenario: --keep only means something with --server (the embedded server goes away with the run)\n');
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    out.stderr(`mdmlab scenario: cannot read ${file}: ${(err as Error).message}\n`);
    return 2;
  }
  let scenario;
  try {
    scenario = loadScenario(text);
  } catch (err) {
    if (!(err instanceof ScenarioFileError)) throw err;
    if (json) out.stdout(`${JSON.stringify({ file, ok: false, exitCode: 2, invalid: { path: err.path, line: err.line, reason: err.reason } }, null, 2)}\n`);
    else out.stderr(`${file}: invalid scenario: ${err.message}\n`);
    return 2;
  }

  const token = parsed.values.server ? (parsed.values.token ?? process.env.MDMLAB_ADMIN_TOKEN) : undefined;
  if (parsed.values.server && !token) {
    out.stderr('mdmlab scenario: --server needs the admin token (--token or MDMLAB_ADMIN_TOKEN)\n');
    return 2;
  }
  const embedded = parsed.values.server ? undefined : await startEmbedded(scenario.seed);
  const serverUrl = parsed.values.server?.replace(/\/$/, '') ?? embedded!.server.url;
  let result: ScenarioResult;
  let keyPool: KeyPool | undefined;
  const caPem = parsed.values.ca ? readFileSync(parsed.values.ca, 'utf8') : undefined;
  try {
    if (!json) out.stdout(`▶ ${scenario.name} (${file}) against ${embedded ? 'an embedded server' : serverUrl}\n`);
    result = await runScenario(scenario, {
      serverUrl,
      adminToken: token ?? embedded!.server.adminToken,
      ...(caPem ? { caPem } : {}),
      ...(embedded ? {} : { shared: { keep: parsed.values.keep ?? false } }),
      createDevice: (spec, i, seed) =>
        createSimulatedDevice({ id: spec.id, platform: spec.platform, seed: `${seed}:${i}:${spec.id}`, serverUrl, keyPool: (keyPool ??= new KeyPool({ seed })), ...(caPem ? { caPem } : {}) }),
      onStep: (r) => {
        if (!json) out.stdout(`${formatStep(r)}\n`);
      },
      onNotice: (t) => {
        if (!json) out.stdout(`… ${t}\n`);
      },
    });
  } finally {
    await embedded?.stop();
  }
  if (json) out.stdout(`${JSON.stringify({ file, ...result }, null, 2)}\n`);
  else out.stdout(`${formatCleanup(result)}${formatSummary(result)}\n`);
  return result.exitCode;
}

/**
 * The embedded server on a fresh temporary store. With a seed its record ids come from a seeded
 * stream per kind (`usr`, `eml`, …), so a seeded file gets the same ids on every run (SCENARIOS.md).
 */
async function startEmbedded(seed: number | undefined) {
  const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-scenario-'));
  const server = await startServer({ ...DEFAULT_CONFIG, port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent' }, pino({ level: 'silent' }), {
    ...(seed !== undefined ? { newId: seededIds(seed) } : {}),
  });
  return {
    server,
    stop: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
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
