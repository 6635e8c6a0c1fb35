import type { LatencyView, PlatformReport, Report } from '../../agents/report/report-model.js';

/**
 * The fleet's closing summary, from its report: a few lines for a person (per platform: outcomes,
 * enrollment and mail latency p50/p95/p99/max, errors by class; peak memory; expectations), or
 * JSON (`--json`; the fields of earlier versions stay where they were).
 */

export function summaryJson(r: Report, extra: { reportFiles?: { json: string; html: string } } = {}) {
  const f = r.fleet!;
  const t = f.total;
  return {
    reason: r.run.endReason,
    elapsedMs: r.run.elapsedMs,
    devices: f.planned,
    enrolled: t.enrolled,
    enrollFailed: t.enrollFailed,
    enrollAttempts: t.enrollAttempts,
    enrollRetried: t.enrollRetried,
    commands: t.commands,
    errors: t.errors,
    enrollLatencyMs: latency(t.latency.enroll),
    /** Enrollment start → the managed account on the device (earlier versions: InstallProfile acknowledged). */
    profileLatencyMs: latency(t.latency.converge),
    outcomes: t.outcomes,
    platforms: Object.fromEntries(
      f.platforms.map((p) => [
        p.platform,
        { devices: p.planned, enrolled: p.enrolled, enrollFailed: p.enrollFailed, manualFirst: p.manualFirst, outcomes: p.outcomes, reactions: p.reactions, enrollLatencyMs: latency(p.latency.enroll), convergeLatencyMs: latency(p.latency.converge), errors: p.errors },
      ]),
    ),
    alerts: f.alerts.byKind,
    disagreements: f.disagreements.length,
    expectations: f.expectations,
    memory: { maxRssMb: f.memory.peakRssMb, heapMb: f.memory.heapMb },
    ...(f.cpu ? { cpu: f.cpu } : {}),
    ...(f.setupMs !== undefined ? { setupMs: f.setupMs } : {}),
    runId: f.runId,
    seed: r.run.seed,
    shard: f.shards.map((s) => `${s.index}/${s.of}`).join(', '),
    interrupted: r.run.interrupted,
    exitCode: r.run.exitCode,
    ...(extra.reportFiles ? { report: extra.reportFiles } : {}),
  };
}

function latency(v: LatencyView) {
  return v.count ? { count: v.count, p50: v.p50, p95: v.p95, p99: v.p99, max: v.max } : { count: 0 };
}

export function summaryText(r: Report, extra: { reportFiles?: { json: string; html: string } } = {}): string {
  const f = r.fleet!;
  const t = f.total;
  const lat = (v: LatencyView) => (v.count ? `p50 ${v.p50} ms, p95 ${v.p95} ms, p99 ${v.p99} ms, max ${v.max} ms` : 'no samples');
  const lines = [
    `fleet stopped: ${r.run.endReason} after ${(r.run.elapsedMs / 1000).toFixed(1)} s (run ${f.runId}, seed ${r.run.seed ?? '?'}${f.shards[0]!.of > 1 ? `, shard ${f.shards[0]!.index}/${f.shards[0]!.of}` : ''})`,
    `  devices   ${t.enrolled}/${f.planned} enrolled, ${t.enrollFailed} failed (${t.enrollAttempts} attempts, ${t.enrollRetried} enrolled after a retry)`,
    `  outcomes  ${outcomeWords(t)}`,
    `  enroll    ${lat(t.latency.enroll)}`,
    `  mail      ${lat(t.latency.converge)} (enrollment start → managed account on the device)`,
  ];
  if (f.platforms.length > 1 || f.platforms.some((p) => p.manualFirst > 0)) {
    for (const p of f.platforms) {
      lines.push(`  ${p.platform.padEnd(15)} ${p.enrolled}/${p.planned} enrolled; ${outcomeWords(p)}${p.manualFirst ? `; ${p.manualFirst} set up mail by hand first` : ''}`);
      lines.push(`  ${''.padEnd(15)} enroll ${lat(p.latency.enroll)}; mail ${lat(p.latency.converge)}`);
    }
  }
  lines.push(`  commands  ${Object.entries(t.commands).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
  if (f.alerts.available) lines.push(`  alerts    ${Object.entries(f.alerts.byKind).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
  if (f.disagreements.length) lines.push(`  disagree  ${f.disagreements.length} device(s) where the device and the server tell different stories (see the report)`);
  lines.push(`  memory    peak RSS ${f.memory.peakRssMb} MB`);
  for (const [k, n] of Object.entries(t.errors)) lines.push(`  error ×${n}: ${k}`);
  for (const e of f.expectations) lines.push(`  ${e.ok ? '✓' : '✗'} expect ${e.text}: ${e.actual}`);
  if (extra.reportFiles) lines.push(`  report    ${extra.reportFiles.html}`);
  return `${lines.join('\n')}\n`;
}

function outcomeWords(p: PlatformReport): string {
  const o = p.outcomes;
  return `installed ${o.installed}, replaced ${o.replaced}, blocked ${o.blocked}, waiting ${o.waiting}, failed ${o.failed}, pending ${o.pending}`;
}
