import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PushGateway } from '../../../server/push/gateway.js';
import { PushTokens } from '../../../server/push/push-tokens.js';

/**
 * Issue 7, item 3: a notification is held for a limited time whatever its sender asks (the issue
 * saw the year 3000 accepted). Seen through a gateway with a clock of its own, so expiry needs no
 * waiting; the HTTP side of the same rules is in push-limits.test.ts.
 */
describe('the hold time cap', () => {
  it('holds for at most maxTtlSeconds whatever the sender asks, and TTL 0 is never held', async () => {
    let now = 1_000_000;
    const tokens = new PushTokens(randomBytes(32));
    const gateway = new PushGateway({ log: pino({ level: 'silent' }), tokens, now: () => now, limits: { maxTtlSeconds: 3600, defaultTtlSeconds: 60 } });
    try {
      const [a, b, c] = [tokens.issue(), tokens.issue(), tokens.issue()];
      expect(gateway.send(a, 't', { mdm: 'm' }, 1000 * 365 * 24 * 3600)).toBe('held');
      expect(gateway.send(b, 't', { mdm: 'm' })).toBe('held');
      expect(gateway.send(c, 't', { mdm: 'm' }, 0)).toBe('expired');
      expect(gateway.stats()).toMatchObject({ held: 2, expired: 1 });
      now += 61_000;
      expect(gateway.stats()).toMatchObject({ held: 1, expired: 2 });
      now += 3600_000;
      expect(gateway.stats()).toMatchObject({ held: 0, expired: 3 });
    } finally {
      gateway.close();
    }
  });

  it('refuses limits that make no sense', () => {
    const tokens = new PushTokens(randomBytes(32));
    const log = pino({ level: 'silent' });
    expect(() => new PushGateway({ log, tokens, limits: { maxHeld: 0 } })).toThrow(/maxHeld/);
    expect(() => new PushGateway({ log, tokens, limits: { defaultTtlSeconds: 10, maxTtlSeconds: 5 } })).toThrow(/defaultTtlSeconds/);
    expect(() => new PushTokens(randomBytes(8))).toThrow(/secret/);
  });
});
