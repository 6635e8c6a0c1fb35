import { describe, expect, it } from 'vitest';
import { ReplayCache } from '../../../server/android/replay-cache.js';

/** The bounded nonce cache behind the replay check of signed Android requests (RFC 9421 §7.2.2). */
describe('the replay cache', () => {
  it('refuses a nonce again while its signature is valid, and takes it again once expired', () => {
    let now = 1_000;
    const cache = new ReplayCache({ maxEntries: 10, maxPerKey: 10 }, () => now);
    expect(cache.remember('k', 'n1', 2_000)).toBe('fresh');
    expect(cache.remember('k', 'n1', 2_000)).toBe('replayed');
    expect(cache.remember('other', 'n1', 2_000)).toBe('fresh');
    now = 2_001;
    expect(cache.remember('k', 'n1', 3_000)).toBe('fresh');
  });

  it('bounds one key: past maxPerKey live nonces its requests are refused, others are not; expired ones make room', () => {
    let now = 0;
    const cache = new ReplayCache({ maxEntries: 100, maxPerKey: 3 }, () => now);
    for (const n of ['a', 'b', 'c']) expect(cache.remember('flood', n, 1_000)).toBe('fresh');
    expect(cache.remember('flood', 'd', 1_000)).toBe('keyFull');
    expect(cache.remember('calm', 'a', 1_000)).toBe('fresh');
    now = 1_001;
    expect(cache.remember('flood', 'd', 2_000)).toBe('fresh');
    expect(cache.entries).toBe(2);
  });

  it('bounds everything: a full cache sweeps expired nonces at most once a second and refuses rather than forget a live one', () => {
    let now = 0;
    const cache = new ReplayCache({ maxEntries: 3, maxPerKey: 10 }, () => now);
    cache.remember('a', '1', 500);
    cache.remember('b', '1', 5_000);
    cache.remember('c', '1', 5_000);
    expect(cache.remember('d', '1', 5_000)).toBe('full'); // swept at 0: nothing had expired
    now = 600;
    expect(cache.remember('d', '1', 5_000)).toBe('full'); // a's nonce expired, but the last sweep was under a second ago
    now = 1_000;
    expect(cache.remember('d', '1', 5_000)).toBe('fresh');
    expect(cache.remember('b', '1', 5_000)).toBe('replayed');
    expect(cache.entries).toBe(3);
  });
});
