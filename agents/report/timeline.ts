import type { Timeline } from './report-model.js';

/**
 * Counts of events per time bucket, in bounded memory: buckets start at one second, and when a run
 * outlives MAX_BUCKETS of them, neighbouring buckets are joined and the width doubles (a 10-minute
 * run keeps 1 s buckets, a day-long one ends with 2-minute buckets). Series are named
 * `<platform>.<event>` (`ios.enrolled`, `windows10.converged`).
 */

export const MAX_BUCKETS = 720;
const FIRST_BUCKET_MS = 1000;

export class EventTimeline {
  #bucketMs = FIRST_BUCKET_MS;
  readonly #series = new Map<string, number[]>();

  constructor(readonly startedAt: number) {}

  /** One event (or `n`) of `series` at epoch ms `at`. */
  record(series: string, at: number, n = 1): void {
    let i = Math.max(0, Math.floor((at - this.startedAt) / this.#bucketMs));
    while (i >= MAX_BUCKETS) {
      this.#coarsen();
      i = Math.floor(i / 2);
    }
    let counts = this.#series.get(series);
    if (!counts) this.#series.set(series, (counts = []));
    while (counts.length <= i) counts.push(0);
    counts[i]! += n;
  }

  toJSON(): Timeline {
    return { startedAt: this.startedAt, bucketMs: this.#bucketMs, series: Object.fromEntries([...this.#series].map(([k, v]) => [k, [...v]])) };
  }

  #coarsen(): void {
    this.#bucketMs *= 2;
    for (const [name, counts] of this.#series) this.#series.set(name, halve(counts));
  }
}

function halve(counts: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < counts.length; i += 2) out.push(counts[i]! + (counts[i + 1] ?? 0));
  return out;
}

/**
 * Timelines of shards (or worker threads) joined on one time axis: the earliest start, and the
 * coarsest bucket width (doubled further while buckets would exceed MAX_BUCKETS). A shard whose
 * start falls inside a bucket adds its counts to the bucket it falls in (hosts' clocks are assumed
 * in step to within a bucket).
 */
export function mergeTimelines(parts: readonly Timeline[]): Timeline {
  if (parts.length === 0) return { startedAt: 0, bucketMs: FIRST_BUCKET_MS, series: {} };
  const startedAt = Math.min(...parts.map((p) => p.startedAt));
  let bucketMs = Math.max(...parts.map((p) => p.bucketMs));
  const end = Math.max(...parts.map((p) => p.startedAt + p.bucketMs * Math.max(0, ...Object.values(p.series).map((s) => s.length))));
  while ((end - startedAt) / bucketMs > MAX_BUCKETS) bucketMs *= 2;
  const series: Record<string, number[]> = {};
  for (const p of parts) {
    for (const [name, counts] of Object.entries(p.series)) {
      const out = (series[name] ??= []);
      counts.forEach((n, i) => {
        if (n === 0) return;
        const at = p.startedAt + i * p.bucketMs;
        const j = Math.floor((at - startedAt) / bucketMs);
        while (out.length <= j) out.push(0);
        out[j]! += n;
      });
    }
  }
  return { startedAt, bucketMs, series };
}
