import { LatencyHistogram } from './latency.js';
import { emptyOutcomes, type Outcome, type PlatformReport } from './report-model.js';

/** Platforms (or shards' platforms) added up: counters summed, histograms merged exactly. */
export function sumReports(reports: readonly PlatformReport[], platform: PlatformReport['platform'] = 'all'): PlatformReport {
  const enroll = new LatencyHistogram();
  const converge = new LatencyHistogram();
  const outcomes = emptyOutcomes();
  for (const r of reports) {
    enroll.add(LatencyHistogram.decode(r.latency.enroll.hdr));
    converge.add(LatencyHistogram.decode(r.latency.converge.hdr));
    for (const k of Object.keys(outcomes) as Outcome[]) outcomes[k] += r.outcomes[k];
  }
  const sum = (f: (p: PlatformReport) => number) => reports.reduce((n, p) => n + f(p), 0);
  return {
    platform,
    planned: sum((r) => r.planned),
    enrolled: sum((r) => r.enrolled),
    enrollFailed: sum((r) => r.enrollFailed),
    enrollAttempts: sum((r) => r.enrollAttempts),
    enrollRetried: sum((r) => r.enrollRetried),
    manualFirst: sum((r) => r.manualFirst),
    outcomes,
    reactions: { removedAccount: sum((r) => r.reactions.removedAccount), installedApp: sum((r) => r.reactions.installedApp) },
    commands: addRecords(reports.map((r) => r.commands)),
    errors: addRecords(reports.map((r) => r.errors)),
    latency: { enroll: enroll.view(), converge: converge.view() },
  };
}

export function addRecords(parts: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p)) out[k] = (out[k] ?? 0) + v;
  return out;
}
