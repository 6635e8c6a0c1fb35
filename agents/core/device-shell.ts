import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { EnrollmentTicket, SimulatedDevice, SimulatedDeviceEvents } from '../device.js';
import type { PushClient } from '../push/push-client.js';
import type { SeededRandom } from '../random/seeded-random.js';
import { Activity } from '../runtime/activity.js';
import { Mutex } from '../runtime/mutex.js';
import { DeviceError, type DeviceErrorCode } from './device-error.js';
import type { DevicePlatform, MailAccount, UserAccountRef, UserAccountRequest, WorkApp } from './mail-account.js';
import { isEmptyChange, type MailAccountStore } from './mail-store.js';
import { removeUserAccount, rulesFor } from './platform-rules.js';
import { PollScheduler } from './poll-scheduler.js';
import type { RuleContext, UserAddResult, UserRemoveResult } from './rule-outcomes.js';

/** What every simulated device is built with, whatever its platform. */
export interface ShellOptions {
  id: string;
  log: Logger;
  random: SeededRandom;
  /** The platform's own schedule of unprompted syncs (iOS: 4 h; OMA-DM: the provisioned poll); 0 disables. */
  periodicMs: number;
  /** Backoff of failed syncs (default 1 s doubling to 60 s). */
  retry?: { initialMs?: number; maxMs?: number } | undefined;
  /** Initial network state (default online). */
  online?: boolean | undefined;
}

/**
 * The device shell every simulated platform is built on (DESIGN.md "agents/": a small event-driven
 * state machine, thousands per process). It owns what is the same on every platform:
 * - events (`idle`, `commandHandled`, `enrolled`, `unenrolled`, `backgroundError`) and idle tracking
 *   (an Activity: nothing running and nothing due);
 * - one operation at a time (a Mutex), as a real device applies one change at a time;
 * - online / offline and busy (put commands off) states, and the push client's part in them;
 * - when to talk to the server (the PollScheduler: push, user, back online, retry with backoff,
 *   periodic);
 * - the user's own mail actions through the platform rule table (agents/core/platform-rules.ts).
 * A platform brings its protocol: enrollment, one exchange with the server (`session`), leaving
 * management, its mail store and how it names the profile of a managed account.
 */
export abstract class ShellDevice implements SimulatedDevice {
  readonly id: string;
  abstract readonly platform: DevicePlatform;
  abstract get hardwareId(): string;

  protected readonly log: Logger;
  protected readonly activity = new Activity();
  protected readonly lock = new Mutex();
  protected readonly polls: PollScheduler;
  readonly #events = new EventEmitter();
  #push: PushClient | undefined;
  #online: boolean;
  #busy = false;
  #stopped = false;

  protected constructor(o: ShellOptions) {
    this.id = o.id;
    this.log = o.log;
    this.#online = o.online ?? true;
    this.polls = new PollScheduler({
      activity: this.activity,
      poll: () => this.lock.lock(() => this.session()),
      failed: (err, retryInMs) => this.#syncFailed(err, retryInMs),
      gate: () => (this.#stopped || !this.isEnrolled() ? 'never' : this.#online ? 'now' : 'offline'),
      random: o.random.fork('polls'),
      log: o.log,
      periodicMs: o.periodicMs,
      retry: o.retry,
    });
    this.activity.onIdle(() => this.maybeIdle());
    this.#events.setMaxListeners(0); // every whenIdle() waiter is a listener
  }

  // --- what each platform brings ------------------------------------------------------------

  abstract enroll(ticket: EnrollmentTicket | string): Promise<void>;
  abstract unenroll(): Promise<void>;
  abstract isEnrolled(): boolean;
  abstract mailAccounts(): Promise<MailAccount[]>;
  abstract profileIdOf(account: MailAccount): string | undefined;
  /**
   * One exchange with the server (a check-in and the commands it brings, an OMA-DM session, a policy
   * sync). Runs under the lock; reports how it ended to `polls` (completed / interrupted); throws a
   * DeviceError when the server could not be reached or refused.
   */
  protected abstract session(): Promise<void>;
  /** The store the platform rule applies to (for the user's own actions). */
  protected abstract mailStore(): MailAccountStore;
  /** Ids and logical time for accounts the rules create. */
  protected abstract ruleContext(): RuleContext;
  /** Closes local storage (SQLite state) on stop. */
  protected abstract closeState(): void;
  installApp?(app: WorkApp): Promise<void>;
  managedProfileIds?(): Promise<string[]>;

  // --- the user ----------------------------------------------------------------------------

  /** The user sets up an account by hand; the platform rule decides what happens to it. */
  addAccount(request: UserAccountRequest): Promise<UserAddResult> {
    return this.exclusive(async () => {
      const store = this.mailStore();
      const outcome = rulesFor(this.platform).addUserAccount(await store.list(), request, this.ruleContext());
      if (!isEmptyChange(outcome.change)) await store.apply(outcome.change);
      return outcome;
    });
  }

  /** The user deletes an account by hand; an enrolled device then syncs (the company portal's nudge). */
  async removeAccount(ref: UserAccountRef): Promise<UserRemoveResult> {
    const outcome = await this.exclusive(async () => {
      const store = this.mailStore();
      const result = removeUserAccount(await store.list(), ref);
      if (!isEmptyChange(result.change)) await store.apply(result.change);
      return result;
    });
    if (outcome.kind === 'removed' && this.isEnrolled()) {
      this.polls.request('userRemovedAccount');
      await this.polls.running;
    }
    return outcome;
  }

  /** The user asks to sync now; resolves when the exchange is over. Offline: done when back online. */
  async checkIn(): Promise<void> {
    if (!this.isEnrolled()) throw this.deviceError('notEnrolled', `device ${this.id} is not enrolled`);
    if (!this.#online) {
      this.polls.request('user');
      return;
    }
    await this.exclusive(() => this.session());
  }

  // --- network and state -------------------------------------------------------------------

  async setOnline(online: boolean): Promise<void> {
    if (online === this.#online || this.#stopped) return;
    this.#online = online;
    this.#push?.setOnline(online);
    if (online) this.polls.backOnline();
    else this.polls.wentOffline();
  }
  isOnline(): boolean {
    return this.#online;
  }

  /** Busy (locked): commands are put off where the platform can (Apple NotNow); when free again the device syncs if it put one off. */
  setBusy(busy: boolean): void {
    this.#busy = busy;
    if (!busy) this.polls.freed();
  }
  isBusy(): boolean {
    return this.#busy;
  }
  protected get stopped(): boolean {
    return this.#stopped;
  }

  isIdle(): boolean {
    return this.activity.isIdle() && this.#push?.state !== 'connecting';
  }

  whenIdle(timeoutMs: number): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onIdle = () => {
        if (!this.isIdle()) return;
        clearTimeout(timer);
        this.off('idle', onIdle);
        resolve();
      };
      const timer = setTimeout(() => {
        this.off('idle', onIdle);
        reject(new Error(`device ${this.id} not idle after ${timeoutMs} ms`));
      }, timeoutMs);
      this.on('idle', onIdle);
    });
  }

  on<E extends keyof SimulatedDeviceEvents>(event: E, listener: (...args: SimulatedDeviceEvents[E]) => void): this {
    this.#events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }
  off<E extends keyof SimulatedDeviceEvents>(event: E, listener: (...args: SimulatedDeviceEvents[E]) => void): this {
    this.#events.off(event, listener as (...args: unknown[]) => void);
    return this;
  }
  protected emit<E extends keyof SimulatedDeviceEvents>(event: E, ...args: SimulatedDeviceEvents[E]): void {
    this.#events.emit(event, ...args);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.polls.cancel();
    this.detachPush();
    await this.lock.lock(async () => {}); // the running operation ends; sessions see `stopped`
    await this.polls.running;
    this.closeState();
  }

  // --- for the platforms -------------------------------------------------------------------

  /** The platform's typed error for a shell refusal (a platform error class extends DeviceError). */
  protected deviceError(code: DeviceErrorCode, message: string): Error {
    return new DeviceError(code, message);
  }

  /** Runs `work` as the device's one operation, counted as activity. */
  protected exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.#stopped) return Promise.reject(this.deviceError('stopped', `device ${this.id} is stopped`));
    return this.activity.run(() => this.lock.lock(work));
  }

  /** Work the device does on its own (a TokenUpdate after a new push token): failures become backgroundError. */
  protected background(work: () => Promise<unknown>): void {
    this.activity.run(work).catch((err: Error) => {
      this.log.warn({ err }, 'background work failed');
      this.emit('backgroundError', err);
    });
  }

  /** The exchange that ends enrollment: a failure is reported, and retried when the server was unreachable. */
  protected async sessionReportingErrors(): Promise<void> {
    try {
      await this.session();
    } catch (err) {
      this.polls.pollFailed(err);
    }
  }

  /** The device's push connection: its state counts for idleness and follows online / offline. */
  protected attachPush(client: PushClient): void {
    this.detachPush();
    this.#push = client;
    client.on('state', () => this.maybeIdle());
    client.setOnline(this.#online);
  }

  protected detachPush(): void {
    this.#push?.close();
    this.#push?.removeAllListeners();
    this.#push = undefined;
  }

  protected maybeIdle(): void {
    if (this.isIdle()) this.emit('idle');
  }

  #syncFailed(err: unknown, retryInMs: number | undefined): void {
    if (retryInMs === undefined) this.log.warn({ err }, 'sync with the server failed');
    else this.log.info({ err, retryInMs }, 'sync with the server failed; retrying');
    this.emit('backgroundError', err as Error);
  }
}
