import { createHash } from 'node:crypto';
import type { DevicePlatform } from '../../protocol/admin/platforms.js';
import { SeededRandom } from '../random/seeded-random.js';
import { allocate, type MixEntry } from './mix.js';

/**
 * The whole fleet, decided before anything runs and only from the seed: which platform each
 * device is, its user, whether that user set up mail by hand before enrolling, and how long the
 * user takes to react. The same seed gives the same plan (and, through each device's own seed, the
 * same UDIDs, serial numbers and PushMagic), on any host: shards each compute the plan and keep
 * their slice of it, worker threads each get a share of that slice.
 */

export interface PlanOptions {
  seed: string;
  count: number;
  mix: readonly MixEntry[];
  /** Share (0–1) of each platform's users who set up the account by hand before enrolling. */
  manualFirst: number;
  /** How long a user takes to react to a blocked profile by removing the account [min, max] ms. */
  reactDelayMs: readonly [number, number];
  /** How long after enrolling a user installs the work app a profile waits for [min, max] ms. */
  appDelayMs: readonly [number, number];
}

export interface DevicePlan {
  index: number;
  /** The name the fleet knows the device by: `ios-3f9a1c-00042`. */
  id: string;
  platform: DevicePlatform;
  /** The device's own seed (UDID, serial number, PushMagic, timer jitter). */
  seed: string;
  /** The device's user: `fleet-3f9a1c-00042@fleet.mdmlab.test`. */
  upn: string;
  manualFirst: boolean;
  reactAfterMs: number;
  appAfterMs: number;
}

/** The run's name on the server, from the seed: shards of one fleet agree on it without talking. */
export function runIdOf(seed: string): string {
  return createHash('sha256').update(`mdmlab fleet ${seed}`).digest('hex').slice(0, 6);
}

export function userPrincipalName(runId: string, index: number): string {
  return `fleet-${runId}-${pad(index)}@fleet.mdmlab.test`;
}

export function buildPlan(o: PlanOptions): DevicePlan[] {
  const random = new SeededRandom(`fleet plan ${o.seed}`);
  const runId = runIdOf(o.seed);
  const shares = allocate(o.count, o.mix);
  const platforms = random.fork('platforms').shuffle(shares.flatMap((s) => Array<DevicePlatform>(s.count).fill(s.platform)));
  // Each platform gets its share of hand-made accounts, so every platform's rule shows in a run.
  const manual = new Set<number>();
  const pick = random.fork('manual first');
  for (const s of shares) {
    const indices = platforms.flatMap((p, i) => (p === s.platform ? [i] : []));
    for (const i of pick.shuffle(indices).slice(0, Math.round(o.manualFirst * s.count))) manual.add(i);
  }
  return platforms.map((platform, index) => {
    const r = random.fork(`device ${index}`);
    return {
      index,
      id: `${platform}-${runId}-${pad(index)}`,
      platform,
      seed: `${o.seed}:${index}`,
      upn: userPrincipalName(runId, index),
      manualFirst: manual.has(index),
      reactAfterMs: between(r, o.reactDelayMs),
      appAfterMs: between(r, o.appDelayMs),
    };
  });
}

/** A fingerprint of a plan: two runs with the same seed and options print the same digest. */
export function planDigest(plan: readonly DevicePlan[]): string {
  const h = createHash('sha256');
  for (const d of plan) h.update(`${d.index} ${d.id} ${d.platform} ${d.seed} ${d.upn} ${d.manualFirst} ${d.reactAfterMs} ${d.appAfterMs}\n`);
  return h.digest('hex').slice(0, 16);
}

function between(r: SeededRandom, [min, max]: readonly [number, number]): number {
  return Math.round(min + (max - min) * r.next());
}

const pad = (i: number) => String(i).padStart(5, '0');
