import { describe, expect, it } from 'vitest';
import { EventTimeline, MAX_BUCKETS, mergeTimelines } from '../../../agents/report/timeline.js';

describe('event timelines', () => {
  it('count events per second, and join buckets when a run outlives them (bounded memory)', () => {
    const t = new EventTimeline(1_000_000);
    t.record('ios.enrolled', 1_000_000);
    t.record('ios.enrolled', 1_000_999);
    t.record('ios.enrolled', 1_002_500);
    expect(t.toJSON()).toEqual({ startedAt: 1_000_000, bucketMs: 1000, series: { 'ios.enrolled': [2, 0, 1] } });
    t.record('ios.converged', 1_000_000 + MAX_BUCKETS * 1000); // one bucket too far: widths double
    const j = t.toJSON();
    expect(j.bucketMs).toBe(2000);
    expect(j.series['ios.enrolled']).toEqual([2, 1]);
    expect(j.series['ios.converged']!.length).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(j.series['ios.converged']!.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('merge shards on one time axis: earliest start, coarsest buckets, nothing lost', () => {
    const a = { startedAt: 10_000, bucketMs: 1000, series: { 'ios.enrolled': [1, 2, 3] } };
    const b = { startedAt: 12_000, bucketMs: 2000, series: { 'ios.enrolled': [4], 'windows10.enrolled': [0, 5] } };
    const m = mergeTimelines([a, b]);
    expect(m.startedAt).toBe(10_000);
    expect(m.bucketMs).toBe(2000);
    expect(m.series['ios.enrolled']).toEqual([3, 7]);
    expect(m.series['windows10.enrolled']).toEqual([0, 0, 5]);
  });
});
