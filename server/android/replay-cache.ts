/**
 * The nonces of signed requests seen and still inside their signature window (RFC 9421 §7.2.2,
 * "Signature Replay": a verifier keeps the nonces it has accepted until the signatures expire).
 * Bounded: at most `maxPerKey` live nonces per device key and `maxEntries` in all. A device past its
 * own bound is refused (it alone pays for its flood); a full cache is swept of expired nonces, at
 * most once a second, and while still full refuses new ones rather than forgetting live ones,
 * which would let a replay through.
 */

export type NonceVerdict = 'fresh' | 'replayed' | 'keyFull' | 'full';

export interface ReplayCacheLimits {
  maxEntries: number;
  maxPerKey: number;
}

export const DEFAULT_REPLAY_LIMITS: ReplayCacheLimits = { maxEntries: 200_000, maxPerKey: 512 };

export class ReplayCache {
  private readonly byKey = new Map<string, Map<string, number>>();
  private size = 0;
  private lastSweep = 0;

  constructor(
    private readonly limits: ReplayCacheLimits = DEFAULT_REPLAY_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Remembers `nonce` for `keyId` until `expiresAtMs`; says whether it was fresh. */
  remember(keyId: string, nonce: string, expiresAtMs: number): NonceVerdict {
    const t = this.now();
    let nonces = this.byKey.get(keyId);
    if (nonces) {
      const until = nonces.get(nonce);
      if (until !== undefined && until > t) return 'replayed';
      if (nonces.size >= this.limits.maxPerKey) this.dropExpired(keyId, nonces, t);
      if (nonces.size >= this.limits.maxPerKey) return 'keyFull';
    }
    if (this.size >= this.limits.maxEntries) {
      if (t - this.lastSweep >= 1000) this.sweep(t);
      if (this.size >= this.limits.maxEntries) return 'full';
    }
    if (!nonces) {
      nonces = new Map();
      this.byKey.set(keyId, nonces);
    }
    if (!nonces.has(nonce)) this.size++;
    nonces.set(nonce, expiresAtMs);
    return 'fresh';
  }

  /** Live nonces held (for tests and stats). */
  get entries(): number {
    return this.size;
  }

  private dropExpired(keyId: string, nonces: Map<string, number>, t: number): void {
    for (const [nonce, until] of nonces) {
      if (until <= t) {
        nonces.delete(nonce);
        this.size--;
      }
    }
    if (nonces.size === 0) this.byKey.delete(keyId);
  }

  private sweep(t: number): void {
    this.lastSweep = t;
    for (const [keyId, nonces] of this.byKey) this.dropExpired(keyId, nonces, t);
  }
}
