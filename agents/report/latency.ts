import * as hdr from 'hdr-histogram-js';
import RecordedValuesIteratorModule from 'hdr-histogram-js/dist/RecordedValuesIterator.js';
import type { LatencyView } from './report-model.js';

/**
 * A latency distribution in fixed memory: an HdrHistogram (hdr-histogram-js) of milliseconds with 3
 * significant digits (values are kept to within 0.1 %), however many samples arrive. The fleet
 * records one per platform and kind in each worker thread; the main thread adds them up, and
 * `mdmlab report merge` adds up those of shards, exactly, from their encoded form.
 *
 * The pure-JavaScript histogram is used (not the WebAssembly one): it needs no initialisation,
 * works the same in worker threads, and recording is not where a fleet spends its time.
 */

const HIGHEST_MS = 3_600_000; // one hour; the histogram grows by itself past it (autoResize)

// The iterator is not re-exported by the package index; the CommonJS module's default is the class.
type RecordedValuesIterator = { hasNext(): boolean; next(): { valueIteratedTo: number; countAtValueIteratedTo: number } };
const IteratorClass = ((RecordedValuesIteratorModule as unknown as { default?: unknown }).default ?? RecordedValuesIteratorModule) as new (
  h: hdr.Histogram,
) => RecordedValuesIterator;

export class LatencyHistogram {
  readonly #h: hdr.Histogram;

  constructor(h?: hdr.Histogram) {
    this.#h = h ?? hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_MS, numberOfSignificantValueDigits: 3, useWebAssembly: false });
    this.#h.autoResize = true;
  }

  /** From `encode()` (or a report's `hdr`). */
  static decode(encoded: string): LatencyHistogram {
    if (encoded === '') return new LatencyHistogram();
    return new LatencyHistogram(hdr.decodeFromCompressedBase64(encoded, 32, false));
  }

  /** One sample in ms (rounded; negative clock steps count as 0). */
  record(ms: number): void {
    this.#h.recordValue(Math.max(0, Math.round(ms)));
  }

  add(other: LatencyHistogram): void {
    if (other.count > 0) this.#h.add(other.#h);
  }

  get count(): number {
    return this.#h.totalCount;
  }

  /** HdrHistogram's compressed base64 form ('' when empty). */
  encode(): string {
    return this.count === 0 ? '' : hdr.encodeIntoCompressedBase64(this.#h);
  }

  percentile(p: number): number | undefined {
    return this.count === 0 ? undefined : this.#h.getValueAtPercentile(p);
  }

  summary(): { count: number; min?: number; mean?: number; p50?: number; p95?: number; p99?: number; max?: number } {
    if (this.count === 0) return { count: 0 };
    const h = this.#h;
    // minNonZeroValue is MAX_SAFE_INTEGER when every sample was 0.
    const min = h.minNonZeroValue > h.maxValue ? 0 : h.minNonZeroValue;
    return { count: h.totalCount, min, mean: Math.round(h.mean), p50: h.getValueAtPercentile(50), p95: h.getValueAtPercentile(95), p99: h.getValueAtPercentile(99), max: h.getValueAtPercentile(100) };
  }

  /** Counts on a 1-2-5 logarithmic scale of ms, from the first non-empty bin to the last. */
  bins(): { from: number; to: number; count: number }[] {
    if (this.count === 0) return [];
    const edges = logEdges(this.#h.getValueAtPercentile(100));
    const counts = new Array<number>(edges.length - 1).fill(0);
    const it = new IteratorClass(this.#h);
    while (it.hasNext()) {
      const v = it.next();
      const value = v.valueIteratedTo;
      let i = 0;
      while (i < counts.length - 1 && value >= edges[i + 1]!) i++;
      counts[i]! += v.countAtValueIteratedTo;
    }
    const first = counts.findIndex((c) => c > 0);
    const last = counts.length - 1 - [...counts].reverse().findIndex((c) => c > 0);
    return counts.slice(first, last + 1).map((count, k) => ({ from: edges[first + k]!, to: edges[first + k + 1]!, count }));
  }

  view(): LatencyView {
    return { unit: 'ms', ...this.summary(), bins: this.bins(), hdr: this.encode() };
  }
}

/** 0, 1, 2, 5, 10, 20, 50, … up to the first edge above `max`. */
function logEdges(max: number): number[] {
  const edges = [0, 1];
  for (let decade = 1; edges[edges.length - 1]! <= max; decade *= 10) {
    for (const m of [2, 5, 10]) {
      edges.push(m * decade);
      if (m * decade > max) break;
    }
  }
  return edges;
}
