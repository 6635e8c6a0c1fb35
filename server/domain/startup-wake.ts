import type { Logger } from 'pino';
import type { Store } from '../store/port.js';
import type { Reconciler } from './reconciler.js';

/**
 * After a start, wake every enrolled device that still has work queued. The wake-ups of the
 * previous run were held in the push gateway's memory and died with the process (a crash, kill
 * -9, a restart while devices were offline), and devices otherwise come back only on their slow
 * periodic check-in (4 h on iOS). The queue is in the database, so it says who must be woken.
 *
 * Platform-neutral: each device is woken through its platform's channel (Reconciler.wake), which
 * holds the wake-up for an offline device until it reconnects. Rate-limited and in the background:
 * a large fleet is not woken all at once (it would come back all at once), and listening is never
 * delayed by it.
 */
export interface StartupWake {
  /** Resolves with how many devices were woken, once all were (or the wake was stopped). */
  readonly done: Promise<number>;
  /** Stops between two batches; resolves when the batch under way has finished. */
  stop(): Promise<void>;
}

export interface StartupWakeDeps {
  store: Store;
  reconciler: Reconciler;
  log: Logger;
  perSecond: number;
}

/** Batches per second: small batches keep the pace even and each one short. */
const TICKS_PER_SECOND = 10;

export function wakeDevicesWithQueuedWork({ store, reconciler, log, perSecond }: StartupWakeDeps): StartupWake {
  let stopped = false;
  let cancelSleep: (() => void) | undefined;
  const batchSize = Math.max(1, Math.ceil(perSecond / TICKS_PER_SECOND));
  const tickMs = (1000 * batchSize) / perSecond;

  const run = async (): Promise<number> => {
    // Queued commands, and work waiting outside the queue (an Android policy not applied yet).
    const waiting = [...new Set([...(await store.commands.devicesWithPending()), ...(await reconciler.devicesWithPendingWork())])];
    if (waiting.length === 0 || stopped) return 0;
    const enrolled = new Map((await store.devices.list({ status: 'enrolled' })).map((d) => [d.id, d]));
    const devices = waiting.flatMap((id) => enrolled.get(id) ?? []);
    if (devices.length === 0) return 0;
    log.info({ devices: devices.length, perSecond }, 'waking devices with queued work after start');
    let woken = 0;
    for (let i = 0; i < devices.length && !stopped; i += batchSize) {
      const started = Date.now();
      const batch = devices.slice(i, i + batchSize);
      await reconciler.wake(batch);
      woken += batch.length;
      if (i + batchSize < devices.length) await sleep(Math.max(0, tickMs - (Date.now() - started)));
    }
    log.info({ woken, of: devices.length }, stopped ? 'start-up wake stopped' : 'start-up wake done');
    return woken;
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      cancelSleep = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const done = run().catch((err: unknown) => {
    // Devices still check in on their own timers: a failed sweep delays them, it loses nothing.
    log.warn({ err }, 'start-up wake failed');
    return 0;
  });
  return {
    done,
    stop: async () => {
      stopped = true;
      cancelSleep?.();
      await done;
    },
  };
}
