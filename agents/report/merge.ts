import { parseExpectation, evaluateExpectation } from '../fleet/expectations.js';
import { DEVICE_PLATFORMS } from '../../protocol/admin/platforms.js';
import { addRecords, sumReports } from './platform-sum.js';
import { REPORT_SCHEMA, REPORT_VERSION, type FleetSection, type Report } from './report-model.js';
import { mergeTimelines } from './timeline.js';

/**
 * `mdmlab report merge A B …`: the reports of the shards of one fleet (`--shard K/N`, same seed)
 * joined into one: counters added, latency histograms merged exactly (they travel as HdrHistogram
 * encodings), timelines put on one time axis, the slowest devices and alerts of all shards, and
 * the run's `--expect` thresholds checked again against the whole fleet.
 */

export class ReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportError';
  }
}

/** A parsed report.json, checked to be one this version can read. */
export function readReport(json: unknown, where: string): Report {
  const r = json as Partial<Report> | null;
  if (!r || typeof r !== 'object' || r.schema !== REPORT_SCHEMA) throw new ReportError(`${where} is not an mdmlab report (no "schema": "${REPORT_SCHEMA}")`);
  if (typeof r.version !== 'number' || r.version > REPORT_VERSION) {
    throw new ReportError(`${where} is a version ${String(r.version)} report; this mdmlab reads versions up to ${REPORT_VERSION}`);
  }
  if (!r.run || typeof r.title !== 'string') throw new ReportError(`${where} lacks its run or title`);
  return r as Report;
}

const SLOWEST = 25;
const MAX_ITEMS = 50;

export function mergeReports(reports: readonly { report: Report; where: string }[]): Report {
  if (reports.length < 2) throw new ReportError('merge needs at least two reports (the shards of one fleet)');
  for (const { report, where } of reports) if (!report.fleet) throw new ReportError(`${where} is not a fleet report: merge joins the shards of one fleet`);
  const sections = reports.map((r) => r.report.fleet!);
  const runIds = [...new Set(sections.map((s) => s.runId))];
  if (runIds.length > 1) throw new ReportError(`these reports come from different fleets (runs ${runIds.join(', ')}): merge joins the shards of one fleet (same --seed)`);
  const shards = sections.flatMap((s) => s.shards);
  const seen = new Set<number>();
  for (const s of shards) {
    if (seen.has(s.index)) throw new ReportError(`shard ${s.index}/${s.of} is given twice`);
    seen.add(s.index);
  }
  if (new Set(shards.map((s) => s.of)).size > 1) throw new ReportError(`the reports disagree on the number of shards (${[...new Set(shards.map((s) => `/${s.of}`))].join(', ')})`);

  const platforms = DEVICE_PLATFORMS.flatMap((p) => {
    const parts = sections.flatMap((s) => s.platforms.filter((x) => x.platform === p));
    return parts.length ? [sumReports(parts, p)] : [];
  });
  const total = sumReports(platforms);
  const alertItems = sections.flatMap((s) => s.alerts.items);
  const expectTexts = expectationsOf(reports[0]!.report);
  const fleet: FleetSection = {
    runId: runIds[0]!,
    server: sections[0]!.server,
    shards: shards.sort((a, b) => a.index - b.index),
    planned: sections.reduce((n, s) => n + s.planned, 0),
    platforms,
    total,
    timeline: mergeTimelines(sections.map((s) => s.timeline)),
    slowest: sections
      .flatMap((s) => s.slowest)
      .sort((a, b) => rank(b.convergeMs) - rank(a.convergeMs) || (b.enrollMs ?? 0) - (a.enrollMs ?? 0))
      .slice(0, SLOWEST),
    alerts: {
      available: sections.some((s) => s.alerts.available),
      byKind: addRecords(sections.map((s) => s.alerts.byKind)),
      items: alertItems.slice(0, MAX_ITEMS),
      truncated: sections.reduce((n, s) => n + s.alerts.truncated, 0) + Math.max(0, alertItems.length - MAX_ITEMS),
    },
    memory: { peakRssMb: Math.max(...sections.map((s) => s.memory.peakRssMb)) },
    // The shards' processes together (each ran on its own, perhaps on its own host).
    ...(sections.every((s) => s.cpu) ? { cpu: { userS: sum(sections.map((s) => s.cpu!.userS)), systemS: sum(sections.map((s) => s.cpu!.systemS)) } } : {}),
    disagreements: sections.flatMap((s) => s.disagreements).slice(0, MAX_ITEMS),
    expectations: expectTexts.map((t) => evaluateExpectation(parseExpectation(t), { platforms, total })),
  };
  const runs = reports.map((r) => r.report.run);
  const startedAt = Math.min(...runs.map((r) => Date.parse(r.startedAt)));
  const endedAt = Math.max(...runs.map((r) => Date.parse(r.endedAt)));
  const cannotRun = runs.some((r) => r.exitCode === 2);
  const { shard: _shard, ...parameters } = runs[0]!.parameters;
  const first = reports[0]!.report;
  return {
    ...first,
    generatedAt: new Date().toISOString(),
    title: first.title.replace(/ \(shard \d+\/\d+\)$/, ''),
    run: {
      startedAt: new Date(startedAt).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      elapsedMs: endedAt - startedAt,
      endReason: [...new Set(runs.map((r) => r.endReason))].join('; '),
      interrupted: runs.some((r) => r.interrupted),
      exitCode: cannotRun ? 2 : fleetVerdict(fleet, expectTexts.length > 0),
      parameters: { ...parameters, shards: fleet.shards.map((s) => `${s.index}/${s.of}`).join(', ') },
      ...(first.run.seed !== undefined ? { seed: first.run.seed } : {}),
    },
    fleet,
  };
}

/**
 * A fleet's exit code from its figures: with `--expect`, exactly whether every expectation held
 * (0 / 1); without, 1 when a device never enrolled.
 */
export function fleetVerdict(fleet: FleetSection, expectationsGiven: boolean): 0 | 1 {
  if (expectationsGiven) return fleet.expectations.every((e) => e.ok) ? 0 : 1;
  return fleet.total.enrollFailed > 0 ? 1 : 0;
}

function expectationsOf(r: Report): string[] {
  const e = r.run.parameters.expect;
  return Array.isArray(e) ? e.filter((x): x is string => typeof x === 'string') : [];
}

const sum = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) * 10) / 10;
const rank = (ms: number | undefined) => (ms === undefined ? Number.MAX_SAFE_INTEGER : ms);
