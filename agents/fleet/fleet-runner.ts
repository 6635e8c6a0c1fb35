import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AdminClient } from '../admin/admin-client.js';
import type { SimulatedDevice } from '../device.js';
import type { DevicePlatform } from '../../protocol/admin/platforms.js';
import { bump, errorClass, LatencyRecorder, newCounters, type FleetCounters } from './stats.js';

export interface FleetOptions {
  serverUrl: string;
  adminToken: string;
  platform: DevicePlatform;
  count: number;
  /** Enrollments in flight at once. */
  concurrency: number;
  seed: string;
  createDevice: (id: string, seed: string) => Promise<SimulatedDevice>;
  /** Email profile settings to create and deploy to the fleet's group before enrolling. */
  profile?: Record<string, unknown>;
  /** A name for this run's users and group; default random. */
  runId?: string;
  /** Tries per device before its enrollment counts as failed (default 5). */
  enrollAttempts?: number;
  /** Wait before the first retry, doubled at each further one up to maxMs (default 1 s, 30 s). */
  retryBackoff?: { baseMs: number; maxMs: number };
}

const DEFAULT_ATTEMPTS = 5;
const DEFAULT_BACKOFF = { baseMs: 1000, maxMs: 30_000 };

export interface FleetSnapshot {
  elapsedMs: number;
  counters: FleetCounters;
  enrollLatency: LatencyRecorder;
  /** Time from a device's enrollment start until its profile was acknowledged. */
  profileLatency: LatencyRecorder;
}

/**
 * A fleet of simulated devices of one platform against a server: users and a group made through
 * the admin API, optionally a profile deployed to the group, then every device enrolled with a
 * bounded number in flight. Devices then live on their own (pushes, check-ins) until stop().
 */
export class FleetRun {
  readonly devices: SimulatedDevice[] = [];
  readonly counters = newCounters();
  readonly enrollLatency = new LatencyRecorder();
  readonly profileLatency = new LatencyRecorder();
  readonly runId: string;
  groupId: string | undefined;
  profileId: string | undefined;
  /** When users, group and profile existed and the first enrollment started (epoch ms). */
  enrollStartedAt: number | undefined;
  private readonly started = Date.now();
  private stopped = false;
  /** Ends the waits between enrollment attempts when the run stops. */
  private readonly stopping = new AbortController();

  constructor(private readonly o: FleetOptions) {
    this.runId = o.runId ?? randomBytes(3).toString('hex');
  }

  snapshot(): FleetSnapshot {
    return { elapsedMs: Date.now() - this.started, counters: this.counters, enrollLatency: this.enrollLatency, profileLatency: this.profileLatency };
  }

  /** Creates the directory objects, then enrolls every device; resolves when all enrollments ended. */
  async start(): Promise<void> {
    const admin = new AdminClient(this.o.serverUrl, this.o.adminToken);
    const users: string[] = [];
    for (let i = 0; i < this.o.count; i++) {
      users.push((await admin.createUser({ upn: `fleet-${this.runId}-${String(i).padStart(5, '0')}@fleet.mdmlab.test` })).id);
    }
    this.groupId = (await admin.createGroup(`fleet-${this.runId}`)).id;
    for (let i = 0; i < users.length; i += 5000) await admin.addMembers(this.groupId, { users: users.slice(i, i + 5000) });
    if (this.o.profile) {
      this.profileId = (await admin.createEmailProfile({ name: `fleet-${this.runId} mail`, ...this.o.profile })).id;
      await admin.deploy(this.profileId, [this.groupId]);
    }
    let next = 0;
    this.enrollStartedAt = Date.now();
    const worker = async () => {
      while (!this.stopped && next < users.length) {
        const i = next++;
        await this.enrollOne(admin, users[i]!, i);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.o.concurrency) }, worker));
  }

  /**
   * Enrolls one device, trying again after a failure (a server under load, a lost connection) with
   * a capped exponential backoff: a fresh enrollment token each time (one-time tokens are spent by
   * the attempt that fetched the profile), on the same simulated device (a failed enrollment leaves
   * it unenrolled). Latency counts from the first attempt.
   */
  private async enrollOne(admin: AdminClient, userId: string, i: number): Promise<void> {
    const id = `${this.o.platform}-${this.runId}-${String(i).padStart(5, '0')}`;
    const t0 = Date.now();
    const attempts = Math.max(1, this.o.enrollAttempts ?? DEFAULT_ATTEMPTS);
    let device: SimulatedDevice | undefined;
    this.counters.enrolling++;
    try {
      for (let attempt = 1; ; attempt++) {
        this.counters.enrollAttempts++;
        try {
          device ??= await this.createDevice(id, i, t0);
          await device.enroll(await admin.enrollmentToken(userId, { platform: this.o.platform }));
          this.counters.enrolled++;
          if (attempt > 1) this.counters.enrollRetried++;
          this.enrollLatency.add(Date.now() - t0);
          return;
        } catch (err) {
          bump(this.counters.errors, errorClass(err));
          if (attempt >= attempts || this.stopped || !(await this.backoff(attempt))) {
            this.counters.enrollFailed++;
            return;
          }
        }
      }
    } finally {
      this.counters.enrolling--;
    }
  }

  private async createDevice(id: string, i: number, t0: number): Promise<SimulatedDevice> {
    const device = await this.o.createDevice(id, `${this.o.seed}:${i}`);
    this.devices.push(device);
    this.counters.devices++;
    device.on('commandHandled', (e) => {
      bump(this.counters.commands, `${e.requestType} ${e.status}`);
      if (e.outcome === 'failure') this.counters.commandFailures++;
      // Neutral words: an iOS InstallProfile Acknowledged, a Windows Atomic 200 adding the account.
      if (e.profileAction === 'install' && e.outcome === 'success') {
        this.counters.profilesInstalled++;
        this.profileLatency.add(Date.now() - t0);
      }
    });
    device.on('backgroundError', (err) => {
      this.counters.backgroundErrors++;
      bump(this.counters.errors, errorClass(err));
    });
    return device;
  }

  /** Waits before attempt `failed + 1` (half to all of base·2^(failed-1), capped); false when the run stopped meanwhile. */
  private async backoff(failed: number): Promise<boolean> {
    const { baseMs, maxMs } = this.o.retryBackoff ?? DEFAULT_BACKOFF;
    const ceiling = Math.min(maxMs, baseMs * 2 ** (failed - 1));
    // Jitter spreads the retries of devices that failed together (a server restart) over time.
    const ms = ceiling / 2 + Math.random() * (ceiling / 2);
    try {
      await sleep(ms, undefined, { signal: this.stopping.signal });
    } catch {
      return false;
    }
    return !this.stopped;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    await Promise.allSettled(this.devices.map((d) => d.stop()));
  }
}

/** One progress line: what a person watching a fleet wants to see every second. */
export function progressLine(s: FleetSnapshot, total: number): string {
  const c = s.counters;
  const installed = c.profilesInstalled;
  const errored = c.commandFailures;
  return (
    `${(s.elapsedMs / 1000).toFixed(1)}s  enrolled ${c.enrolled}/${total}` +
    (c.enrolling ? ` (${c.enrolling} in flight)` : '') +
    `  profiles installed ${installed}  command errors ${errored}  enroll failures ${c.enrollFailed}  background errors ${c.backgroundErrors}`
  );
}
