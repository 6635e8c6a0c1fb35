import { randomUUID } from 'node:crypto';
import { encodeCommand, type CommandRequest } from '../../protocol/apple/command.js';
import { emailProfileIdentifier } from '../../protocol/apple/email-profile.js';
import type { PlatformChannel } from '../domain/reconciler.js';
import type { PushOutcome } from '../push/gateway.js';
import type { Repositories } from '../store/port.js';
import type { DeviceRecord, EmailProfileRecord, ProfileStateRecord } from '../store/records.js';
import type { AppleContext } from './apple-context.js';
import { buildDeviceEmailProfile } from './profile-builder.js';

/** Profile commands go before ad-hoc ones (ProfileList) so a deployment is never stuck behind them. */
const PROFILE_PRIORITY = 10;

export async function enqueueAppleCommand(
  tx: Repositories,
  device: DeviceRecord,
  request: CommandRequest,
  at: string,
  extra: { profileId?: string; profileVersion?: number; priority?: number } = {},
): Promise<string> {
  const uuid = randomUUID().toUpperCase();
  await tx.commands.enqueue({
    uuid,
    deviceId: device.id,
    requestType: request.RequestType,
    body: encodeCommand({ CommandUUID: uuid, Command: request }),
    priority: extra.priority ?? 0,
    createdAt: at,
    ...(extra.profileId ? { profileId: extra.profileId } : {}),
    ...(extra.profileVersion !== undefined ? { profileVersion: extra.profileVersion } : {}),
  });
  return uuid;
}

/**
 * Apple MDM as a platform channel: profiles travel as InstallProfile / RemoveProfile commands in
 * the device's queue (notes/apple.md §2.4–2.5), and a push ({"mdm": PushMagic}) makes the device
 * come and fetch them.
 */
export class AppleChannel implements PlatformChannel {
  readonly platforms = ['ios'] as const;

  constructor(private readonly ctx: AppleContext) {}

  async install(tx: Repositories, device: DeviceRecord, profile: EmailProfileRecord, at: string): Promise<void> {
    // An older version still waiting in the queue is superseded: the device gets only the newest.
    for (const c of await tx.commands.forDevice(device.id)) {
      if (c.profileId === profile.id && c.status === 'queued') await tx.commands.delete(c.uuid);
    }
    const payload = await buildDeviceEmailProfile(this.ctx, tx, device, profile);
    await enqueueAppleCommand(tx, device, { RequestType: 'InstallProfile', Payload: payload }, at, {
      profileId: profile.id,
      profileVersion: profile.version,
      priority: PROFILE_PRIORITY,
    });
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

  async wake(devices: readonly DeviceRecord[]): Promise<void> {
    for (const device of devices) await this.push(device.id);
  }

  /** Sends the device its wake-up: 'noToken' before its first TokenUpdate. */
  async push(deviceId: string): Promise<PushOutcome | 'noToken'> {
    const apple = await this.ctx.store.appleDevices.getByDevice(deviceId);
    if (!apple?.pushToken || !apple.pushMagic) return 'noToken';
    return this.ctx.push.send(apple.pushToken, apple.topic, { mdm: apple.pushMagic });
  }
}
