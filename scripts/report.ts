import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { mergeReports, readReport, ReportError } from '../agents/report/merge.js';
import type { Report } from '../agents/report/report-model.js';
import { writeReport } from './report/write-report.js';

const HELP = `usage: mdmlab report FILE [--out DIR]
       mdmlab report merge A B … --out DIR

  mdmlab report DIR/report.json     renders report.html again from report.json (next to it, or in --out)
  mdmlab report merge A B …         joins the reports of the shards of one fleet (--shard K/N, same
                                    --seed): counters added, latency histograms merged, expectations
                                    checked again on the whole fleet; writes DIR/report.json and
                                    DIR/report.html. A and B may be report.json files or their folders.

The report format is described in docs/report-schema.md.
Exit codes: 0 written, 2 a report that cannot be read or merged.
`;

/** `mdmlab report …`: returns the exit code. */
export async function reportCommand(argv: string[]): Promise<number> {
  const merging = argv[0] === 'merge';
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({ args: merging ? argv.slice(1) : argv, allowPositionals: true, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    process.stderr.write(`mdmlab report: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    if (merging) {
      if (!values.out) throw new ReportError('merge needs --out DIR (where the joined report goes)');
      const merged = mergeReports(positionals.map((p) => ({ report: load(p), where: p })));
      const written = writeReport(values.out, merged);
      process.stdout.write(`merged ${positionals.length} reports (shards ${String(merged.run.parameters.shards)}): ${written.json}\n${written.html}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw new ReportError('give one report.json (or its folder); `mdmlab report merge A B … --out DIR` joins shards');
    const file = reportFile(positionals[0]!);
    const written = writeReport(values.out ?? dirname(file), load(file));
    process.stdout.write(`${written.html}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`mdmlab report: ${err instanceof ReportError ? err.message : (err as Error).message.split('\n')[0]}\n`);
    return 2;
  }
}

function reportFile(path: string): string {
  return existsSync(path) && statSync(path).isDirectory() ? join(path, 'report.json') : path;
}

function load(path: string): Report {
  const file = reportFile(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ReportError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ReportError(`${file} is not JSON (${(err as Error).message})`);
  }
  return readReport(json, file);
}
