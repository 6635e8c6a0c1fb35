/**
 * The long fuzz run: `npm run fuzz -- --seconds 60 [--family apple] [--seed N]`. Runs the fuzz
 * suite's properties (test/fuzz/*.test.ts, one family a file) for a time each instead of the
 * default suite's fixed number of inputs, one family after another so each has the machine to
 * itself, from a fresh random seed unless one is given, and reports per family the inputs tried,
 * inputs per second and what they were answered; a failure is reported with its seed and the
 * command that replays it. Exit code 1 when a family failed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// Run from the sources (tsx) or from dist/scripts/fuzz: the repository root is two or three levels up.
const root = existsSync(join(repoRoot, 'test', 'fuzz')) ? repoRoot : join(repoRoot, '..');

const HELP = `usage: npm run fuzz -- [--seconds 60] [--family NAME]... [--seed N]

Runs each fuzz family (test/fuzz/*.test.ts) for --seconds (per family, default 60) against its own
server process, one family at a time, and reports inputs tried and inputs per second per family.
--family picks the families whose file name contains NAME (admin, apple, scep, enroll, push, raw, windows, android, …). --seed replays a run (default: random).
`;

interface Report {
  family: string;
  file: string;
  seed: number;
  inputs: number;
  ms: number;
  statuses: Record<string, number>;
  failure?: string;
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { seconds: { type: 'string' }, family: { type: 'string', multiple: true }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (err) {
    process.stderr.write(`fuzz: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const seconds = Number(values.seconds ?? 60);
  if (!(seconds > 0)) {
    process.stderr.write(`fuzz: --seconds must be a positive number, not ${values.seconds}\n`);
    return 2;
  }
  const seed = values.seed ?? String(Math.floor(Math.random() * 2 ** 31));
  if (!/^\d+$/.test(seed)) {
    process.stderr.write(`fuzz: --seed must be a non-negative integer, not ${seed}\n`);
    return 2;
  }
  const dir = join(root, 'test', 'fuzz');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .filter((f) => !values.family || values.family.some((name) => f.includes(name)))
    .map((f) => join('test', 'fuzz', f));
  if (files.length === 0) {
    process.stderr.write(`fuzz: no family matches ${values.family?.join(', ')}\n`);
    return 2;
  }
  const work = mkdtempSync(join(tmpdir(), 'mdmlab-fuzz-run-'));
  const reportFile = join(work, 'report.jsonl');
  process.stdout.write(`fuzzing ${files.length} families for ${seconds} s each, seed ${seed}\n`);
  const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [vitest, 'run', ...files, '--no-file-parallelism', '--reporter', 'dot'], {
      cwd: root,
      env: { ...process.env, MDMLAB_FUZZ_SECONDS: String(seconds), MDMLAB_FUZZ_SEED: seed, MDMLAB_FUZZ_REPORT: reportFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (c) => {
      // Vitest's own account only matters when a family did not report (it failed before its batch).
      if (c !== 0) process.stderr.write(`${output.split('\n').slice(-60).join('\n')}\n`);
      resolve(c ?? 1);
    });
  });
  const reports: Report[] = existsSync(reportFile) ? readFileSync(reportFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Report) : [];
  rmSync(work, { recursive: true, force: true });
  process.stdout.write(table(reports));
  for (const r of reports.filter((x) => x.failure)) process.stdout.write(`\n${r.family} FAILED: ${r.failure}\n`);
  const missing = files.filter((f) => !reports.some((r) => r.file === f));
  if (missing.length > 0) process.stdout.write(`\nno report from ${missing.join(', ')} (failed before or during setup: see the output above)\n`);
  return code === 0 && missing.length === 0 && reports.every((r) => !r.failure) ? 0 : 1;
}

function table(reports: Report[]): string {
  const rows = reports.map((r) => {
    const top = Object.entries(r.statuses)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([s, n]) => `${s}:${n}`)
      .join(' ');
    return [r.family, String(r.inputs), (r.ms / 1000).toFixed(1), (r.inputs / (r.ms / 1000)).toFixed(0), r.failure ? 'FAILED' : 'ok', top];
  });
  const total = reports.reduce((n, r) => n + r.inputs, 0);
  const ms = reports.reduce((n, r) => n + r.ms, 0);
  rows.push(['total', String(total), (ms / 1000).toFixed(1), ms > 0 ? (total / (ms / 1000)).toFixed(0) : '-', '', '']);
  const head = ['family', 'inputs', 'seconds', 'inputs/s', 'result', 'answers (status:count)'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i >= 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return `\n${[line(head), ...rows.map(line)].join('\n')}\n`;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
