import type { DevicePlatform } from '../../protocol/admin/platforms.js';
import { LatencyHistogram } from '../report/latency.js';
import { emptyOutcomes, type Outcome, type OutcomeCounts, type Timeline } from '../report/report-model.js';

/**
 * What one share of a fleet (a worker thread, or the main thread) counts, per platform. Plain
 * fields: a share lives on one event loop. What crosses to the main thread is a snapshot made of
 * plain data (counters every half second; histograms, timeline and device records at the end).
 */

/** At most this many error classes per platform; the rest are counted together. */
const MAX_ERROR_CLASSES = 100;
const OTHER_ERRORS = 'other errors (more than 100 classes)';

export class PlatformCounters {
  planned = 0;
  enrolling = 0;
  enrolled = 0;
  enrollFailed = 0;
  enrollAttempts = 0;
  enrollRetried = 0;
  manualFirst = 0;
  backgroundErrors = 0;
  readonly reactions = { removedAccount: 0, installedApp: 0 };
  /** Every planned device is counted in exactly one outcome, or in enrollFailed. */
  readonly outcomes: OutcomeCounts = emptyOutcomes();
  readonly commands = new Map<string, number>();
  readonly errors = new Map<string, number>();
  readonly enrollLatency = new LatencyHistogram();
  readonly convergeLatency = new LatencyHistogram();

  constructor(readonly platform: DevicePlatform) {}

  moveOutcome(from: Outcome, to: Outcome): void {
    if (from === to) return;
    this.outcomes[from]--;
    this.outcomes[to]++;
  }

  error(errorClassText: string): void {
    const key = this.errors.has(errorClassText) || this.errors.size < MAX_ERROR_CLASSES ? errorClassText : OTHER_ERRORS;
    bump(this.errors, key);
  }

  progress(): PlatformProgress {
    return {
      platform: this.platform,
      planned: this.planned,
      enrolling: this.enrolling,
      enrolled: this.enrolled,
      enrollFailed: this.enrollFailed,
      outcomes: { ...this.outcomes },
      unsettled: 0,
    };
  }

  final(): PlatformFinal {
    return {
      ...this.progress(),
      enrollAttempts: this.enrollAttempts,
      enrollRetried: this.enrollRetried,
      manualFirst: this.manualFirst,
      backgroundErrors: this.backgroundErrors,
      reactions: { ...this.reactions },
      commands: Object.fromEntries(this.commands),
      errors: Object.fromEntries(this.errors),
      enrollHdr: this.enrollLatency.encode(),
      convergeHdr: this.convergeLatency.encode(),
    };
  }
}

/** Live counters of one platform in one share (what the progress display shows). */
export interface PlatformProgress {
  platform: DevicePlatform;
  planned: number;
  enrolling: number;
  enrolled: number;
  enrollFailed: number;
  outcomes: OutcomeCounts;
  /** Devices still on their way: enrolling, waiting for an answer, or with a user reaction due. */
  unsettled: number;
}

export interface PlatformFinal extends PlatformProgress {
  enrollAttempts: number;
  enrollRetried: number;
  manualFirst: number;
  backgroundErrors: number;
  reactions: { removedAccount: number; installedApp: number };
  commands: Record<string, number>;
  errors: Record<string, number>;
  enrollHdr: string;
  convergeHdr: string;
}

export interface ShareProgress {
  platforms: PlatformProgress[];
  /** Every device of the share has been through enrollment (enrolled or given up). */
  enrollmentDone: boolean;
  heapUsedMb: number;
}

/** One device at the end, for the server check, the slowest list and the outcome counts. */
export interface DeviceRecord {
  index: number;
  id: string;
  platform: DevicePlatform;
  hardwareId?: string;
  manualFirst: boolean;
  enrolled: boolean;
  enrollFailed: boolean;
  /** The device's own view (outcome.ts without the server). */
  outcome: Outcome;
  attempts: number;
  enrollMs?: number;
  convergeMs?: number;
}

export interface ShareFinal {
  platforms: PlatformFinal[];
  timeline: Timeline;
  devices: DeviceRecord[];
  heapUsedMb: number;
}

export function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/**
 * Groups error messages that differ only in ids, numbers and query strings. Query values go first:
 * an error naming its URL would otherwise print the enrollment token (`/mdm/enroll?token=…`).
 */
export function errorClass(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text
    .replace(/([?&][^=\s&?#]+=)[^\s&#]*/g, '$1…')
    .replace(/[0-9A-F]{8}-[0-9A-F-]{8,}/gi, '<id>')
    .replace(/\d+/g, 'N')
    .slice(0, 120);
}
