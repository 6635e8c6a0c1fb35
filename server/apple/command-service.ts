import type { CommandReport } from '../../protocol/apple/command-report.js';
import { answerCommand } from '../domain/command-queue.js';
import { hasBlocked } from '../domain/profile-outcomes.js';
import { ProtocolError } from '../errors/protocol-error.js';
import type { Repositories } from '../store/port.js';
import type { CommandRecord, DeviceRecord } from '../store/records.js';
import type { AppleChannel } from './apple-channel.js';
import type { AppleContext } from './apple-context.js';
import type { DeviceIdentity } from './device-identity.js';
import { boundDevice } from './enrollment-binding.js';
import { commandAnswer, installProfileOutcome, removeProfileOutcome } from './report-outcome.js';

/** lastSeenAt to the minute is plenty; writing it on every Idle made each check-in a write. */
const LAST_SEEN_RESOLUTION_MS = 60_000;
const lastSeenStale = (device: DeviceRecord, at: string): boolean =>
  !device.lastSeenAt || Date.parse(at) - Date.parse(device.lastSeenAt) >= LAST_SEEN_RESOLUTION_MS;
/** A queue that keeps moving under the device (edits, undeploys) while it fetches: look again a few times. */
const HAND_OUT_ATTEMPTS = 4;

/**
 * The command loop (Apple: "Sending MDM Commands to a Device"): a device reports Idle or the result
 * of the last command and gets the next one, or an empty answer when nothing waits. Results become
 * profile states and alerts through the neutral ProfileOutcomes; the answered command leaves the
 * queue for the device's command history. An Idle check-in also retries profiles the device blocked
 * before, which is how a user's "remove the manual account, then check in" ends with the managed
 * profile installed.
 */
export class CommandService {
  constructor(
    private readonly ctx: AppleContext,
    private readonly channel: AppleChannel,
  ) {}

  /** Returns the next command body (an XML plist) or undefined for an empty 200. */
  async handle(report: CommandReport, identity: DeviceIdentity): Promise<string | undefined> {
    const at = this.ctx.now().toISOString();
    if (report.Status === 'Idle' && (await this.nothingForIdle(report, identity, at))) return undefined;
    const { device, toWake } = await this.ctx.store.transaction(async (tx) => {
      const { device } = await boundDevice(tx, report.UDID, identity);
      if (device.status !== 'enrolled') throw new ProtocolError('unknownDevice', `device ${report.UDID} is not enrolled`);
      let toWake: DeviceRecord[] = [];
      if (report.Status === 'Idle') {
        // Only a block can clear on the device's side (the user removed the clashing account);
        // a failure comes from the profile itself and is retried when a new version is made.
        if (hasBlocked(await tx.profileStates.forDevice(device.id))) {
          toWake = (await this.ctx.reconciler.reconcile(tx, [device.id], at, { retry: ['blocked'] })).toWake;
        }
      } else {
        await this.recordResult(tx, device, report, at);
      }
      const seen = lastSeenStale(device, at) ? { ...device, lastSeenAt: at } : device;
      if (seen !== device) await tx.devices.update(seen);
      return { device: seen, toWake: toWake.filter((d) => d.id !== device.id) };
    });
    const body = await this.handOut(device, report.Status === 'NotNow', at);
    await this.ctx.reconciler.wake(toWake);
    return body;
  }

  /**
   * The next command, marked sent. A command queued as a recipe is rendered (signed) first, outside
   * any transaction; the transaction then checks it is still the one to send before storing it.
   */
  private async handOut(device: DeviceRecord, skipNotNow: boolean, at: string): Promise<string | undefined> {
    for (let attempt = 0; attempt < HAND_OUT_ATTEMPTS; attempt++) {
      const next = await this.ctx.store.commands.next(device.id, { skipNotNow });
      if (!next) return undefined;
      let rendered: Awaited<ReturnType<AppleChannel['render']>>;
      try {
        rendered = next.body === '' ? await this.channel.render(next, device) : undefined;
      } catch (err) {
        // The server's own failure (data it cannot encode, a certificate profile gone): that profile
        // fails with the server's words, and the device gets what else waits, never a refusal.
        await this.ctx.outcomes.couldNotBuild(device, next, err, at);
        continue;
      }
      if (next.body === '' && !rendered) continue; // superseded while we looked
      const body = await this.ctx.store.transaction(async (tx) => {
        const now = await tx.commands.next(device.id, { skipNotNow });
        if (!now || now.uuid !== next.uuid || now.body !== next.body) return undefined;
        if (rendered) {
          for (const c of rendered.challenges) await tx.scepChallenges.insert(c);
          await tx.commands.setBody(now.uuid, rendered.body);
        }
        await tx.commands.markSent(now.uuid, at);
        return rendered?.body ?? now.body;
      });
      if (body !== undefined) return body;
    }
    this.ctx.log.warn({ deviceId: device.id }, 'the queue kept changing while the device fetched its next command; it gets it at its next poll');
    return undefined;
  }

  /**
   * Most check-ins are an Idle with nothing waiting: answered from reads alone, without taking
   * the write lock. Anything to hand out, retry or record goes through the transaction below.
   */
  private async nothingForIdle(report: CommandReport, identity: DeviceIdentity, at: string): Promise<boolean> {
    const { store } = this.ctx;
    const { device } = await boundDevice(store, report.UDID, identity);
    if (device.status !== 'enrolled') throw new ProtocolError('unknownDevice', `device ${report.UDID} is not enrolled`);
    if (lastSeenStale(device, at)) return false;
    if (await store.commands.next(device.id, { skipNotNow: false })) return false;
    return !hasBlocked(await store.profileStates.forDevice(device.id));
  }

  private async recordResult(tx: Repositories, device: DeviceRecord, report: CommandReport, at: string): Promise<void> {
    const uuid = report.CommandUUID!;
    const command = await tx.commands.get(uuid);
    const log = this.ctx.log.child({ deviceId: device.id, commandUuid: uuid });
    if (!command || command.deviceId !== device.id) {
      log.warn({ status: report.Status }, 'result for a command this device does not have: ignored');
      return;
    }
    const status = report.Status;
    if (status === 'NotNow') {
      // The device keeps nothing; the command stays queued and goes out again later (Apple: NotNow).
      await tx.commands.markNotNow(uuid);
      log.info({ requestType: command.requestType }, 'NotNow');
      return;
    }
    if (status === 'Idle') return; // handle() never passes one: Idle carries no result
    // Same transaction: the command leaves the queue only with its answer recorded.
    await answerCommand(tx, command, commandAnswer({ ...report, Status: status }), at);
    log.info({ requestType: command.requestType, status }, 'command answered');
    if (command.requestType === 'ProfileList' && report.Status === 'Acknowledged') {
      await this.recordProfileList(tx, device, report);
      return;
    }
    const outcome =
      command.requestType === 'InstallProfile' ? installProfileOutcome(report) : command.requestType === 'RemoveProfile' ? removeProfileOutcome(report) : undefined;
    if (outcome && command.profileId) {
      const action = this.channel.profileAction(command)!;
      const installQueued = action === 'remove' && (await this.installQueued(tx, device, command.profileId));
      await this.ctx.outcomes.record(tx, device, { profileId: command.profileId, ...(command.profileVersion !== undefined ? { profileVersion: command.profileVersion } : {}), action, installQueued }, outcome, at);
    }
  }

  private async installQueued(tx: Repositories, device: DeviceRecord, profileId: string): Promise<boolean> {
    return (await tx.commands.forDevice(device.id)).some((c: CommandRecord) => c.profileId === profileId && this.channel.profileAction(c) === 'install');
  }

  private async recordProfileList(tx: Repositories, device: DeviceRecord, report: CommandReport): Promise<void> {
    const apple = await tx.appleDevices.getByDevice(device.id);
    if (!apple) return;
    await tx.appleDevices.upsert({
      ...apple,
      profileList: (report.ProfileList ?? []).map((p) => ({
        identifier: p.PayloadIdentifier,
        uuid: p.PayloadUUID ?? '',
        ...(p.PayloadDisplayName ? { displayName: p.PayloadDisplayName } : {}),
        ...(p.IsManaged !== undefined ? { managed: p.IsManaged } : {}),
      })),
    });
  }
}
