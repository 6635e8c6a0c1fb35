import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { getHeapStatistics } from 'node:v8';
import { AdminClient } from '../admin/admin-client.js';
import type { CommandHandledEvent, CommandOutcome, EnrollmentTicket, SimulatedDevice } from '../device.js';
import type { WorkApp } from '../core/mail-account.js';
import { isWindowsPlatform, windowsTicket, type WindowsOperatorEnrollment } from '../foreign/operator-enrollment.js';
import { SeededRandom } from '../random/seeded-random.js';
import type { Outcome } from '../report/report-model.js';
import { EventTimeline } from '../report/timeline.js';
import { isRefusal } from './enrollment-errors.js';
import type { DevicePlan } from './fleet-plan.js';
import { classifyOutcome, hasMail } from './outcome.js';
import { bump, errorClass, PlatformCounters, type DeviceRecord, type ShareFinal, type ShareProgress } from './share-stats.js';
import { TimerPool } from './timer-pool.js';

/**
 * One share of a fleet's devices, run on one event loop (a worker thread, or the main thread with
 * `--workers 0`): enrolls them with a bounded number in flight and an optional rate, plays their
 * users (a hand-made account before enrolling; removing it when it blocks the profile; installing
 * the work app a profile waits for), and follows each device's outcome from neutral sources
 * (outcome.ts). Everything here goes through SimulatedDevice, so a platform that registers in
 * agents/platforms.ts runs in a fleet as it is.
 */

export type FleetTarget =
  /** An mdmlab server: enrollment tokens from its admin API, one per device. */
  | { kind: 'mdmlab'; serverUrl: string; adminToken: string; caPem?: string }
  /**
   * Another MDM server: every device enrolls from what the operator gave: iOS the ticket (an
   * enrollment URL), Windows the discovery URL and credentials (device number n as the UPN's `{n}`).
   */
  | { kind: 'foreign'; serverUrl: string; ticket?: EnrollmentTicket; windows?: WindowsOperatorEnrollment; caPem?: string };

export interface ShareDevice {
  plan: DevicePlan;
  /** mdmlab: the server's id of the device's user. */
  userId?: string;
  /** The address and host of the account the profile gives the device (and of the user's hand-made one). */
  email?: string;
  host?: string;
  /** The work-profile app the device's profile waits for (Android for Work). */
  workApp?: WorkApp;
  /** A profile reaches this device (else its outcome stays pending and that is settled). */
  expectsProfile: boolean;
}

export interface ShareOptions {
  /** The run's start (epoch ms): the timeline's origin. */
  startedAt: number;
  target: FleetTarget;
  devices: ShareDevice[];
  /** mdmlab: the run's profile ids (a managed account of another profile is not this run's). */
  profileIds?: string[];
  concurrency: number;
  /** Enrollments started per second at most (this share's part of --rate). */
  ratePerSec?: number;
  enrollAttempts: number;
  retryBackoff: { baseMs: number; maxMs: number };
  /** Consecutive refused enrollments (no success between) after which the share reports `refusing`. */
  refusalStreak: number;
}

interface Slot {
  d: ShareDevice;
  stats: PlatformCounters;
  device?: SimulatedDevice;
  state: 'planned' | 'enrolling' | 'enrolled' | 'enrollFailed';
  t0?: number;
  enrollMs?: number;
  convergeMs?: number;
  attempts: number;
  outcome: Outcome;
  lastInstall?: CommandOutcome;
  reacted: boolean;
  /** User actions scheduled and not done yet. */
  due: number;
  seen: Set<Outcome>;
  classifying: boolean;
  again: boolean;
}

export type CreateDevice = (d: ShareDevice) => Promise<SimulatedDevice>;

export class DeviceRunner {
  readonly #o: ShareOptions;
  readonly #create: CreateDevice;
  readonly #slots: Slot[];
  readonly #stats = new Map<string, PlatformCounters>();
  readonly #timeline: EventTimeline;
  readonly #timers = new TimerPool();
  readonly #stopping = new AbortController();
  readonly #admin: AdminClient | undefined;
  readonly #profileIds: ReadonlySet<string> | undefined;
  #nextStart = 0;
  #streak = 0;
  #enrollmentDone = false;
  #onRefusing: ((message: string) => void) | undefined;

  constructor(o: ShareOptions, create: CreateDevice) {
    this.#o = o;
    this.#create = create;
    this.#timeline = new EventTimeline(o.startedAt);
    // Every enrollment lane waits on the stop signal (its turn under --rate, a retry's backoff):
    // one listener per lane at most, bounded by --concurrency, so Node's leak warning past ten
    // listeners would only be noise.
    setMaxListeners(Math.max(10, o.concurrency + 1), this.#stopping.signal);
    this.#admin = o.target.kind === 'mdmlab' ? new AdminClient(o.target.serverUrl, o.target.adminToken, o.target.caPem) : undefined;
    this.#profileIds = o.profileIds ? new Set(o.profileIds) : undefined;
    this.#slots = o.devices.map((d) => {
      const stats = this.#statsOf(d.plan.platform);
      stats.planned++;
      stats.outcomes.pending++;
      return { d, stats, state: 'planned', attempts: 0, outcome: 'pending', reacted: false, due: 0, seen: new Set(), classifying: false, again: false };
    });
  }

  /** Devices created so far (in-thread users: benchmarks reach the devices themselves). */
  get devices(): SimulatedDevice[] {
    return this.#slots.flatMap((s) => (s.device ? [s.device] : []));
  }

  /** Called once when `refusalStreak` enrollments in a row were refused. */
  onRefusing(listener: (message: string) => void): void {
    this.#onRefusing = listener;
  }

  /** Enrolls every device; resolves when each has enrolled or given up (or the share stops). */
  async start(): Promise<void> {
    let next = 0;
    const lane = async () => {
      while (!this.stopped && next < this.#slots.length) {
        const slot = this.#slots[next++]!;
        if (!(await this.#pace())) break;
        await this.#enroll(slot);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(this.#o.concurrency, this.#slots.length)) }, lane));
    this.#enrollmentDone = true;
  }

  get stopped(): boolean {
    return this.#stopping.signal.aborted;
  }

  progress(): ShareProgress {
    const platforms = [...this.#stats.values()].map((s) => s.progress());
    for (const slot of this.#slots) {
      if (!this.#settled(slot)) platforms.find((p) => p.platform === slot.d.plan.platform)!.unsettled++;
    }
    return { platforms, enrollmentDone: this.#enrollmentDone, heapUsedMb: heapMb() };
  }

  /** Stops enrolling and reacting; what happened so far (the devices keep running until stopDevices). */
  final(): ShareFinal {
    this.#stopping.abort();
    this.#timers.close();
    const progress = this.progress();
    return {
      platforms: [...this.#stats.values()].map((s) => ({ ...s.final(), unsettled: progress.platforms.find((p) => p.platform === s.platform)!.unsettled })),
      timeline: this.#timeline.toJSON(),
      devices: this.#slots.map((s) => this.#record(s)),
      heapUsedMb: heapMb(),
    };
  }

  async stopDevices(): Promise<void> {
    this.#stopping.abort();
    this.#timers.close();
    await Promise.allSettled(this.#slots.map((s) => s.device?.stop()));
  }

  // --- enrollment ------------------------------------------------------------------------------

  async #enroll(s: Slot): Promise<void> {
    const { stats, d } = s;
    s.state = 'enrolling';
    s.t0 = Date.now();
    stats.enrolling++;
    try {
      let device: SimulatedDevice;
      try {
        device = s.device = await this.#make(s);
        if (d.plan.manualFirst && d.email && d.host) {
          // The user set up the account by hand before enrolling (the platform rule decides later).
          await device.addAccount({ email: d.email, host: d.host });
          stats.manualFirst++;
        }
      } catch (err) {
        stats.error(errorClass(err));
        return this.#gaveUp(s);
      }
      for (let attempt = 1; ; attempt++) {
        stats.enrollAttempts++;
        s.attempts++;
        try {
          await device.enroll(await this.#ticket(s));
          return this.#enrolled(s, attempt);
        } catch (err) {
          if (this.stopped) return this.#gaveUp(s);
          stats.error(errorClass(err));
          const refused = isRefusal(err);
          if (refused) this.#refused(err);
          if (refused || attempt >= this.#o.enrollAttempts || !(await this.#backoff(s, attempt))) return this.#gaveUp(s);
        }
      }
    } finally {
      stats.enrolling--;
    }
  }

  #enrolled(s: Slot, attempt: number): void {
    const now = Date.now();
    s.state = 'enrolled';
    s.enrollMs = now - s.t0!;
    this.#streak = 0;
    s.stats.enrolled++;
    if (attempt > 1) s.stats.enrollRetried++;
    s.stats.enrollLatency.record(s.enrollMs);
    this.#timeline.record(`${s.d.plan.platform}.enrolled`, now);
    const { workApp } = s.d;
    const device = s.device!;
    if (workApp && device.installApp) {
      // The user installs the work app the profile waits for, a while after enrolling.
      s.due++;
      this.#timers.after(s.d.plan.appAfterMs, () => void this.#userAction(s, async () => {
        await device.installApp!(workApp);
        s.stats.reactions.installedApp++;
      }));
    }
    void this.#classify(s);
  }

  #gaveUp(s: Slot): void {
    s.state = 'enrollFailed';
    s.stats.enrollFailed++;
    s.stats.outcomes[s.outcome]--;
    this.#timeline.record(`${s.d.plan.platform}.enrollFailed`, Date.now());
  }

  #refused(err: unknown): void {
    if (++this.#streak === this.#o.refusalStreak) this.#onRefusing?.(`the server refuses enrollments (${this.#streak} in a row): ${errorClass(err)}`);
  }

  async #ticket(s: Slot): Promise<EnrollmentTicket> {
    const t = this.#o.target;
    if (t.kind === 'foreign') {
      if (isWindowsPlatform(s.d.plan.platform)) {
        if (!t.windows) throw new Error('no enrollment for Windows devices: --discovery-url, --upn and --password were not given');
        return windowsTicket(t.windows, s.d.plan.index + 1);
      }
      if (!t.ticket) throw new Error(`no enrollment for ${s.d.plan.platform} devices: --enroll-url or --enroll-profile was not given`);
      return t.ticket;
    }
    return this.#admin!.enrollmentToken(s.d.userId!, { platform: s.d.plan.platform });
  }

  /** Waits for the next start the rate allows; false when the share stopped meanwhile. */
  async #pace(): Promise<boolean> {
    const rate = this.#o.ratePerSec;
    if (!rate) return !this.stopped;
    const now = Date.now();
    const at = Math.max(now, this.#nextStart);
    this.#nextStart = at + 1000 / rate;
    return this.#wait(at - now);
  }

  /** Waits before attempt `failed + 1`: half to all of base·2^(failed−1), capped, seeded per device. */
  #backoff(s: Slot, failed: number): Promise<boolean> {
    const { baseMs, maxMs } = this.#o.retryBackoff;
    const ceiling = Math.min(maxMs, baseMs * 2 ** (failed - 1));
    const jitter = new SeededRandom(`${s.d.plan.seed}/fleet retry ${failed}`).next();
    return this.#wait(ceiling / 2 + jitter * (ceiling / 2));
  }

  async #wait(ms: number): Promise<boolean> {
    if (ms > 0) {
      try {
        await sleep(ms, undefined, { signal: this.#stopping.signal });
      } catch {
        return false;
      }
    }
    return !this.stopped;
  }

  // --- the device and its user -----------------------------------------------------------------

  async #make(s: Slot): Promise<SimulatedDevice> {
    const device = await this.#create(s.d);
    const stats = s.stats;
    device.on('commandHandled', (e: CommandHandledEvent) => {
      bump(stats.commands, `${e.requestType} ${e.status}`);
      if (e.profileAction !== 'install') return;
      if (this.#profileIds && e.profileId !== undefined && !this.#profileIds.has(e.profileId)) return;
      s.lastInstall = e.outcome;
      s.reacted = false; // the answer after the user's reaction is the one that counts now
      void this.#classify(s);
    });
    device.on('backgroundError', (err) => {
      stats.backgroundErrors++;
      stats.error(errorClass(err));
    });
    device.on('idle', () => void this.#classify(s));
    return device;
  }

  /** Re-reads the device's store and moves it to its current outcome. One at a time per device. */
  async #classify(s: Slot): Promise<void> {
    if (s.state !== 'enrolled' || !s.device) return;
    if (s.classifying) {
      s.again = true;
      return;
    }
    s.classifying = true;
    try {
      do {
        s.again = false;
        const accounts = await s.device.mailAccounts();
        const outcome = classifyOutcome({
          accounts,
          email: s.d.email,
          profileIdOf: (a) => s.device!.profileIdOf(a),
          profileIds: this.#profileIds,
          lastInstall: s.lastInstall,
          reacted: s.reacted,
        });
        this.#moveTo(s, outcome);
      } while (s.again);
    } catch (err) {
      s.stats.error(errorClass(err)); // a stopped device's store is closed: nothing to count on
    } finally {
      s.classifying = false;
    }
  }

  #moveTo(s: Slot, outcome: Outcome): void {
    if (outcome === s.outcome) return;
    s.stats.moveOutcome(s.outcome, outcome);
    s.outcome = outcome;
    const now = Date.now();
    const platform = s.d.plan.platform;
    if (hasMail(outcome) && s.convergeMs === undefined) {
      s.convergeMs = now - s.t0!;
      s.stats.convergeLatency.record(s.convergeMs);
      this.#timeline.record(`${platform}.converged`, now);
    }
    if ((outcome === 'blocked' || outcome === 'failed') && !s.seen.has(outcome)) this.#timeline.record(`${platform}.${outcome}`, now);
    s.seen.add(outcome);
    if (outcome === 'blocked' && s.d.plan.manualFirst && !s.reacted && s.due === 0 && s.d.email && s.d.host) {
      // The user reacts to the block (the company portal asks to remove the account) after a while.
      const { email, host } = s.d;
      s.due++;
      this.#timers.after(s.d.plan.reactAfterMs, () => void this.#userAction(s, async () => {
        s.reacted = true;
        const r = await s.device!.removeAccount({ email, host });
        if (r.kind === 'removed') s.stats.reactions.removedAccount++;
        else s.reacted = false;
      }));
    }
  }

  async #userAction(s: Slot, action: () => Promise<void>): Promise<void> {
    try {
      if (!this.stopped) await action();
    } catch (err) {
      if (!this.stopped) s.stats.error(errorClass(err));
    } finally {
      s.due--;
      void this.#classify(s);
    }
  }

  #settled(s: Slot): boolean {
    if (s.state === 'enrollFailed') return true;
    if (s.state !== 'enrolled') return false;
    if (s.due > 0 || !s.device!.isIdle()) return false;
    return !(s.d.expectsProfile && s.outcome === 'pending');
  }

  #record(s: Slot): DeviceRecord {
    const hardwareId = s.device?.hardwareId;
    return {
      index: s.d.plan.index,
      id: s.d.plan.id,
      platform: s.d.plan.platform,
      ...(hardwareId ? { hardwareId } : {}),
      manualFirst: s.d.plan.manualFirst,
      enrolled: s.state === 'enrolled',
      enrollFailed: s.state === 'enrollFailed',
      outcome: s.outcome,
      attempts: s.attempts,
      ...(s.enrollMs !== undefined ? { enrollMs: s.enrollMs } : {}),
      ...(s.convergeMs !== undefined ? { convergeMs: s.convergeMs } : {}),
    };
  }

  #statsOf(platform: ShareDevice['plan']['platform']): PlatformCounters {
    let s = this.#stats.get(platform);
    if (!s) this.#stats.set(platform, (s = new PlatformCounters(platform)));
    return s;
  }
}

// V8's own figure, not process.memoryUsage(): that one also reads /proc/self/stat for the RSS, and a
// share short of file descriptors must still be able to report.
const heapMb = () => Math.round(getHeapStatistics().used_heap_size / 1e6);
