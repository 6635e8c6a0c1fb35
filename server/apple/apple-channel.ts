import { randomUUID } from 'node:crypto';
import { encodeCommand, type CommandRequest } from '../../protocol/apple/command.js';
import { emailProfileIdentifier } from '../../protocol/apple/email-profile.js';
import { enqueueCommand } from '../domain/command-queue.js';
import type { PlatformChannel, PushResult } from '../domain/reconciler.js';
import type { Repositories } from '../store/port.js';
import type { CommandRecord, DeviceRecord, EmailProfileRecord, ProfileStateRecord, ScepChallengeRecord } from '../store/records.js';
import type { AppleContext } from './apple-context.js';
import { buildDeviceEmailProfile } from './profile-builder.js';

/** Profile commands go before ad-hoc ones (ProfileList) so a deployment is never stuck behind them. */
const PROFILE_PRIORITY = 10;

/** Queues an Apple command whose plist is cheap to build now (ProfileList, RemoveProfile). */
export async function enqueueAppleCommand(
  tx: Repositories,
  device: DeviceRecord,
  request: CommandRequest,
  at: string,
  extra: { profileId?: string; profileVersion?: number; priority?: number } = {},
): Promise<string> {
  const uuid = randomUUID().toUpperCase();
  return enqueueCommand(tx, device.id, { uuid, requestType: request.RequestType, body: encodeCommand({ CommandUUID: uuid, Command: request }), ...extra }, at);
}

/** A command's plist built when the device fetches it, with what must be stored alongside. */
export interface RenderedCommand {
  body: string;
  challenges: ScepChallengeRecord[];
}

/**
 * Apple MDM as a platform channel: profiles travel as InstallProfile / RemoveProfile commands in
 * the device's queue (Apple: "Install Profile" and "Remove Profile" commands), and a push
 * ({"mdm": PushMagic}) makes the device come and fetch them.
 *
 * An InstallProfile is queued as a recipe (no body): its signed profile is built when the device
 * fetches it (render), outside the transaction that queued it, so deploying to many devices costs
 * one cheap row each and the signatures are spread over the devices' check-ins.
 */
export class AppleChannel implements PlatformChannel {
  readonly platforms = ['ios'] as const;

  constructor(private readonly ctx: AppleContext) {}

  async install(tx: Repositories, device: DeviceRecord, profile: EmailProfileRecord, at: string): Promise<void> {
    // An older version still waiting in the queue is superseded: the device gets only the newest.
    for (const c of await tx.commands.forDevice(device.id)) {
      if (c.profileId === profile.id && c.status === 'queued') await tx.commands.delete(c.uuid);
    }
    await enqueueCommand(tx, device.id, { requestType: 'InstallProfile', body: '', profileId: profile.id, profileVersion: profile.version, priority: PROFILE_PRIORITY }, at);
  }

  /**
   * The plist of a command queued as a recipe. Undefined when there is nothing left to build it
   * from (the profile was deleted or edited since: the queue has moved on, the caller looks again).
   */
  async render(command: CommandRecord, device: DeviceRecord): Promise<RenderedCommand | undefined> {
    if (command.requestType !== 'InstallProfile' || !command.profileId) return undefined;
    const profile = await this.ctx.store.emailProfiles.get(command.profileId);
    if (!profile || profile.version !== command.profileVersion) return undefined;
    const built = await buildDeviceEmailProfile(this.ctx, this.ctx.store, device, profile);
    return {
      body: encodeCommand({ CommandUUID: command.uuid, Command: { RequestType: 'InstallProfile', Payload: built.signed } }),
      challenges: built.challenges,
    };
  }

  async remove(tx: Repositories, device: DeviceRecord, state: ProfileStateRecord, at: string): Promise<'awaitConfirmation' | 'removed' | 'forget'> {
    const mine = (await tx.commands.forDevice(device.id)).filter((c) => c.profileId === state.profileId);
    for (const c of mine) if (c.status === 'queued' && c.requestType === 'InstallProfile') await tx.commands.delete(c.uuid);
    const inFlightInstall = mine.some((c) => c.requestType === 'InstallProfile' && c.status !== 'queued');
    const removalQueued = mine.some((c) => c.requestType === 'RemoveProfile');
    if (removalQueued) return 'awaitConfirmation';
    // Blocked and failed installs left nothing new on the device, a pending one that never left the
    // queue neither; unless an earlier copy is still installed (a refused re-delivery keeps it).
    if (state.installedVersion === undefined) {
      if (state.state === 'blocked' || state.state === 'failed') return 'forget';
      if (state.state === 'pending' && !inFlightInstall) return 'forget';
    }
    await enqueueAppleCommand(tx, device, { RequestType: 'RemoveProfile', Identifier: emailProfileIdentifier(state.profileId) }, at, {
      profileId: state.profileId,
      profileVersion: state.profileVersion,
      priority: PROFILE_PRIORITY,
    });
    return 'awaitConfirmation';
  }

  profileAction(command: CommandRecord): 'install' | 'remove' | undefined {
    return command.requestType === 'InstallProfile' ? 'install' : command.requestType === 'RemoveProfile' ? 'remove' : undefined;
  }

  async wake(devices: readonly DeviceRecord[]): Promise<void> {
    for (const device of devices) await this.push(device.id);
  }

  /** Sends the device its wake-up: 'noToken' before its first TokenUpdate. */
  async push(deviceId: string): Promise<PushResult> {
    const apple = await this.ctx.store.appleDevices.getByDevice(deviceId);
    if (!apple?.pushToken || !apple.pushMagic) return 'noToken';
    return this.ctx.push.send(apple.pushToken, apple.topic, { mdm: apple.pushMagic });
  }
}
