import { encodeSyncMLCommand } from '../../../protocol/windows/syncml/encode.js';
import type { SyncMLCommand } from '../../../protocol/windows/syncml/types.js';
import type { Repositories } from '../../store/port.js';
import type { CommandRecord, DeviceRecord, WindowsDeviceRecord, WindowsSentCommandRecord, WindowsSessionRecord } from '../../store/records.js';
import { CHANNEL_REFRESH_MS, PFN_RETRY_MS, PUSH_NODE, PUSH_PFN, type WindowsContext } from '../windows-context.js';
import { newAccountGuid, renderInstall, renderRemove, type RenderedOperation } from './account-operation.js';
import { INSTALL, REMOVE } from './device-answers.js';

/** Operations in one server message at most, whatever their size. */
const MAX_OPERATIONS_PER_MESSAGE = 32;

export interface HandOutInput {
  device: DeviceRecord;
  windows: WindowsDeviceRecord;
  /** The session as it stands for this message (serverMsgId already this message's). */
  session: WindowsSessionRecord;
  nextCmdId: () => string;
  /** Bytes the commands may take in this message (the device's MaxMsgSize less what the reply holds already). */
  budget: number;
  at: string;
}

export interface HandOut {
  commands: SyncMLCommand[];
  sent: WindowsSentCommandRecord[];
  /** Commands remain that go out in a later message of this session. */
  more: boolean;
}

/**
 * What the server sends in one message (MS-MDM §2.2.7): the device's queued profile operations in
 * queue order, rendered now with this session's CmdIDs, as many as fit the message; at most one
 * operation per profile in flight, so two renderings of one account never meet in a message (an
 * Add of a GUID that exists makes Windows delete the account). Around them the session's own
 * DMClient Push commands: Replace of Push/PFN until the device confirmed it, and a Get of
 * Push/ChannelURI when its channel is unknown or stale, sent once the operations are all out (the
 * device registers its channel after it took the PFN, so the later the better).
 * A queued install whose profile changed or went since is dropped (the reconciler queued what
 * replaces it); one the server cannot build fails that profile alone, with the server's words.
 */
export class HandOutPlanner {
  constructor(private readonly ctx: WindowsContext) {}

  async plan(tx: Repositories, input: HandOutInput): Promise<HandOut> {
    const { device, windows, session, nextCmdId, at } = input;
    const outstanding = await tx.windowsSentCommands.forSession(device.id, session.sessionId);
    const busyCommands = new Set(outstanding.flatMap((r) => (r.commandUuid ? [r.commandUuid] : [])));
    const out: HandOut = { commands: [], sent: [], more: false };
    const sent = (rows: Omit<WindowsSentCommandRecord, 'deviceId' | 'sessionId' | 'msgId'>[]) =>
      out.sent.push(...rows.map((r) => ({ ...r, deviceId: device.id, sessionId: session.sessionId, msgId: session.serverMsgId })));

    if (this.pfnDue(windows, outstanding, at)) {
      const cmdId = nextCmdId();
      const target = `${PUSH_NODE}/PFN`;
      out.commands.push({ kind: 'Replace', cmdId, items: [{ target, meta: { format: 'chr', type: 'text/plain' }, data: PUSH_PFN }] });
      sent([{ cmdId, role: 'pushPfn', verb: 'Replace', target }]);
    }

    const queue = await tx.commands.forDevice(device.id);
    const busyProfiles = new Set(queue.flatMap((c) => (busyCommands.has(c.uuid) && c.profileId ? [c.profileId] : [])));
    let used = 0;
    let operations = 0;
    for (const command of queue) {
      if (busyCommands.has(command.uuid)) continue;
      if (command.profileId !== undefined && busyProfiles.has(command.profileId)) {
        out.more = true;
        continue;
      }
      if (operations >= MAX_OPERATIONS_PER_MESSAGE) {
        out.more = true;
        break;
      }
      const rendered = await this.render(tx, device, command, nextCmdId, at);
      if (!rendered) continue;
      const size = encodeSyncMLCommand(rendered.command).length;
      if (operations > 0 && used + size > input.budget) {
        out.more = true;
        break;
      }
      used += size;
      operations++;
      out.commands.push(rendered.command);
      sent(rendered.sent);
      if (command.profileId !== undefined) busyProfiles.add(command.profileId);
      await tx.commands.markSent(command.uuid, at);
    }

    if (!out.more && this.channelDue(windows, session, outstanding, at)) {
      const cmdId = nextCmdId();
      const target = `${PUSH_NODE}/ChannelURI`;
      out.commands.push({ kind: 'Get', cmdId, items: [{ target }] });
      sent([{ cmdId, role: 'pushChannel', verb: 'Get', target }]);
    }
    return out;
  }

  /** Renders one queued command, or undefined when it went (superseded, nothing left to do, or not buildable). */
  private async render(tx: Repositories, device: DeviceRecord, command: CommandRecord, nextCmdId: () => string, at: string): Promise<RenderedOperation | undefined> {
    try {
      if (command.requestType === INSTALL && command.profileId !== undefined) {
        const profile = await tx.emailProfiles.get(command.profileId);
        if (!profile || profile.version !== command.profileVersion) {
          await this.drop(tx, device, command);
          return undefined;
        }
        const user = device.userId ? await tx.users.get(device.userId) : undefined;
        if (!user) throw new Error(`device ${device.id} has no user to address the profile to`);
        let account = await tx.windowsAccounts.get(device.id, profile.id);
        if (!account) {
          // The GUID is the server's from the first rendering on, so a resend targets the same account.
          account = { deviceId: device.id, profileId: profile.id, accountGuid: newAccountGuid(), platform: profile.definition.platform as 'windows10' | 'windowsPhone81', updatedAt: at };
          await tx.windowsAccounts.upsert(account);
        }
        return renderInstall(profile, user, account, nextCmdId, command.uuid);
      }
      if (command.requestType === REMOVE && command.profileId !== undefined) {
        const account = await tx.windowsAccounts.get(device.id, command.profileId);
        if (account) return renderRemove(command.profileId, account.platform, account, nextCmdId, command.uuid);
        // Nothing of the profile is known to be on the device any more: the removal has nothing to do.
        await this.drop(tx, device, command);
        const installQueued = (await tx.commands.forDevice(device.id)).some((c) => c.profileId === command.profileId && c.requestType === INSTALL);
        const answer = { profileId: command.profileId, ...(command.profileVersion !== undefined ? { profileVersion: command.profileVersion } : {}), action: 'remove' as const, installQueued };
        await this.ctx.outcomes.record(tx, device, answer, { state: 'removed' }, at);
        return undefined;
      }
      this.ctx.log.warn({ deviceId: device.id, commandUuid: command.uuid, requestType: command.requestType }, 'a queued command no Windows device takes: dropped');
      await this.drop(tx, device, command);
      return undefined;
    } catch (err) {
      // The server's own failure (data it cannot encode, a user gone): that profile fails with the
      // server's words and the device gets what else waits (as ProfileOutcomes.couldNotBuild does).
      const reason = err instanceof Error ? err.message : String(err);
      this.ctx.log.error({ err, deviceId: device.id, commandUuid: command.uuid, profileId: command.profileId }, 'the server could not build a command for the device');
      await this.drop(tx, device, command);
      if (command.profileId !== undefined) {
        const answer = { profileId: command.profileId, ...(command.profileVersion !== undefined ? { profileVersion: command.profileVersion } : {}), action: command.requestType === REMOVE ? ('remove' as const) : ('install' as const) };
        await this.ctx.outcomes.record(tx, device, answer, { state: 'failed', detail: `the server could not build this profile for the device: ${reason}` }, at);
      }
      return undefined;
    }
  }

  private async drop(tx: Repositories, device: DeviceRecord, command: CommandRecord): Promise<void> {
    await tx.commands.delete(command.uuid);
    await tx.windowsSentCommands.deleteForCommand(device.id, command.uuid);
  }

  private pfnDue(w: WindowsDeviceRecord, outstanding: readonly WindowsSentCommandRecord[], at: string): boolean {
    if (w.pfnSetAt !== undefined || outstanding.some((r) => r.role === 'pushPfn')) return false;
    return w.pfnRefused === undefined || Date.parse(at) - Date.parse(w.pfnRefused.at) >= PFN_RETRY_MS;
  }

  private channelDue(w: WindowsDeviceRecord, session: WindowsSessionRecord, outstanding: readonly WindowsSentCommandRecord[], at: string): boolean {
    if (outstanding.some((r) => r.role === 'pushChannel')) return false;
    if (w.channelReadAt !== undefined && w.channelReadAt >= session.startedAt) return false; // read in this session already
    return w.pushToken === undefined || w.channelReadAt === undefined || Date.parse(at) - Date.parse(w.channelReadAt) >= CHANNEL_REFRESH_MS;
  }
}
