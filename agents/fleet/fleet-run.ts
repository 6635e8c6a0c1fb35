import { availableParallelism } from 'node:os';
import { AdminClient } from '../admin/admin-client.js';
import type { DevicePlatform } from '../../protocol/admin/platforms.js';
import { KeyPool } from '../identity/key-pool.js';
import { emptyOutcomes } from '../report/report-model.js';
import type { CreateDevice, FleetTarget, ShareDevice, ShareOptions } from './device-runner.js';
import { buildPlan, runIdOf, type DevicePlan, type PlanOptions } from './fleet-plan.js';
import { profileFor, workAppOf, type FleetProfile } from './fleet-profiles.js';
import { setUpFleet, type SetupResult } from './fleet-setup.js';
import { shardRange, WHOLE_FLEET, type Shard } from './shard.js';
import { InThreadShare, WorkerShare, type ShareHandle } from './share-handle.js';
import type { PlatformProgress, ShareFinal } from './share-stats.js';

/**
 * A fleet run, from the main thread: the plan (fleet-plan.ts) and this shard's slice of it, the
 * directory objects on an mdmlab server (fleet-setup.ts), the shares of devices in worker threads
 * (share-handle.ts), their live counters merged, convergence, and their final figures at the end.
 */

export interface FleetRunOptions extends Omit<PlanOptions, 'count'> {
  target: FleetTarget;
  count: number;
  shard?: Shard;
  /** mdmlab: the profiles the run creates and deploys; foreign: none (the operator deploys). */
  profiles: readonly FleetProfile[];
  /** Foreign server: the account the operator's profile gives (`{n}` = the device's number). */
  foreignAccount?: { email: string; host: string };
  /** Worker threads (default one per core); 0 runs the devices on the main thread. */
  workers?: number;
  /** Enrollments in flight at once, over all workers. */
  concurrency: number;
  /** Enrollments started per second at most, over all workers. */
  ratePerSec?: number;
  enrollAttempts: number;
  retryBackoff?: { baseMs: number; maxMs: number };
  checkInMs: number;
  /** In-thread runs only (tests, benchmarks): how a device is made. */
  createDevice?: CreateDevice;
  onSetupProgress?: (text: string) => void;
}

export interface FleetProgress {
  platforms: PlatformProgress[];
  total: PlatformProgress;
  enrollmentDone: boolean;
  heapUsedMb: number;
}

const PROGRESS_MS = 500;
const SHARE_MIN = 50;

export class FleetRun {
  readonly runId: string;
  /** This shard's devices. */
  readonly plan: DevicePlan[];
  /** Every platform of the whole fleet, in DEVICE_PLATFORMS order. */
  readonly platforms: DevicePlatform[];
  readonly shard: Shard;
  readonly startedAt = Date.now();
  /** When the devices began to enroll (after the setup). */
  enrollStartedAt: number | undefined;
  setup: SetupResult | undefined;
  shares: ShareHandle[] = [];
  readonly #o: FleetRunOptions;
  readonly #admin: AdminClient | undefined;
  #trouble: ((message: string, kind: 'refusing' | 'failed') => void) | undefined;

  constructor(o: FleetRunOptions) {
    this.#o = o;
    this.runId = runIdOf(o.seed);
    this.shard = o.shard ?? WHOLE_FLEET;
    const whole = buildPlan({ ...o, count: o.count });
    const { from, to } = shardRange(o.count, this.shard);
    this.plan = whole.slice(from, to);
    this.platforms = [...new Set(whole.map((d) => d.platform))];
    if (o.target.kind === 'mdmlab') this.#admin = new AdminClient(o.target.serverUrl, o.target.adminToken, o.target.caPem);
  }

  /**
   * Worker threads: as asked, else one per core with at least SHARE_MIN devices each; a fleet smaller
   * than that runs on the main thread (a thread costs a start-up and ~10 MB, and a few devices gain
   * nothing from a second core).
   */
  get workers(): number {
    const wanted = this.#o.workers ?? (this.plan.length < SHARE_MIN ? 0 : Math.min(availableParallelism(), Math.floor(this.plan.length / SHARE_MIN)));
    return Math.max(0, Math.min(wanted, this.plan.length));
  }

  onTrouble(listener: (message: string, kind: 'refusing' | 'failed') => void): void {
    this.#trouble = listener;
  }

  /** Sets up the server (mdmlab), fills the key pool if short, and starts the shares. */
  async start(signal?: AbortSignal): Promise<void> {
    const o = this.#o;
    if (this.#admin) {
      this.setup = await setUpFleet(this.#admin, { runId: this.runId, platforms: this.platforms, devices: this.plan, profiles: o.profiles, ...(o.onSetupProgress ? { onProgress: o.onSetupProgress } : {}), ...(signal ? { signal } : {}) });
    }
    const workers = this.workers;
    if (!o.createDevice) {
      // Fill ahead: RSA keys are generated at a few per second per core (agents/identity/key-pool.ts).
      const pool = new KeyPool();
      const need = o.count + 2 * Math.max(1, workers) * this.shard.of;
      if (pool.size() < need) o.onSetupProgress?.(`key pool: generating ${need - pool.size()} RSA keys (cached in ${pool.dir} for later runs)`);
      await pool.ensure(need);
    }
    signal?.throwIfAborted();
    this.enrollStartedAt = Date.now();
    const devices = this.plan.map((d) => this.#shareDevice(d));
    const slots = Math.max(1, workers);
    for (let w = 0; w < slots; w++) {
      const share: ShareOptions = {
        startedAt: this.startedAt,
        target: o.target,
        devices: devices.filter((_, i) => i % slots === w),
        ...(this.setup ? { profileIds: this.setup.profiles.map((p) => p.id) } : {}),
        concurrency: Math.max(1, Math.ceil(o.concurrency / slots)),
        ...(o.ratePerSec ? { ratePerSec: o.ratePerSec / slots } : {}),
        enrollAttempts: o.enrollAttempts,
        retryBackoff: o.retryBackoff ?? { baseMs: 1000, maxMs: 30_000 },
        refusalStreak: 5,
      };
      const factory = {
        serverUrl: o.target.serverUrl,
        ...(o.target.caPem ? { caPem: o.target.caPem } : {}),
        periodicCheckInMs: o.checkInMs,
        keys: { seed: o.seed, slice: { index: (this.shard.index - 1) * slots + w, of: this.shard.of * slots } },
      };
      const handle = workers === 0 ? new InThreadShare(share, o.createDevice ?? factory) : new WorkerShare({ share, factory, progressMs: PROGRESS_MS });
      handle.onTrouble((m, kind) => this.#trouble?.(m, kind));
      this.shares.push(handle);
    }
  }

  progress(): FleetProgress {
    const reports = this.shares.map((s) => s.progress());
    const byPlatform = new Map<DevicePlatform, PlatformProgress>();
    for (const d of this.plan) {
      if (!byPlatform.has(d.platform)) byPlatform.set(d.platform, { platform: d.platform, planned: 0, enrolling: 0, enrolled: 0, enrollFailed: 0, outcomes: emptyOutcomes(), unsettled: 0 });
      byPlatform.get(d.platform)!.planned++;
    }
    for (const r of reports) for (const p of r?.platforms ?? []) addProgress(byPlatform.get(p.platform)!, p, false);
    // Shares that have not reported yet: their devices are all pending and unsettled.
    for (const [i, r] of reports.entries()) {
      if (r) continue;
      for (const d of this.plan.filter((_, k) => k % reports.length === i)) {
        const p = byPlatform.get(d.platform)!;
        p.outcomes.pending++;
        p.unsettled++;
      }
    }
    const platforms = [...byPlatform.values()].sort((a, b) => this.platforms.indexOf(a.platform) - this.platforms.indexOf(b.platform));
    const total: PlatformProgress = { platform: 'ios', planned: 0, enrolling: 0, enrolled: 0, enrollFailed: 0, outcomes: emptyOutcomes(), unsettled: 0 };
    for (const p of platforms) addProgress(total, p, true);
    return {
      platforms,
      total,
      enrollmentDone: this.shares.length > 0 && reports.every((r) => r?.enrollmentDone === true),
      heapUsedMb: reports.reduce((n, r) => n + (r?.heapUsedMb ?? 0), 0),
    };
  }

  /**
   * Every device has been through enrollment and is settled (an outcome, nothing due, idle), and on
   * an mdmlab server none of the run's profiles is still pending for any device (other shards' too).
   */
  async converged(): Promise<boolean> {
    const p = this.progress();
    if (!p.enrollmentDone || p.total.unsettled > 0) return false;
    if (!this.#admin || !this.setup) return true;
    const ids = new Set(this.setup.profiles.map((x) => x.id));
    const status = await this.#admin.status();
    return status.profiles.filter((x) => ids.has(x.profileId)).every((x) => (x.counts.pending ?? 0) === 0);
  }

  /** Resolves once every device has been through enrollment (enrolled or given up). */
  async whenEnrollmentDone(pollMs = 50): Promise<void> {
    while (!this.progress().enrollmentDone) await new Promise((r) => setTimeout(r, pollMs));
  }

  /** Stops every share; their final figures (a share that broke has none). */
  async stop(graceMs = 5000): Promise<ShareFinal[]> {
    const finals = await Promise.all(this.shares.map((s) => s.stop(graceMs)));
    return finals.filter((f): f is ShareFinal => f !== undefined);
  }

  /** In-thread shares' devices (benchmarks reach into them). */
  get devices() {
    return this.shares.flatMap((s) => (s instanceof InThreadShare ? s.devices : []));
  }

  #shareDevice(plan: DevicePlan): ShareDevice {
    const o = this.#o;
    if (o.target.kind === 'foreign') {
      const a = o.foreignAccount;
      const n = String(plan.index + 1);
      return { plan, expectsProfile: true, ...(a ? { email: a.email.replaceAll('{n}', n), host: a.host } : {}) };
    }
    const profile = profileFor(plan.platform, o.profiles);
    const workApp = workAppOf(profile);
    return {
      plan,
      userId: this.setup!.userIds.get(plan.index)!,
      email: plan.upn, // fleet users' primary SMTP address is their UPN, whichever source the profile names
      ...(profile ? { host: profile.settings.host } : {}),
      ...(workApp ? { workApp } : {}),
      expectsProfile: profile !== undefined,
    };
  }
}

function addProgress(into: PlatformProgress, p: PlatformProgress, withPlanned: boolean): void {
  if (withPlanned) into.planned += p.planned;
  into.enrolling += p.enrolling;
  into.enrolled += p.enrolled;
  into.enrollFailed += p.enrollFailed;
  into.unsettled += p.unsettled;
  for (const k of Object.keys(into.outcomes) as (keyof typeof into.outcomes)[]) into.outcomes[k] += p.outcomes[k];
}
