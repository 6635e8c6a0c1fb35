import { enqueueCommand } from '../domain/command-queue.js';
import type { PlatformChannel, PushResult } from '../domain/reconciler.js';
import type { Repositories } from '../store/port.js';
import type { CommandRecord, DeviceRecord, EmailProfileRecord, ProfileStateRecord } from '../store/records.js';
import { INSTALL, REMOVE } from './session/device-answers.js';
import { PROFILE_PRIORITY, PUSH_TOPIC, type WindowsContext } from './windows-context.js';

/**
 * Windows (MS-MDM OMA-DM) as a platform channel: one queued command per profile operation —
 * InstallProfile (an Atomic Add of the ActiveSync account, or a Replace set when the device holds an
 * earlier version) and RemoveProfile (a Delete of the account node) — rendered into SyncML when a
 * session hands them out (session/hand-out.ts), and a WNS-like push on the gateway that makes the
 * device open a session (Alert 1200). Devices also poll on the provisioned DMClient schedule, so
 * a lost push only delays.
 */
export class WindowsChannel implements PlatformChannel {
  readonly platforms = ['windows10', 'windowsPhone81'] as const;

  constructor(private readonly ctx: WindowsContext) {}

  async install(tx: Repositories, device: DeviceRecord, profile: EmailProfileRecord, at: string): Promise<void> {
    // An older version still waiting in the queue is superseded: the device gets only the newest.
    for (const c of await tx.commands.forDevice(device.id)) {
      if (c.profileId === profile.id && c.status === 'queued' && c.requestType === INSTALL) await tx.commands.delete(c.uuid);
    }
    await enqueueCommand(tx, device.id, { requestType: INSTALL, body: '', profileId: profile.id, profileVersion: profile.version, priority: PROFILE_PRIORITY }, at);
  }

  /**
   * A removal goes out unless nothing of the profile can be on the device: no account the device
   * confirmed (a failed update leaves the earlier one, which is removed) and no install on its way.
   */
  async remove(tx: Repositories, device: DeviceRecord, state: ProfileStateRecord, at: string): Promise<'awaitConfirmation' | 'removed' | 'forget'> {
    const mine = (await tx.commands.forDevice(device.id)).filter((c) => c.profileId === state.profileId);
    for (const c of mine) if (c.status === 'queued' && c.requestType === INSTALL) await tx.commands.delete(c.uuid);
    if (mine.some((c) => c.requestType === REMOVE)) return 'awaitConfirmation';
    const inFlightInstall = mine.some((c) => c.requestType === INSTALL && c.status !== 'queued');
    const account = await tx.windowsAccounts.get(device.id, state.profileId);
    if (!account?.confirmed && !inFlightInstall) {
      if (account) await tx.windowsAccounts.delete(device.id, state.profileId);
      return 'forget';
    }
    await enqueueCommand(tx, device.id, { requestType: REMOVE, body: '', profileId: state.profileId, profileVersion: state.profileVersion, priority: PROFILE_PRIORITY }, at);
    return 'awaitConfirmation';
  }

  profileAction(command: CommandRecord): 'install' | 'remove' | undefined {
    return command.requestType === INSTALL ? 'install' : command.requestType === REMOVE ? 'remove' : undefined;
  }

  async wake(devices: readonly DeviceRecord[]): Promise<void> {
    for (const device of devices) await this.push(device.id);
  }

  /** The wake-up on the device's channel: `noToken` until a session read its ChannelURI. */
  async push(deviceId: string): Promise<PushResult> {
    const windows = await this.ctx.store.windowsDevices.getByDevice(deviceId);
    if (!windows?.pushToken || windows.leftAt !== undefined) return 'noToken';
    return this.ctx.push.send(windows.pushToken, PUSH_TOPIC, { wns: 'sync' });
  }
}
