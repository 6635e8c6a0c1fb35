import { randomBytes } from 'node:crypto';
import * as plist from 'plist';
import { encodeCheckIn } from '../../protocol/apple/checkin.js';
import { encodeReport } from '../../protocol/apple/command-report.js';
import { decodePlist } from '../../protocol/apple/plist-codec.js';

/**
 * npm run bench plist — the biggest fixed cost of an Apple check-in (README, "Benchmarks"): our
 * strict parser against the `plist` package on a 2.4 KB TokenUpdate and an Idle report.
 */
function perCallMicros(f: () => unknown, iterations: number): number {
  for (let i = 0; i < Math.min(1000, iterations); i++) f();
  const samples: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) f();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000 / iterations);
  }
  return samples.sort((a, b) => a - b)[2]!;
}

const tu = encodeCheckIn({
  MessageType: 'TokenUpdate',
  Topic: 'com.apple.mgmt.External.0b9d2c4e-5f1a-4f6b-9a1d-2b3c4d5e6f70',
  UDID: '00008110-001A2B3C4D5E6F70',
  Token: randomBytes(32),
  PushMagic: '4B0A6F0E-3C2D-4E5F-8A9B-0C1D2E3F4A5B',
  UnlockToken: randomBytes(1320),
});
const idle = encodeReport({ Status: 'Idle', UDID: '00008110-001A2B3C4D5E6F70' });
const rows = [
  ['TokenUpdate', tu],
  ['Idle report', idle],
] as const;
for (const [what, text] of rows) {
  const bytes = Buffer.from(text);
  const theirs = perCallMicros(() => plist.parse(text), 2000);
  const ours = perCallMicros(() => decodePlist(bytes), 20000);
  process.stdout.write(`${what} (${bytes.length} B): plist package ${theirs.toFixed(1)} µs, mdmlab ${ours.toFixed(1)} µs (${(theirs / ours).toFixed(1)}x)\n`);
}
