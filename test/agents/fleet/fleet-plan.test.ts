import { describe, expect, it } from 'vitest';
import { buildPlan, planDigest, runIdOf, type PlanOptions } from '../../../agents/fleet/fleet-plan.js';
import { parseMix } from '../../../agents/fleet/mix.js';
import { shardRange } from '../../../agents/fleet/shard.js';
import { createSimulatedDevice } from '../../../agents/platforms.js';

const options = (seed: string, count = 200): PlanOptions => ({
  seed,
  count,
  mix: parseMix('ios=40,windows10=20,windowsPhone81=5,samsungKnox=20,androidForWork=15'),
  manualFirst: 0.3,
  reactDelayMs: [1000, 5000],
  appDelayMs: [2000, 8000],
});

describe('the fleet plan', () => {
  it('is the same for the same seed: users, devices, hand-made accounts and timings', () => {
    const a = buildPlan(options('plan-seed'));
    const b = buildPlan(options('plan-seed'));
    expect(b).toEqual(a);
    expect(planDigest(b)).toBe(planDigest(a));
    expect(planDigest(buildPlan(options('another seed')))).not.toBe(planDigest(a));
  });

  it('gives each platform its share of devices and of users who set up mail by hand first', () => {
    const plan = buildPlan(options('shares', 1000));
    const of = (p: string) => plan.filter((d) => d.platform === p);
    expect(of('ios')).toHaveLength(400);
    expect(of('windowsPhone81')).toHaveLength(50);
    expect(of('ios').filter((d) => d.manualFirst)).toHaveLength(120);
    expect(of('windowsPhone81').filter((d) => d.manualFirst)).toHaveLength(15);
    expect(plan.every((d) => d.reactAfterMs >= 1000 && d.reactAfterMs <= 5000 && d.appAfterMs >= 2000 && d.appAfterMs <= 8000)).toBe(true);
    // The platforms are spread over the indices, not in blocks: shards and threads get a mix.
    expect(new Set(plan.slice(0, 50).map((d) => d.platform)).size).toBeGreaterThan(2);
  });

  it('names users and devices after the run, which the seed decides (shards agree without talking)', () => {
    const [d] = buildPlan(options('names'));
    const run = runIdOf('names');
    expect(d!.id).toBe(`${d!.platform}-${run}-00000`);
    expect(d!.upn).toBe(`fleet-${run}-00000@fleet.mdmlab.test`);
  });

  it('shards of one seed put together are the whole plan', () => {
    const whole = buildPlan(options('sharded', 101));
    const parts = [1, 2, 3].flatMap((k) => {
      const { from, to } = shardRange(101, { index: k, of: 3 });
      return buildPlan(options('sharded', 101)).slice(from, to);
    });
    expect(parts).toEqual(whole);
  });

  it('gives a device the same hardware ids from the same plan', async () => {
    const ids = async () => {
      const plan = buildPlan({ ...options('hardware', 3), mix: parseMix('ios=1') });
      const devices = await Promise.all(plan.map((d) => createSimulatedDevice({ id: d.id, platform: d.platform, seed: d.seed, serverUrl: 'http://127.0.0.1:9' })));
      const out = devices.map((d) => d.hardwareId);
      await Promise.all(devices.map((d) => d.stop()));
      return out;
    };
    const first = await ids();
    expect(new Set(first).size).toBe(3);
    expect(await ids()).toEqual(first);
  });
});
