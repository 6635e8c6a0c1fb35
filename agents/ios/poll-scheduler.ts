import type { Logger } from 'pino';
import type { CommandStatus } from '../../protocol/apple/command-report.js';
import type { SeededRandom } from '../random/seeded-random.js';
import type { Activity } from '../runtime/activity.js';

/**
 * When a simulated iOS device polls its MDM server on its own (notes/apple.md §2.4):
 * - a push whose PushMagic matches: poll now;
 * - the user removed an account / asked to sync (company portal): poll now;
 * - requested while offline: poll when back online;
 * - the last exchange ended with NotNow: poll again when conditions change (the device is no
 *   longer busy), but not if a later command was answered otherwise (Apple: the device re-polls
 *   on its own only when its last status was NotNow; otherwise the server must push again);
 * - a slow periodic timer (default 4 h, ±10 % jitter) so a lost push only delays.
 * Requests made while a poll is due coalesce into one; polls run one after another.
 */

export type PollGate = 'now' | 'offline' | 'never';

export interface PollSchedulerDeps {
  activity: Activity;
  /** One exchange with the server (the caller serialises it with the device's other work). */
  poll: () => Promise<void>;
  /** Whether a poll may run now, must wait for the network, or makes no sense (not enrolled, stopped). */
  gate: () => PollGate;
  random: SeededRandom;
  log: Logger;
  /** 0 disables the periodic check-in. */
  periodicMs: number;
}

export class PollScheduler {
  readonly #deps: PollSchedulerDeps;
  #release: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #whenOnline = false;
  #whenFree = false;
  #periodic: NodeJS.Timeout | undefined;

  constructor(deps: PollSchedulerDeps) {
    this.#deps = deps;
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

  /** An exchange ended with the server's empty answer; `busy` is the device's state now. */
  completed(lastStatus: CommandStatus, busy: boolean): void {
    if (lastStatus !== 'NotNow') {
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
    this.#whenOnline = false;
    this.#whenFree = false;
  }

  async #run(): Promise<void> {
    try {
      while (this.#release) {
        const release = this.#release;
        this.#release = undefined;
        await this.#deps.activity.run(() => {
          release();
          return this.#deps.poll();
        });
      }
    } finally {
      this.#loop = undefined; // same synchronous step as the last check: no request can slip between
    }
  }
}
