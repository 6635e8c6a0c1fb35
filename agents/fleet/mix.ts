import { DEVICE_PLATFORMS, type DevicePlatform } from '../../protocol/admin/platforms.js';
import { FleetInputError } from './input-error.js';

/**
 * The fleet's platform mix: `ios=40,windows10=20,windowsPhone81=5,samsungKnox=20,androidForWork=15`.
 * Weights are relative (they need not add up to 100); every device platform name is understood,
 * and whether it can be simulated today is the caller's question (agents/platforms.ts).
 */

export interface MixEntry {
  platform: DevicePlatform;
  weight: number;
}

export function parseMix(text: string): MixEntry[] {
  const parts = text.split(',').map((p) => p.trim());
  if (text.trim() === '' || parts.some((p) => p === '')) throw new FleetInputError(`--mix '${text}': expected PLATFORM=WEIGHT[,PLATFORM=WEIGHT…], e.g. ios=40,windows10=60`);
  const entries: MixEntry[] = [];
  for (const part of parts) {
    const m = /^([A-Za-z0-9]+)\s*=\s*(\d+(?:\.\d+)?)%?$/.exec(part);
    if (!m) throw new FleetInputError(`--mix: '${part}' is not PLATFORM=WEIGHT (e.g. ios=40)`);
    const [, name, weightText] = m;
    if (!(DEVICE_PLATFORMS as readonly string[]).includes(name!)) {
      throw new FleetInputError(`--mix: unknown platform '${name}' (platforms: ${DEVICE_PLATFORMS.join(', ')})`);
    }
    const weight = Number(weightText);
    if (!(weight > 0)) throw new FleetInputError(`--mix: the weight of ${name} must be more than 0`);
    if (entries.some((e) => e.platform === name)) throw new FleetInputError(`--mix: ${name} is given twice`);
    entries.push({ platform: name as DevicePlatform, weight });
  }
  return entries;
}

/**
 * How many of `count` devices each platform gets: shares by weight, rounded by largest remainder
 * (so they add up to `count` exactly), ties to the platform listed first. In DEVICE_PLATFORMS order.
 */
export function allocate(count: number, mix: readonly MixEntry[]): { platform: DevicePlatform; count: number }[] {
  const total = mix.reduce((n, e) => n + e.weight, 0);
  const exact = mix.map((e) => (count * e.weight) / total);
  const counts = exact.map(Math.floor);
  let left = count - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left-- <= 0) break;
    counts[i]!++;
  }
  const out = mix.map((e, i) => ({ platform: e.platform, count: counts[i]! }));
  return out.sort((a, b) => DEVICE_PLATFORMS.indexOf(a.platform) - DEVICE_PLATFORMS.indexOf(b.platform));
}

/** `ios=40,windows10=60` as the report's parameters show it. */
export function mixRecord(mix: readonly MixEntry[]): Record<string, number> {
  return Object.fromEntries(mix.map((e) => [e.platform, e.weight]));
}
