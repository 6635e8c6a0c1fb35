import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../../agents/report/latency.js';
import { SeededRandom } from '../../../agents/random/seeded-random.js';

describe('latency histograms', () => {
  const samples = (seed: string, n: number) => {
    const r = new SeededRandom(seed);
    return Array.from({ length: n }, () => Math.round(10 + r.next() ** 3 * 20_000));
  };

  it('keep percentiles to within 0.1 % of the exact nearest-rank value', () => {
    const xs = samples('p', 5000);
    const h = new LatencyHistogram();
    for (const x of xs) h.record(x);
    const sorted = [...xs].sort((a, b) => a - b);
    for (const p of [50, 95, 99]) {
      const exact = sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
      expect(Math.abs(h.percentile(p)! - exact)).toBeLessThanOrEqual(exact * 0.001 + 1);
    }
    expect(h.summary()).toMatchObject({ count: 5000, max: expect.any(Number), min: expect.any(Number) });
  });

  it('merge exactly through their encoded form (shards, worker threads)', () => {
    const xs = samples('m', 3000);
    const whole = new LatencyHistogram();
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    xs.forEach((x, i) => {
      whole.record(x);
      (i % 2 ? a : b).record(x);
    });
    const merged = LatencyHistogram.decode(a.encode());
    merged.add(LatencyHistogram.decode(b.encode()));
    expect(merged.summary()).toEqual(whole.summary());
    expect(merged.bins()).toEqual(whole.bins());
  });

  it('bin every sample on a 1-2-5 scale', () => {
    const h = new LatencyHistogram();
    for (const x of [0, 1, 3, 7, 15, 900, 1000, 45_000]) h.record(x);
    const bins = h.bins();
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(8);
    expect(bins[0]).toEqual({ from: 0, to: 1, count: 1 });
    expect(bins.find((b) => b.from === 500)).toEqual({ from: 500, to: 1000, count: 1 });
    expect(bins.find((b) => b.from === 1000)).toEqual({ from: 1000, to: 2000, count: 1 });
    expect(bins[bins.length - 1]).toEqual({ from: 20_000, to: 50_000, count: 1 });
    expect(new LatencyHistogram().view()).toEqual({ unit: 'ms', count: 0, bins: [], hdr: '' });
  });
});
