import type { Repositories } from '../store/port.js';
import type { CommandRecord, DeviceRecord, ProfileState, ProfileStateRecord } from '../store/records.js';
import { raiseAccountAlert } from './account-alerts.js';
import type { DomainContext } from './context.js';
import { removedState } from './reconciler.js';

/**
 * What a device's answer means for one profile, in the platform-neutral vocabulary of docs/scenarios.md
 * ("Profile states").
 * Each platform translates its own wire answer into this (Apple: report status and ErrorChain;
 * OMA-DM: SyncML status codes; Android: the status report's non-compliance details), and this
 * service alone turns it into profile states and alerts: status and alerts come from the devices'
 * answers, never from assumptions.
 */
export type ProfileOutcome =
  | { state: 'installed'; replacedUserAccount?: boolean }
  | { state: 'removed' }
  /** The platform refused the profile because the user already has the account (iOS). */
  | { state: 'blocked'; detail: string }
  | { state: 'failed'; detail: string }
  /** Android for Work: the app the profile configures is not in the work profile yet. */
  | { state: 'waitingForApp'; detail: string };

/** Which delivery the answer is about. */
export interface ProfileAnswer {
  profileId: string;
  /** The version the delivery carried; absent when the platform cannot tell (then: the current one). */
  profileVersion?: number;
  action: 'install' | 'remove';
  /**
   * A removal confirmed while a new install of the same profile is already queued: the profile was
   * deployed again meanwhile and its state belongs to that delivery.
   */
  installQueued?: boolean;
}

export class ProfileOutcomes {
  constructor(private readonly ctx: DomainContext) {}

  /** Records the outcome of one delivery; returns the state written, or undefined when the answer was moot. */
  async record(tx: Repositories, device: DeviceRecord, answer: ProfileAnswer, outcome: ProfileOutcome, at: string): Promise<ProfileState | undefined> {
    const { profileId } = answer;
    const current = await tx.profileStates.get(device.id, profileId);
    // A result about an older version than the one now on its way changes nothing.
    if (!current || (answer.profileVersion !== undefined && answer.profileVersion < current.profileVersion)) return undefined;
    if (answer.action === 'remove' && outcome.state === 'removed' && answer.installQueued) return undefined;
    // What the device holds afterwards: the installed version, nothing once removed, and after a
    // refused install or removal whatever it held before (iOS keeps the earlier copy).
    const installedVersion =
      outcome.state === 'installed' ? (answer.profileVersion ?? current.profileVersion) : outcome.state === 'removed' ? undefined : current.installedVersion;
    await tx.profileStates.upsert({
      deviceId: device.id,
      profileId,
      state: outcome.state,
      ...('detail' in outcome ? { detail: outcome.detail } : {}),
      profileVersion: current.profileVersion,
      ...(installedVersion !== undefined ? { installedVersion } : {}),
      updatedAt: at,
    });
    if (outcome.state === 'installed' || outcome.state === 'removed') {
      await tx.alerts.resolve({ deviceId: device.id, profileId }, at);
    } else if (outcome.state === 'blocked') {
      await raiseAccountAlert(this.ctx, tx, device, profileId, outcome.detail, at);
    }
    return outcome.state;
  }

  /**
   * The server could not build a queued command for the device (its own failure, never the
   * device's): the command leaves the queue and its profile is `failed` with the reason, so the
   * device gets whatever else waits and the administrator sees why. Retried with the next version.
   */
  async couldNotBuild(device: DeviceRecord, command: CommandRecord, err: unknown, at: string): Promise<void> {
    const reason = err instanceof Error ? err.message : String(err);
    this.ctx.log.error({ err, deviceId: device.id, commandUuid: command.uuid, profileId: command.profileId }, 'the server could not build a command for the device');
    await this.ctx.store.transaction(async (tx) => {
      if (!(await tx.commands.delete(command.uuid)) || !command.profileId) return;
      const answer = { profileId: command.profileId, ...(command.profileVersion !== undefined ? { profileVersion: command.profileVersion } : {}), action: 'install' as const };
      await this.record(tx, device, answer, { state: 'failed', detail: `the server could not build this profile for the device: ${reason}` }, at);
    });
  }

  /**
   * The device left management (Apple CheckOut, OMA-DM unenrollment alert, Android unregistration):
   * removing management took every managed profile off the device with it, so what was installed is
   * now `removed` and what never arrived (pending, blocked, failed) is forgotten. Its queue is
   * dropped and its alerts are moot.
   */
  async deviceLeftManagement(tx: Repositories, device: DeviceRecord, at: string): Promise<void> {
    await tx.devices.update({ ...device, status: 'unenrolled', unenrolledAt: at, lastSeenAt: at });
    await this.endManagement(tx, device.id, at);
  }

  /**
   * What ending a management relationship does to the server's view of a device (leaving
   * management, or a new enrollment replacing the old one): its queue is dropped, what was
   * installed is recorded `removed`, what never arrived is forgotten, its alerts are resolved. The
   * command history stays.
   */
  async endManagement(tx: Repositories, deviceId: string, at: string): Promise<void> {
    await tx.commands.deleteForDevice(deviceId);
    for (const s of await tx.profileStates.forDevice(deviceId)) {
      if (s.state === 'installed' || s.installedVersion !== undefined) await tx.profileStates.upsert(removedState(s, at));
      else if (s.state !== 'removed') await tx.profileStates.delete(deviceId, s.profileId);
    }
    await tx.alerts.resolve({ deviceId }, at);
  }
}

export const hasBlocked = (states: readonly ProfileStateRecord[]): boolean => states.some((s) => s.state === 'blocked');
