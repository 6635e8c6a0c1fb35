/**
 * The report model: what `mdmlab fleet --report`, `mdmlab scenario run --report` and the demo write
 * as report.json, and what the HTML renderer (scripts/report/) draws. One document, versioned
 * (docs/report-schema.md is its reference); a fleet run fills `fleet`, a scenario run or the demo
 * fills `scenarios`, and the renderer draws whichever sections are there.
 *
 * Everything here is plain JSON data (no Maps, no classes), so a report survives a round trip
 * through a file unchanged and `mdmlab report merge` can join shards written on other hosts.
 */

import type { DevicePlatform } from '../../protocol/admin/platforms.js';

/** The value of `schema` in every report.json. */
export const REPORT_SCHEMA = 'mdmlab-report';
/** Bumped when a field changes meaning or goes away (adding an optional field keeps the version). */
export const REPORT_VERSION = 1;

export type ReportKind = 'fleet' | 'scenario' | 'demo';

export interface Report {
  schema: typeof REPORT_SCHEMA;
  version: number;
  kind: ReportKind;
  title: string;
  /** ISO 8601. */
  generatedAt: string;
  tool: { name: 'mdmlab'; version: string; node: string };
  run: RunInfo;
  fleet?: FleetSection;
  scenarios?: ScenarioSection[];
}

export interface RunInfo {
  /** ISO 8601 (the earliest shard's start after a merge). */
  startedAt: string;
  endedAt: string;
  elapsedMs: number;
  /** Why the run ended, in words: `every device converged`, `duration reached`, `interrupted`, … */
  endReason: string;
  /** Stopped by Ctrl-C (SIGINT / SIGTERM): the report holds what happened until then. */
  interrupted: boolean;
  /** What the command exited with: 0 met, 1 not met (or a device failed), 2 cannot run. */
  exitCode: number;
  /** The run's parameters as given (flags, normalized: `{ count: 1000, mix: { ios: 40, … } }`). */
  parameters: Record<string, unknown>;
  seed?: string;
}

// --- fleet ------------------------------------------------------------------------------------

/** How a device ended up with respect to the email profile of its platform (docs/report-schema.md). */
export const OUTCOMES = ['installed', 'replaced', 'blocked', 'waiting', 'failed', 'pending'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export type OutcomeCounts = Record<Outcome, number>;

export interface FleetSection {
  /** Names the run's users, groups and profiles on the server (`fleet-<runId>-…`). */
  runId: string;
  server: { url: string; kind: 'mdmlab' | 'foreign'; embedded: boolean };
  /** The shards this report covers (one entry for an unsharded run). */
  shards: { index: number; of: number; devices: number }[];
  /** Devices the run (these shards) was to simulate. */
  planned: number;
  /** Per simulated platform, in DEVICE_PLATFORMS order. */
  platforms: PlatformReport[];
  /** Every platform together (same shape, `platform: 'all'`). */
  total: PlatformReport;
  timeline: Timeline;
  /** The devices that took longest to get their mail (enrollment start → managed account), slowest first. */
  slowest: SlowDevice[];
  alerts: AlertSummary;
  /** Peak resident memory of the simulator process; JS heap its device threads held at the end. */
  memory: { peakRssMb: number; heapMb?: number };
  /** CPU the simulator used (all its threads), in seconds. */
  cpu?: { userS: number; systemS: number };
  /** From the start until the devices began to enroll (directory objects, key pool). */
  setupMs?: number;
  /** Device and server told different stories at the end (mdmlab server only). */
  disagreements: Disagreement[];
  expectations: ExpectationResult[];
}

export interface PlatformReport {
  platform: DevicePlatform | 'all';
  planned: number;
  enrolled: number;
  /** Devices whose every enrollment attempt failed. */
  enrollFailed: number;
  enrollAttempts: number;
  /** Devices that enrolled after at least one failed attempt. */
  enrollRetried: number;
  /** Users who set the account up by hand before enrolling (`--manual-first`). */
  manualFirst: number;
  outcomes: OutcomeCounts;
  /** What the simulated users did in reaction: removed a blocking account, installed the work app. */
  reactions: { removedAccount: number; installedApp: number };
  /** Answers by `requestType status` (`InstallProfile Acknowledged`). */
  commands: Record<string, number>;
  /** Failures by class (ids and numbers folded), enrollment and background alike. */
  errors: Record<string, number>;
  latency: { enroll: LatencyView; converge: LatencyView };
}

/** A latency distribution: an HdrHistogram (fixed memory, ~0.1 % value precision) plus views of it. */
export interface LatencyView {
  unit: 'ms';
  count: number;
  min?: number;
  mean?: number;
  p50?: number;
  p95?: number;
  p99?: number;
  max?: number;
  /** Counts on a 1-2-5 log scale: `[from, to)` in ms. */
  bins: { from: number; to: number; count: number }[];
  /** The histogram itself (HdrHistogram compressed base64 V2 encoding), so shards merge exactly. */
  hdr: string;
}

/** Events per time bucket since `startedAt`; series keyed `<platform>.<event>` (`ios.enrolled`). */
export interface Timeline {
  /** Epoch ms of bucket 0. */
  startedAt: number;
  bucketMs: number;
  series: Record<string, number[]>;
}

export interface SlowDevice {
  id: string;
  platform: DevicePlatform;
  hardwareId?: string;
  outcome: Outcome;
  manualFirst: boolean;
  enrollMs?: number;
  convergeMs?: number;
  attempts: number;
}

export interface AlertSummary {
  byKind: Record<string, number>;
  /** The first alerts (newest runs can raise thousands): `truncated` says how many were left out. */
  items: { device: string; kind: string; message: string }[];
  truncated: number;
  /** Alerts are read from an mdmlab server's admin API; a foreign server's are not known. */
  available: boolean;
}

export interface Disagreement {
  device: string;
  platform: DevicePlatform;
  deviceSays: Outcome;
  /** The server's profile state (`pending`, `installed`, `blocked`, …), or `unknown device`. */
  serverSays: string;
}

export interface ExpectationResult {
  /** As given: `installed>=99%`, `ios:blocked==0`. */
  text: string;
  ok: boolean;
  /** The measured value, in the expectation's unit (`99.2%`, `3`, `1840 ms`). */
  actual: string;
}

// --- scenario -----------------------------------------------------------------------------------

export interface ScenarioSection {
  name: string;
  description?: string;
  /** The demo groups its stories by platform. */
  platform?: DevicePlatform;
  /** One sentence a person reads first (`blocked until the user removed the account`). */
  verdict?: string;
  /** The demo: what happened to each of the story's users (`manual-first`: `blocked → … → installed`). */
  cases?: { name: string; outcome: string }[];
  ok: boolean;
  exitCode: number;
  interrupted?: boolean;
  message?: string;
  steps: ScenarioStepView[];
  devices: ScenarioDeviceView[];
}

export interface ScenarioStepView {
  path: string;
  line?: number;
  kind: string;
  summary: string;
  ok: boolean;
  ms: number;
  error?: string;
  notes?: string[];
  failures: { what: string; expected: unknown; found: unknown }[];
}

export interface ScenarioDeviceView {
  id: string;
  platform: DevicePlatform;
  hardwareId?: string;
  /** The device's mail store before the first step and after the last. */
  before: MailAccountView[];
  after: MailAccountView[];
}

export interface MailAccountView {
  email: string;
  host: string;
  managed: boolean;
  /** The profile managing it (the file's ref when known, else the server's id). */
  profile?: string;
  replacedUserAccount?: boolean;
  androidProfile?: 'personal' | 'work';
  app?: string;
  accountName?: string;
}

/** The skeleton every report starts from. */
export function newReport(kind: ReportKind, title: string, run: RunInfo, toolVersion: string): Report {
  return {
    schema: REPORT_SCHEMA,
    version: REPORT_VERSION,
    kind,
    title,
    generatedAt: new Date().toISOString(),
    tool: { name: 'mdmlab', version: toolVersion, node: process.version },
    run,
  };
}

export function emptyOutcomes(): OutcomeCounts {
  return { installed: 0, replaced: 0, blocked: 0, waiting: 0, failed: 0, pending: 0 };
}
