import { FleetInputError } from './input-error.js';

/**
 * `--shard K/N`: this process plays the K-th of N slices of one fleet, so a fleet spreads over
 * processes or hosts against one server (the precedent: flightctl's `--initial-device-index`,
 * Azure's `DeviceIndex`/`DeviceCount`). Every shard computes the same plan from the same seed and
 * keeps the contiguous range of device indices that is its own; `mdmlab report merge` joins the
 * shards' reports.
 */
export interface Shard {
  /** 1-based. */
  index: number;
  of: number;
}

export const WHOLE_FLEET: Shard = { index: 1, of: 1 };

export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new FleetInputError(`--shard '${text}': expected K/N, e.g. 2/4 (the second of four shards)`);
  const index = Number(m[1]);
  const of = Number(m[2]);
  if (of < 1 || index < 1 || index > of) throw new FleetInputError(`--shard ${text}: K must be between 1 and N (1/${Math.max(1, of)} … ${Math.max(1, of)}/${Math.max(1, of)})`);
  return { index, of };
}

/** The device indices `[from, to)` of a shard: as even as whole devices allow. */
export function shardRange(count: number, shard: Shard): { from: number; to: number } {
  return { from: Math.floor(((shard.index - 1) * count) / shard.of), to: Math.floor((shard.index * count) / shard.of) };
}
