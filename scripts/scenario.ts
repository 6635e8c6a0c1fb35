import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { formatStep, formatSummary } from '../agents/scenario/report.js';
import { runScenario, type ScenarioResult } from '../agents/scenario/runner.js';
import { ScenarioFileError } from '../agents/scenario/scenario-error.js';
import { loadScenario } from '../agents/scenario/scenario-file.js';
import { KeyPool } from '../agents/identity/key-pool.js';
import { DEFAULT_CONFIG } from '../server/config.js';
import { startServer } from '../server/server.js';
import { createSimulatedDevice } from './device-factory.js';

const HELP = `usage: mdmlab scenario run FILE [--server URL] [--token TOKEN] [--ca CA.pem] [--json]

Plays a scenario file (see SCENARIOS.md / README) with simulated devices speaking the real
protocols. Without --server it starts an embedded server on a fresh temporary store.
--token (or MDMLAB_ADMIN_TOKEN) is the admin token of the server given with --server, and
--ca the server's CA certificate when it runs TLS (GET /ca.pem).
Exit codes: 0 every expectation held, 1 one did not, 2 the file is invalid or cannot run here.
`;

export async function scenarioCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { server: { type: 'string' }, token: { type: 'string' }, ca: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    process.stderr.write(`mdmlab scenario: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const [verb, file, ...extra] = parsed.positionals;
  if (parsed.values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (verb !== 'run' || !file || extra.length > 0) {
    process.stderr.write(HELP);
    return 2;
  }
  const json = parsed.values.json ?? false;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    process.stderr.write(`mdmlab scenario: cannot read ${file}: ${(err as Error).message}\n`);
    return 2;
  }
  let scenario;
  try {
    scenario = loadScenario(text);
  } catch (err) {
    if (!(err instanceof ScenarioFileError)) throw err;
    if (json) process.stdout.write(`${JSON.stringify({ file, ok: false, exitCode: 2, invalid: { path: err.path, line: err.line, reason: err.reason } }, null, 2)}\n`);
    else process.stderr.write(`${file}: invalid scenario: ${err.message}\n`);
    return 2;
  }

  const embedded = parsed.values.server ? undefined : await startEmbedded();
  const serverUrl = parsed.values.server?.replace(/\/$/, '') ?? embedded!.server.url;
  const token = parsed.values.token ?? process.env.MDMLAB_ADMIN_TOKEN ?? embedded?.server.adminToken;
  if (!token) {
    process.stderr.write('mdmlab scenario: --server needs the admin token (--token or MDMLAB_ADMIN_TOKEN)\n');
    return 2;
  }
  let result: ScenarioResult;
  let keyPool: KeyPool | undefined;
  const caPem = parsed.values.ca ? readFileSync(parsed.values.ca, 'utf8') : undefined;
  try {
    if (!json) process.stdout.write(`▶ ${scenario.name} (${file}) against ${embedded ? 'an embedded server' : serverUrl}\n`);
    result = await runScenario(scenario, {
      serverUrl,
      adminToken: token,
      ...(caPem ? { caPem } : {}),
      createDevice: (spec, i, seed) =>
        createSimulatedDevice({ id: spec.id, platform: spec.platform, seed: `${seed}:${i}:${spec.id}`, serverUrl, keyPool: (keyPool ??= new KeyPool({ seed })), ...(caPem ? { caPem } : {}) }),
      onStep: (r) => {
        if (!json) process.stdout.write(`${formatStep(r)}\n`);
      },
    });
  } finally {
    await embedded?.stop();
  }
  if (json) process.stdout.write(`${JSON.stringify({ file, ...result }, null, 2)}\n`);
  else process.stdout.write(`${formatSummary(result)}\n`);
  return result.exitCode;
}

async function startEmbedded() {
  const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-scenario-'));
  const server = await startServer({ ...DEFAULT_CONFIG, port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent' }, pino({ level: 'silent' }));
  return {
    server,
    stop: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
