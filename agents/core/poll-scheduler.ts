import type { Logger } from 'pino';
import type { SeededRandom } from '../random/seeded-random.js';
import type { Activity } from '../runtime/activity.js';
import { isTransientFailure } from './device-error.js';

/**
 * When a simulated device talks to its management server on its own (an iOS check-in, an OMA-DM
 * session, an Android policy sync):
 * - a push meant for it: poll now;
 * - the user removed an account / asked to sync (company portal): poll now;
 * - requested while offline: poll when back online;
 * - the last exchange ended with the device putting a command off (Apple's NotNow): poll again when
 *   conditions change (the device is no longer busy), but not if a later command was answered
 *   otherwise (Apple, "Handling a NotNow response": the device polls again on its own only when its
 *   last status was NotNow; otherwise the server must push again);
 * - a slow periodic timer (the platform's schedule, ±10 % jitter) so a lost push only delays;
 * - an exchange that failed because the server could not be reached or failed (connection
 *   refused, timeout, 5xx): again after a capped exponential backoff with full jitter ("Exponential
 *   Backoff And Jitter", AWS Architecture Blog, 2015), so a server that restarts is not left
 *   waiting for the next push or the 4-hour timer, and a fleet does not come back at one instant.
 *   Refusals (4xx) are not retried: asking again the same way would be refused again.
 * Requests made while a poll is due coalesce into one; polls run one after another.
 */

export type PollGate = 'now' | 'offline' | 'never';

export interface PollSchedulerDeps {
  activity: Activity;
  /** One exchange with the server (the caller serialises it with the device's other work); rejects when it failed. */
  poll: () => Promise<void>;
  /** A failed exchange, with the delay before the retry (undefined: not retried). */
  failed: (err: unknown, retryInMs: number | undefined) => void;
  /** Whether a poll may run now, must wait for the network, or makes no sense (not enrolled, stopped). */
  gate: () => PollGate;
  random: SeededRandom;
  log: Logger;
  /** 0 disables the periodic check-in. */
  periodicMs: number;
  /** Ceiling of the first retry delay (default 1 s), doubling per failure up to maxMs (default 60 s). */
  retry?: { initialMs?: number; maxMs?: number } | undefined;
  /** Which failures are worth a retry; default: the server could not be reached or failed (isTransientFailure). */
  transient?: (err: unknown) => boolean;
}


export class PollScheduler {
  readonly #deps: PollSchedulerDeps;
  #release: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #whenOnline = false;
  #whenFree = false;
  #periodic: NodeJS.Timeout | undefined;
  readonly #retryRandom: SeededRandom;
  #retry: { timer: NodeJS.Timeout; due: () => void } | undefined;
  #failures = 0;

  constructor(deps: PollSchedulerDeps) {
    this.#deps = deps;
    this.#retryRandom = deps.random.fork('retry');
  }

  /** The running (or just requested) poll loop, to wait for. */
  get running(): Promise<void> | undefined {
    return this.#loop;
  }

  request(reason: string): void {
    const gate = this.#deps.gate();
    if (gate === 'never') return;
    if (gate === 'offline') {
      this.#whenOnline = true;
      return;
    }
    if (this.#release) return; // already due
    this.#deps.log.debug({ reason }, 'poll requested');
    this.#release = this.#deps.activity.want();
    this.#loop ??= this.#run();
  }

  /**
   * An exchange failed (here or in a caller's own exchange, e.g. the one ending enrollment):
   * reported, and retried after a backoff when the failure is transient. The device is not idle
   * while a retry is due.
   */
  pollFailed(err: unknown): void {
    const gate = this.#deps.gate();
    if (!(this.#deps.transient ?? isTransientFailure)(err) || gate === 'never') {
      this.#deps.failed(err, undefined);
      return;
    }
    const initial = this.#deps.retry?.initialMs ?? 1000;
    const ceiling = Math.min(this.#deps.retry?.maxMs ?? 60_000, initial * 2 ** Math.min(this.#failures, 20));
    this.#failures++;
    const delay = Math.round(this.#retryRandom.next() * ceiling); // full jitter
    this.#deps.failed(err, delay);
    if (gate === 'offline') {
      this.#whenOnline = true;
      return;
    }
    if (this.#retry) return; // one retry due at a time
    const due = this.#deps.activity.want();
    const timer = setTimeout(() => {
      this.#retry = undefined;
      this.request('retry'); // takes its own place before this one is released: never idle in between
      due();
    }, delay);
    timer.unref();
    this.#retry = { timer, due };
  }

  /** The device went offline: a retry waits for the network instead of a timer. */
  wentOffline(): void {
    if (!this.#retry) return;
    this.#dropRetry();
    this.#whenOnline = true;
  }

  /** A poll asked for while offline, or cut short by going offline, runs now. */
  backOnline(): void {
    if (!this.#whenOnline) return;
    this.#whenOnline = false;
    this.request('backOnline');
  }

  /** Offline mid-exchange: the server keeps the unanswered command; fetch it when online. */
  interrupted(): void {
    this.#whenOnline = true;
  }

  /**
   * An exchange ended with the server's empty answer. `deferred`: the device's last answer put a
   * command off (Apple NotNow); `busy` is the device's state now.
   */
  completed(deferred: boolean, busy: boolean): void {
    if (!deferred) {
      this.#whenFree = false;
    } else if (busy) {
      this.#whenFree = true;
    } else {
      this.request('notNowButFree'); // conditions changed while the exchange ran
    }
  }

  /** The device is no longer busy. */
  freed(): void {
    if (!this.#whenFree) return;
    this.#whenFree = false;
    this.request('conditionsChanged');
  }

  startPeriodic(): void {
    clearTimeout(this.#periodic);
    const every = this.#deps.periodicMs;
    if (!every || this.#deps.gate() === 'never') return;
    this.#periodic = setTimeout(() => {
      this.request('periodic');
      this.startPeriodic();
    }, this.#deps.random.jitter(every, 0.1));
    this.#periodic.unref();
  }

  /** Forget everything due (unenrolled, stopped). */
  cancel(): void {
    clearTimeout(this.#periodic);
    this.#periodic = undefined;
    this.#release?.();
    this.#release = undefined;
    this.#dropRetry();
    this.#failures = 0;
    this.#whenOnline = false;
    this.#whenFree = false;
  }

  #dropRetry(): void {
    if (!this.#retry) return;
    clearTimeout(this.#retry.timer);
    this.#retry.due();
    this.#retry = undefined;
  }

  async #run(): Promise<void> {
    try {
      while (this.#release) {
        const release = this.#release;
        this.#release = undefined;
        await this.#deps.activity.run(async () => {
          release();
          try {
            await this.#deps.poll();
            this.#failures = 0;
          } catch (err) {
            this.pollFailed(err); // while still counted as running: the device is never idle in between
          }
        });
      }
    } finally {
      this.#loop = undefined; // same synchronous step as the last check: no request can slip between
    }
  }
}
