import type { DomainContext } from '../domain/context.js';

/** lastSeenAt to the minute is plenty (as for Apple check-ins): a policy sync that finds nothing new stays a read. */
const RESOLUTION_MS = 60_000;
const REMEMBERED = 100_000;

/**
 * Keeps devices' lastSeenAt current without a write per request: the time each device was last
 * written is remembered in memory (bounded), and the row is written at most once a minute, in the
 * background (a failed write only leaves lastSeenAt a little behind).
 */
export class LastSeen {
  private readonly written = new Map<string, number>();

  constructor(private readonly ctx: DomainContext) {}

  touch(deviceId: string): void {
    const now = this.ctx.now();
    const last = this.written.get(deviceId);
    if (last !== undefined && now.getTime() - last < RESOLUTION_MS) return;
    if (this.written.size >= REMEMBERED) this.written.clear();
    this.written.set(deviceId, now.getTime());
    const at = now.toISOString();
    this.ctx.store
      .transaction(async (tx) => {
        const device = await tx.devices.get(deviceId);
        if (device && (!device.lastSeenAt || device.lastSeenAt < at)) await tx.devices.update({ ...device, lastSeenAt: at });
      })
      .catch((err: unknown) => this.ctx.log.warn({ err, deviceId }, 'lastSeenAt not written'));
  }
}
