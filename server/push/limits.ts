/**
 * What the push gateway lets anyone make it hold (the project's safety rule: any client may send
 * anything, and everything a client can make the server hold is bounded). The defaults fit a 10,000-device simulated fleet run from one host
 * with room to spare, and cap what a misbehaving client can cost.
 */
export interface PushLimits {
  /** WebSockets open at once, connected or still upgrading; beyond it an upgrade gets 503. */
  maxConnections: number;
  /** A WebSocket that has not sent its `connect` message by then is closed. */
  connectTimeoutMs: number;
  /** Ping interval; a connection that did not answer the previous ping is dropped. 0: no pings. */
  heartbeatMs: number;
  /** Notifications held for offline devices at once (one per token); beyond it a hold is refused. */
  maxHeld: number;
  /** How long a notification is held when the sender does not say (APNs: until apns-expiration). */
  defaultTtlSeconds: number;
  /**
   * The longest a notification is held, whatever apns-expiration asks: APNs too stores a
   * notification for an offline device only for a limited time (Apple Developer, "Sending
   * notification requests to APNs", apns-expiration), and devices also check in on a timer.
   */
  maxTtlSeconds: number;
}

export const DEFAULT_PUSH_LIMITS: Readonly<PushLimits> = Object.freeze({
  maxConnections: 20_000,
  connectTimeoutMs: 10_000,
  heartbeatMs: 60_000,
  maxHeld: 50_000,
  defaultTtlSeconds: 24 * 3600,
  maxTtlSeconds: 7 * 24 * 3600,
});

/** The limits to run with: the defaults, with what the configuration sets; refuses nonsense at start. */
export function pushLimits(overrides: Partial<PushLimits> = {}): PushLimits {
  const limits = { ...DEFAULT_PUSH_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    const zeroAllowed = name === 'heartbeatMs';
    if (!Number.isInteger(value) || value < (zeroAllowed ? 0 : 1)) {
      throw new RangeError(`push limit ${name} must be an integer of at least ${zeroAllowed ? 0 : 1}, not ${String(value)}`);
    }
  }
  if (limits.defaultTtlSeconds > limits.maxTtlSeconds) {
    throw new RangeError(`push limit defaultTtlSeconds (${limits.defaultTtlSeconds}) is above maxTtlSeconds (${limits.maxTtlSeconds})`);
  }
  return limits;
}
