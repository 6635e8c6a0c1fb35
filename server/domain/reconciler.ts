import type { DevicePlatform } from '../../protocol/admin/platforms.js';
import type { Repositories } from '../store/port.js';
import type { CommandRecord, DeviceRecord, EmailProfileRecord, ProfileStateRecord } from '../store/records.js';
import { desiredProfiles } from './desired-state.js';

/**
 * How a platform's protocol carries profiles to its devices (Apple MDM commands, OMA-DM, the
 * Android channel). The reconciler decides *what* must change; a channel decides *how*.
 */
export interface PlatformChannel {
  readonly platforms: readonly DevicePlatform[];
  /** Queue what brings the profile (at its current version) onto the device. */
  install(tx: Repositories, device: DeviceRecord, profile: EmailProfileRecord, at: string): Promise<void>;
  /**
   * Queue what takes the profile off the device. `awaitConfirmation`: the state stays until the
   * device confirms (the channel then records `removed`); `removed`: nothing to wait for, the
   * profile is off; `forget`: it never reached the device (a queued install was cancelled).
   */
  remove(tx: Repositories, device: DeviceRecord, state: ProfileStateRecord, at: string): Promise<'awaitConfirmation' | 'removed' | 'forget'>;
  /** After the transaction commits: wake the devices (push) so they fetch what was queued. */
  wake(devices: readonly DeviceRecord[]): Promise<void>;
  /** Wakes one device now: `noToken` while the device has not told the server how to reach it. */
  push(deviceId: string): Promise<PushResult>;
  /** Whether a queued command of this channel brings a profile onto the device or takes it off. */
  profileAction(command: CommandRecord): 'install' | 'remove' | undefined;
  /**
   * For channels whose devices pull a whole document rather than take queued commands (the Android
   * policy): called once per reconciled device, after its profile states are written, inside the
   * same transaction. Rebuilds what the device should pull; true when that changed (wake it).
   */
  afterReconcile?(tx: Repositories, device: DeviceRecord, at: string): Promise<boolean>;
  /**
   * Work waiting for the device outside the command queue (a policy it has not applied yet), as a
   * count that joins the queue's in `pendingCommands`. Absent: all the channel's work is queued.
   */
  pendingWork?(deviceId: string): Promise<number>;
  /** Devices with such work, longest-waiting first (the start-up wake wakes them too). */
  devicesWithPendingWork?(): Promise<string[]>;
}

/** What became of a wake-up: the push service's answer, or `noToken` before the device gave one. */
export type PushResult = 'delivered' | 'held' | 'expired' | 'unknownToken' | 'holdsFull' | 'noToken';

export interface ReconcileResult {
  /** Devices with newly queued work, to be woken after commit. */
  toWake: DeviceRecord[];
}

export interface ReconcileOptions {
  retry?: readonly ProfileStateRecord['state'][];
  reissue?: ReadonlySet<string>;
}

const ON_DEVICE: ReadonlySet<ProfileStateRecord['state']> = new Set(['installed', 'pending', 'blocked', 'failed', 'waitingForApp']);

/**
 * Compares what each device should carry with what it last reported and queues the difference
 * through the device's platform channel. Runs inside the caller's transaction, so a deployment
 * change and the commands it causes land together.
 */
export class Reconciler {
  private readonly channels = new Map<DevicePlatform, PlatformChannel>();

  register(channel: PlatformChannel): void {
    for (const p of channel.platforms) this.channels.set(p, channel);
  }

  channelFor(platform: DevicePlatform): PlatformChannel | undefined {
    return this.channels.get(platform);
  }

  /**
   * `retry`: states to treat as out of date, e.g. a device checking in again retries what it
   * blocked or failed earlier (the user may have removed the clashing account since).
   * `reissue`: profiles whose per-device content changed without a new profile version (the
   * user's address or user name was edited), delivered again wherever the device holds them.
   */
  async reconcile(tx: Repositories, deviceIds: Iterable<string>, at: string, opts: ReconcileOptions = {}): Promise<ReconcileResult> {
    const ids = [...new Set(deviceIds)];
    if (ids.length === 0) return { toWake: [] };
    const profiles = new Map((await tx.emailProfiles.list()).map((p) => [p.id, p]));
    const deployments = await tx.deployments.all();
    const profileView = new Map([...profiles].map(([id, p]) => [id, { platform: p.definition.platform, version: p.version }]));
    const toWake: DeviceRecord[] = [];
    for (const id of ids) {
      const device = await tx.devices.get(id);
      if (!device || device.status !== 'enrolled') continue;
      const channel = this.channels.get(device.platform);
      if (!channel) continue;
      const groups = await tx.groups.groupsOfDevice(device.id, device.userId);
      const desired = desiredProfiles({ device, deviceGroups: groups, deployments, profiles: profileView });
      const current = new Map((await tx.profileStates.forDevice(device.id)).map((s) => [s.profileId, s]));
      let queued = false;
      for (const want of desired) {
        const have = current.get(want.profileId);
        current.delete(want.profileId);
        if (!want.applicable) {
          if (have?.state !== 'notApplicable') {
            await tx.profileStates.upsert({ deviceId: device.id, profileId: want.profileId, state: 'notApplicable', profileVersion: want.version, ...held(have), updatedAt: at });
          }
          continue;
        }
        const stale =
          !have ||
          have.state === 'removed' ||
          have.state === 'notApplicable' ||
          have.profileVersion < want.version ||
          (opts.retry ?? []).includes(have.state) ||
          (opts.reissue?.has(want.profileId) === true && ON_DEVICE.has(have.state));
        if (!stale) continue;
        await channel.install(tx, device, profiles.get(want.profileId)!, at);
        await tx.profileStates.upsert({ deviceId: device.id, profileId: want.profileId, state: 'pending', profileVersion: want.version, ...held(have), updatedAt: at });
        queued = true;
      }
      for (const left of current.values()) {
        if (left.state === 'notApplicable') {
          await tx.profileStates.delete(device.id, left.profileId);
          continue;
        }
        if (!ON_DEVICE.has(left.state)) continue;
        // Whatever the device still shows about a profile it no longer gets is moot now.
        await tx.alerts.resolve({ deviceId: device.id, profileId: left.profileId }, at);
        const outcome = await channel.remove(tx, device, left, at);
        if (outcome === 'forget') await tx.profileStates.delete(device.id, left.profileId);
        else if (outcome === 'removed') await tx.profileStates.upsert(removedState(left, at));
        else queued = true;
      }
      if ((await channel.afterReconcile?.(tx, device, at)) === true) queued = true;
      if (queued) toWake.push(device);
    }
    return { toWake };
  }

  /** What waits for the device outside the command queue (PlatformChannel.pendingWork); 0 for queue-only channels. */
  async pendingWork(device: Pick<DeviceRecord, 'id' | 'platform'>): Promise<number> {
    return (await this.channels.get(device.platform)?.pendingWork?.(device.id)) ?? 0;
  }

  /** Devices with work waiting outside the command queue, every channel's, each once. */
  async devicesWithPendingWork(): Promise<string[]> {
    const out = new Set<string>();
    for (const c of new Set(this.channels.values())) for (const id of (await c.devicesWithPendingWork?.()) ?? []) out.add(id);
    return [...out];
  }

  /** Wakes devices grouped by channel; a failed push only delays (devices also poll). */
  async wake(devices: readonly DeviceRecord[]): Promise<void> {
    const byChannel = new Map<PlatformChannel, DeviceRecord[]>();
    for (const d of devices) {
      const c = this.channels.get(d.platform);
      if (!c) continue;
      byChannel.set(c, [...(byChannel.get(c) ?? []), d]);
    }
    await Promise.allSettled([...byChannel].map(([c, list]) => c.wake(list)));
  }
}

/** What the device already holds of the profile stays known while a new delivery is on its way. */
function held(have: ProfileStateRecord | undefined): { installedVersion?: number } {
  return have?.installedVersion !== undefined ? { installedVersion: have.installedVersion } : {};
}

/** The profile is off the device: nothing of it is held any more. */
export function removedState(s: ProfileStateRecord, at: string): ProfileStateRecord {
  const { installedVersion: _gone, detail: _moot, ...rest } = s;
  return { ...rest, state: 'removed', updatedAt: at };
}
