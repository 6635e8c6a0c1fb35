import { DEVICE_PLATFORMS, type DevicePlatform } from '../../protocol/admin/platforms.js';
import { LatencyHistogram } from '../report/latency.js';
import { emptyOutcomes, type Disagreement, type FleetSection, type Outcome, type PlatformReport, type SlowDevice } from '../report/report-model.js';
import { addRecords, sumReports } from '../report/platform-sum.js';
import { mergeTimelines } from '../report/timeline.js';
import { evaluateExpectation, type Expectation } from './expectations.js';
import type { ServerView } from './server-check.js';
import type { Shard } from './shard.js';
import type { DeviceRecord, PlatformFinal, ShareFinal } from './share-stats.js';

/**
 * The fleet section of a report, from the shares' final figures and (mdmlab server) the server's
 * view of the same devices. The server's profile state decides a device's outcome when there is
 * one; where the device told another story, both are listed under `disagreements`.
 */

export interface FleetReportInput {
  runId: string;
  server: FleetSection['server'];
  shard: Shard;
  finals: readonly ShareFinal[];
  serverView?: ServerView;
  peakRssMb: number;
  cpu?: { userS: number; systemS: number };
  setupMs?: number;
  expectations: readonly Expectation[];
}

const SLOWEST = 25;
const MAX_DISAGREEMENTS = 50;

export function buildFleetSection(i: FleetReportInput): FleetSection {
  const records = i.finals.flatMap((f) => f.devices);
  const disagreements: Disagreement[] = [];
  const outcomeOf = new Map<string, Outcome>();
  for (const r of records) {
    if (!r.enrolled) continue;
    const server = i.serverView?.states.get(r.id);
    const outcome = reconcile(r.outcome, server);
    outcomeOf.set(r.id, outcome);
    if (server !== undefined && fold(outcome) !== fold(r.outcome)) disagreements.push({ device: r.id, platform: r.platform, deviceSays: r.outcome, serverSays: server });
    if (i.serverView?.unlisted.includes(r.id)) disagreements.push({ device: r.id, platform: r.platform, deviceSays: r.outcome, serverSays: 'not enrolled' });
  }
  const platforms = DEVICE_PLATFORMS.flatMap((p) => {
    const parts = i.finals.flatMap((f) => f.platforms.filter((x) => x.platform === p));
    return parts.length ? [platformReport(p, parts, records.filter((r) => r.platform === p), outcomeOf)] : [];
  });
  const total = sumReports(platforms);
  return {
    runId: i.runId,
    server: i.server,
    shards: [{ index: i.shard.index, of: i.shard.of, devices: records.length }],
    planned: records.length,
    platforms,
    total,
    timeline: mergeTimelines(i.finals.map((f) => f.timeline)),
    slowest: slowest(records, outcomeOf),
    alerts: i.serverView?.alerts ?? { available: false, byKind: {}, items: [], truncated: 0 },
    memory: { peakRssMb: i.peakRssMb, heapMb: i.finals.reduce((n, f) => n + f.heapUsedMb, 0) },
    ...(i.cpu ? { cpu: i.cpu } : {}),
    ...(i.setupMs !== undefined ? { setupMs: i.setupMs } : {}),
    disagreements: disagreements.slice(0, MAX_DISAGREEMENTS),
    expectations: i.expectations.map((e) => evaluateExpectation(e, { platforms, total })),
  };
}

/** The server's state decides; the device tells installed from replaced (the server sees both as installed). */
export function reconcile(deviceSays: Outcome, serverState: string | undefined): Outcome {
  switch (serverState) {
    case undefined:
      return deviceSays;
    case 'installed':
      return deviceSays === 'replaced' ? 'replaced' : 'installed';
    case 'blocked':
      return 'blocked';
    case 'failed':
      return 'failed';
    case 'waitingForApp':
      return 'waiting';
    default:
      return 'pending';
  }
}

const fold = (o: Outcome) => (o === 'replaced' ? 'installed' : o);

function platformReport(platform: DevicePlatform, parts: readonly PlatformFinal[], records: readonly DeviceRecord[], outcomeOf: Map<string, Outcome>): PlatformReport {
  const enroll = new LatencyHistogram();
  const converge = new LatencyHistogram();
  for (const p of parts) {
    enroll.add(LatencyHistogram.decode(p.enrollHdr));
    converge.add(LatencyHistogram.decode(p.convergeHdr));
  }
  const outcomes = emptyOutcomes();
  for (const r of records) if (!r.enrollFailed) outcomes[outcomeOf.get(r.id) ?? r.outcome]++;
  const sum = (f: (p: PlatformFinal) => number) => parts.reduce((n, p) => n + f(p), 0);
  return {
    platform,
    planned: sum((p) => p.planned),
    enrolled: sum((p) => p.enrolled),
    enrollFailed: sum((p) => p.enrollFailed),
    enrollAttempts: sum((p) => p.enrollAttempts),
    enrollRetried: sum((p) => p.enrollRetried),
    manualFirst: sum((p) => p.manualFirst),
    outcomes,
    reactions: { removedAccount: sum((p) => p.reactions.removedAccount), installedApp: sum((p) => p.reactions.installedApp) },
    commands: addRecords(parts.map((p) => p.commands)),
    errors: addRecords(parts.map((p) => p.errors)),
    latency: { enroll: enroll.view(), converge: converge.view() },
  };
}

/**
 * The devices that took longest to get their mail: those that never did first (blocked, failed,
 * waiting, still pending: slowest of all), then by time to mail.
 */
function slowest(records: readonly DeviceRecord[], outcomeOf: Map<string, Outcome>): SlowDevice[] {
  const rank = (r: DeviceRecord) => (r.convergeMs === undefined ? Infinity : r.convergeMs);
  return records
    .filter((r) => r.enrolled)
    .sort((a, b) => (rank(a) !== rank(b) ? (rank(b) > rank(a) ? 1 : -1) : (b.enrollMs ?? 0) - (a.enrollMs ?? 0)))
    .slice(0, SLOWEST)
    .map((r) => ({
      id: r.id,
      platform: r.platform,
      ...(r.hardwareId ? { hardwareId: r.hardwareId } : {}),
      outcome: outcomeOf.get(r.id) ?? r.outcome,
      manualFirst: r.manualFirst,
      ...(r.enrollMs !== undefined ? { enrollMs: r.enrollMs } : {}),
      ...(r.convergeMs !== undefined ? { convergeMs: r.convergeMs } : {}),
      attempts: r.attempts,
    }));
}
