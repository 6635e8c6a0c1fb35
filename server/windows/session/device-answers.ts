import { isSuccessStatus } from '../../../protocol/windows/syncml/status-codes.js';
import type { ResultsCommand, StatusCommand } from '../../../protocol/windows/syncml/types.js';
import { answerCommand, enqueueCommand } from '../../domain/command-queue.js';
import type { Repositories } from '../../store/port.js';
import type { DeviceRecord, WindowsDeviceRecord, WindowsSentCommandRecord } from '../../store/records.js';
import { CHANNEL_PATH, PROFILE_PRIORITY, type WindowsContext } from '../windows-context.js';
import type { OperationPayload } from './account-operation.js';
import { judgeOperation, type PartAnswer } from './operation-verdict.js';

export const INSTALL = 'InstallProfile';
export const REMOVE = 'RemoveProfile';
/** The body of an install re-issued after the device showed the account gone: it is not re-issued twice. */
export const REISSUED = 'reissued';
const MAX_CHANNEL_URI = 2048;

interface OperationAnswer {
  row: WindowsSentCommandRecord;
  status: StatusCommand;
}

/**
 * The device's Status and Results for what the server sent (MS-MDM §2.2.6.1, §2.2.7.8), matched by
 * MsgRef and CmdRef against what this session sent. A profile operation is decided by the Status of
 * its own command (the Atomic, or the Delete): its answer goes to the command history
 * (answerCommand: the SyncML code, success or failure, every Status in the device's words), its
 * verdict to the profile state (ProfileOutcomes) and to the account the server keeps. The session's
 * DMClient Push commands update the device's push channel. A Status for a command this session
 * never sent changes nothing.
 */
export class DeviceAnswers {
  constructor(private readonly ctx: WindowsContext) {}

  async apply(tx: Repositories, device: DeviceRecord, windows: WindowsDeviceRecord, sessionId: string, answers: readonly StatusCommand[], results: readonly ResultsCommand[], at: string): Promise<WindowsDeviceRecord> {
    const log = this.ctx.log.child({ deviceId: device.id });
    const sentIn = new Map<number, WindowsSentCommandRecord[]>();
    const rowsOf = async (msgRef: string | undefined): Promise<WindowsSentCommandRecord[]> => {
      const n = Number(msgRef ?? '1');
      if (!Number.isSafeInteger(n) || n < 1) return [];
      if (!sentIn.has(n)) sentIn.set(n, await tx.windowsSentCommands.forMessage(device.id, sessionId, n));
      return sentIn.get(n)!;
    };
    let w = windows;
    const operations = new Map<string, OperationAnswer>();
    const parts = new Map<string, StatusCommand>();
    const channelGets = new Map<WindowsSentCommandRecord, StatusCommand>();
    for (const status of answers) {
      if (status.cmd === 'SyncHdr') {
        if (!isSuccessStatus(status.code)) log.warn({ code: status.code }, 'the device did not accept the server\'s SyncHdr');
        continue;
      }
      const row = (await rowsOf(status.msgRef)).find((r) => r.cmdId === status.cmdRef);
      if (!row) {
        log.warn({ msgRef: status.msgRef, cmdRef: status.cmdRef, code: status.code }, 'Status for a command this session never sent: ignored');
        continue;
      }
      if (row.role === 'operation') operations.set(row.commandUuid!, { row, status });
      else if (row.role === 'part') parts.set(`${row.msgId}/${row.cmdId}`, status);
      else if (row.role === 'pushPfn') {
        w = isSuccessStatus(status.code) ? withoutRefusal({ ...w, pfnSetAt: at }) : { ...w, pfnRefused: { status: status.code, at } };
        await tx.windowsSentCommands.delete(device.id, sessionId, row.msgId, row.cmdId);
      } else channelGets.set(row, status);
    }
    for (const r of results) {
      const row = (await rowsOf(r.msgRef)).find((x) => x.cmdId === r.cmdRef);
      if (row?.role !== 'pushChannel') {
        log.warn({ msgRef: r.msgRef, cmdRef: r.cmdRef }, 'Results for a Get this session never sent: ignored');
        continue;
      }
      w = channelFrom(w, r.items[0]?.data, at);
      channelGets.delete(row);
      await tx.windowsSentCommands.delete(device.id, sessionId, row.msgId, row.cmdId);
    }
    for (const [row] of channelGets) {
      // A Get answered without Results (404 before the device has a channel, or an empty one).
      w = channelFrom(w, undefined, at);
      await tx.windowsSentCommands.delete(device.id, sessionId, row.msgId, row.cmdId);
    }
    for (const answer of operations.values()) {
      const rows = await rowsOf(String(answer.row.msgId));
      const mine: PartAnswer[] = rows
        .filter((r) => r.role === 'part' && r.commandUuid === answer.row.commandUuid)
        .map((row) => ({ row, ...(parts.has(`${row.msgId}/${row.cmdId}`) ? { status: parts.get(`${row.msgId}/${row.cmdId}`)! } : {}) }));
      await this.decide(tx, device, answer, mine, at);
    }
    return w;
  }

  /** One operation's answer: history, account, profile state, or a re-issue when the account proved gone. */
  private async decide(tx: Repositories, device: DeviceRecord, answer: OperationAnswer, parts: PartAnswer[], at: string): Promise<void> {
    const uuid = answer.row.commandUuid!;
    await tx.windowsSentCommands.deleteForCommand(device.id, uuid);
    const command = await tx.commands.get(uuid);
    const payload = answer.row.payload as OperationPayload | undefined;
    const log = this.ctx.log.child({ deviceId: device.id, commandUuid: uuid });
    if (!command || command.deviceId !== device.id || !payload) {
      log.info({ code: answer.status.code }, 'answer to a command no longer queued (superseded meanwhile): ignored');
      return;
    }
    const verdict = judgeOperation(payload, answer.status, parts);
    const ok = isSuccessStatus(verdict.code);
    const reissue = verdict.reissue && command.requestType === INSTALL && command.body !== REISSUED;
    await answerCommand(tx, command, { status: String(verdict.code), outcome: ok ? 'success' : 'failure', detail: { operation: payload.kind, accountGuid: payload.accountGuid, statuses: verdict.statuses, ...(reissue ? { reissued: true } : {}) } }, at);
    if (verdict.account === 'confirm') {
      await tx.windowsAccounts.upsert({ deviceId: device.id, profileId: payload.profileId, accountGuid: payload.accountGuid, platform: payload.platform, confirmed: payload.values ?? {}, updatedAt: at });
    } else if (verdict.account === 'forget') {
      await tx.windowsAccounts.delete(device.id, payload.profileId);
    }
    log.info({ requestType: command.requestType, operation: payload.kind, code: verdict.code }, 'profile operation answered');
    if (reissue) {
      // The profile stays pending: its install goes out again, as an Add under a new GUID.
      await enqueueCommand(tx, device.id, { requestType: INSTALL, body: REISSUED, profileId: payload.profileId, ...(command.profileVersion !== undefined ? { profileVersion: command.profileVersion } : {}), priority: PROFILE_PRIORITY }, at);
      log.info({ profileId: payload.profileId }, 'the account was not on the device: install re-issued under a new GUID');
      return;
    }
    if (!command.profileId) return;
    const action = command.requestType === REMOVE ? 'remove' : 'install';
    const installQueued = action === 'remove' && (await tx.commands.forDevice(device.id)).some((c) => c.profileId === command.profileId && c.requestType === INSTALL);
    await this.ctx.outcomes.record(tx, device, { profileId: command.profileId, ...(command.profileVersion !== undefined ? { profileVersion: command.profileVersion } : {}), action, installQueued }, verdict.outcome, at);
  }
}

function withoutRefusal(w: WindowsDeviceRecord): WindowsDeviceRecord {
  const { pfnRefused: _gone, ...rest } = w;
  return rest;
}

/**
 * The push channel a Get of Push/ChannelURI read: `{base}/push/wns/{token}` (the wire contract's
 * WNS-like channel). The server never contacts the URI (it pushes in-process), it only keeps the
 * token; anything else leaves the device without a channel the server can use.
 */
function channelFrom(w: WindowsDeviceRecord, uri: string | undefined, at: string): WindowsDeviceRecord {
  const { pushToken: _t, channelUri: _u, ...rest } = w;
  const value = uri?.trim();
  if (!value || value.length > MAX_CHANNEL_URI) return { ...rest, channelReadAt: at };
  let path: string;
  try {
    path = new URL(value).pathname;
  } catch {
    return { ...rest, channelReadAt: at };
  }
  const token = CHANNEL_PATH.exec(path)?.[1];
  return token ? { ...rest, channelReadAt: at, channelUri: value, pushToken: token } : { ...rest, channelReadAt: at };
}
