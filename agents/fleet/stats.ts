/**
 * Fleet counters and latency samples. One process, one event loop: plain fields, no locks (a
 * multi-threaded simulator would need atomic counters here).
 */
export class LatencyRecorder {
  private readonly samples: number[] = [];

  add(ms: number): void {
    this.samples.push(ms);
  }

  get count(): number {
    return this.samples.length;
  }

  /** Nearest-rank percentile; undefined without samples. */
  percentile(p: number): number | undefined {
    if (this.samples.length === 0) return undefined;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[rank];
  }

  summary(): { count: number; p50?: number; p95?: number; p99?: number; max?: number } {
    const r = (v: number | undefined) => (v === undefined ? undefined : Math.round(v));
    return {
      count: this.count,
      ...(this.count ? { p50: r(this.percentile(50)), p95: r(this.percentile(95)), p99: r(this.percentile(99)), max: r(this.percentile(100)) } : {}),
    };
  }
}

export interface FleetCounters {
  devices: number;
  enrolling: number;
  enrolled: number;
  /** Devices whose every enrollment attempt failed. */
  enrollFailed: number;
  /** Enrollment attempts over all devices (first tries and retries). */
  enrollAttempts: number;
  /** Devices that enrolled after at least one failed attempt. */
  enrollRetried: number;
  /** Commands answered, by request type and status in the platform's words: `InstallProfile Acknowledged`, `Atomic 200`. */
  commands: Map<string, number>;
  /** Profile installs the devices confirmed (neutral: any platform's successful install). */
  profilesInstalled: number;
  /** Commands the devices refused or failed (neutral outcome `failure`). */
  commandFailures: number;
  backgroundErrors: number;
  /** Error messages by class (first words), for the summary. */
  errors: Map<string, number>;
}

export function newCounters(): FleetCounters {
  return {
    devices: 0,
    enrolling: 0,
    enrolled: 0,
    enrollFailed: 0,
    enrollAttempts: 0,
    enrollRetried: 0,
    commands: new Map(),
    profilesInstalled: 0,
    commandFailures: 0,
    backgroundErrors: 0,
    errors: new Map(),
  };
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
