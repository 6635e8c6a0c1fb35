import { describe, expect, it } from 'vitest';
import { evaluateExpectation, parseExpectation } from '../../../agents/fleet/expectations.js';
import { FleetInputError } from '../../../agents/fleet/input-error.js';
import { allocate, parseMix } from '../../../agents/fleet/mix.js';
import { parseDelayRange, parseRate, parseShare } from '../../../agents/fleet/quantities.js';
import { parseShard, shardRange } from '../../../agents/fleet/shard.js';
import { parseDuration } from '../../../agents/scenario/duration.js';
import { LatencyHistogram } from '../../../agents/report/latency.js';
import { emptyOutcomes, type PlatformReport } from '../../../agents/report/report-model.js';

const refused = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(FleetInputError);
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('--mix', () => {
  it('reads every device platform with relative weights', () => {
    expect(parseMix('ios=40,windows10=20,windowsPhone81=5,samsungKnox=20,androidForWork=15').map((e) => e.platform)).toEqual(['ios', 'windows10', 'windowsPhone81', 'samsungKnox', 'androidForWork']);
    expect(parseMix(' ios = 1 , windows10=3% ')).toEqual([{ platform: 'ios', weight: 1 }, { platform: 'windows10', weight: 3 }]);
  });

  it('refuses malformed mixes with one line naming the problem', () => {
    expect(refused(() => parseMix('ios40'))).toMatch(/'ios40' is not PLATFORM=WEIGHT/);
    expect(refused(() => parseMix('iso=40'))).toMatch(/unknown platform 'iso'/);
    expect(refused(() => parseMix('ios=0'))).toMatch(/more than 0/);
    expect(refused(() => parseMix('ios=1,ios=2'))).toMatch(/twice/);
    expect(refused(() => parseMix('ios=1,,windows10=1'))).toMatch(/expected PLATFORM=WEIGHT/);
    expect(refused(() => parseMix(''))).toMatch(/expected PLATFORM=WEIGHT/);
  });

  it('gives whole devices that add up to the count, by largest remainder', () => {
    const mix = parseMix('ios=40,windows10=20,windowsPhone81=5,samsungKnox=20,androidForWork=15');
    expect(allocate(10_000, mix).map((a) => a.count)).toEqual([4000, 2000, 500, 2000, 1500]);
    const thirds = allocate(10, parseMix('ios=1,windows10=1,samsungKnox=1'));
    expect(thirds.reduce((n, a) => n + a.count, 0)).toBe(10);
    expect(thirds.map((a) => a.count)).toEqual([4, 3, 3]); // ties go to the platform listed first
  });
});

describe('--shard', () => {
  it('reads K/N and refuses anything else', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, of: 4 });
    expect(refused(() => parseShard('0/4'))).toMatch(/between 1 and N/);
    expect(refused(() => parseShard('5/4'))).toMatch(/between 1 and N/);
    expect(refused(() => parseShard('2-4'))).toMatch(/expected K\/N/);
    expect(refused(() => parseShard('two/4'))).toMatch(/expected K\/N/);
  });

  it('slices the fleet into contiguous ranges that cover it exactly once', () => {
    for (const [count, of] of [[10, 3], [7, 7], [10_000, 4], [5, 1]] as const) {
      const ranges = Array.from({ length: of }, (_, i) => shardRange(count, { index: i + 1, of }));
      expect(ranges[0]!.from).toBe(0);
      expect(ranges[of - 1]!.to).toBe(count);
      for (let i = 1; i < of; i++) expect(ranges[i]!.from).toBe(ranges[i - 1]!.to);
    }
  });
});

describe('quantities', () => {
  it('reads shares, rates and delay ranges', () => {
    expect(parseShare('--manual-first', '30%')).toBeCloseTo(0.3);
    expect(parseShare('--manual-first', '30')).toBeCloseTo(0.3);
    expect(refused(() => parseShare('--manual-first', '130%'))).toMatch(/between 0% and 100%/);
    expect(parseRate('--rate', '200/s')).toBe(200);
    expect(parseRate('--rate', '600/m')).toBe(10);
    expect(refused(() => parseRate('--rate', 'fast'))).toMatch(/200\/s/);
    expect(parseDelayRange('--react-after', '2s..10s', parseDuration)).toEqual([2000, 10_000]);
    expect(parseDelayRange('--react-after', '500ms', parseDuration)).toEqual([500, 500]);
    expect(refused(() => parseDelayRange('--react-after', '10s..2s', parseDuration))).toMatch(/2s\.\.10s/);
  });
});

function platform(p: PlatformReport['platform'], planned: number, outcomes: Partial<PlatformReport['outcomes']>, enrollP95?: number): PlatformReport {
  const h = new LatencyHistogram();
  if (enrollP95 !== undefined) for (let i = 0; i < 100; i++) h.record(enrollP95);
  return {
    platform: p,
    planned,
    enrolled: planned,
    enrollFailed: 0,
    enrollAttempts: planned,
    enrollRetried: 0,
    manualFirst: 0,
    outcomes: { ...emptyOutcomes(), ...outcomes },
    reactions: { removedAccount: 0, installedApp: 0 },
    commands: {},
    errors: { 'GET /mdm/enroll answered N': 2 },
    latency: { enroll: h.view(), converge: new LatencyHistogram().view() },
  };
}

describe('--expect', () => {
  const ios = platform('ios', 100, { installed: 95, blocked: 5 }, 1500);
  const windows = platform('windows10', 100, { installed: 70, replaced: 30 });
  const total = platform('all', 200, { installed: 165, replaced: 30, blocked: 5 }, 1500);
  const check = (text: string) => evaluateExpectation(parseExpectation(text), { platforms: [ios, windows], total });

  it('checks shares, counts, sums of outcomes, platforms and latencies', () => {
    expect(check('installed+replaced>=97%')).toMatchObject({ ok: true, actual: '97.5% (195 of 200)' });
    expect(check('installed>=99%')).toMatchObject({ ok: false });
    expect(check('ios:blocked==5')).toMatchObject({ ok: true, actual: '5' });
    expect(check('ios:blocked=0')).toMatchObject({ ok: false });
    expect(check('windows10:replaced>0')).toMatchObject({ ok: true });
    expect(check('failed<=1%')).toMatchObject({ ok: true });
    expect(check('errors<5')).toMatchObject({ ok: true, actual: '2' });
    expect(check('enroll.p95<=2s')).toMatchObject({ ok: true });
    expect(check('enroll.p95<1500ms')).toMatchObject({ ok: false });
    expect(check('converge.p99<=10s')).toMatchObject({ ok: false, actual: 'no samples' });
  });

  it('refuses malformed expectations with one line', () => {
    expect(refused(() => parseExpectation('installed'))).toMatch(/expected \[PLATFORM:\]METRIC OP VALUE/);
    expect(refused(() => parseExpectation('installed=>99%'))).toMatch(/a count or a percentage/);
    expect(refused(() => parseExpectation('instaled>=99%'))).toMatch(/unknown metric 'instaled'/);
    expect(refused(() => parseExpectation('iso:installed>=99%'))).toMatch(/unknown platform 'iso'/);
    expect(refused(() => parseExpectation('installed>=101%'))).toMatch(/cannot exceed 100%/);
    expect(refused(() => parseExpectation('installed>=many'))).toMatch(/a count or a percentage/);
    expect(refused(() => parseExpectation('enroll.p95<=soon'))).toMatch(/needs a duration/);
  });
});
