/**
 * Building blocks of an answer, the same for the server and the simulated device (MS-MDM §2.2.6.1):
 * the reply's header swaps Target and Source and keeps the SessionID; the first Status answers the
 * SyncHdr (CmdRef 0, Cmd SyncHdr, MsgRef = the received MsgID); then one Status per received command.
 */
import type { StatusCommand, SyncMLCommand, SyncMLHeader, SyncMLMeta } from './types.js';

/** The header of a message answering `received`: same session and versions, Target and Source swapped. */
export function replyHeader(received: SyncMLHeader, msgId: string | number): SyncMLHeader {
  return {
    verDtd: received.verDtd,
    verProto: received.verProto,
    sessionId: received.sessionId,
    msgId: String(msgId),
    target: { locUri: received.source.locUri },
    source: { locUri: received.target.locUri },
  };
}

/** The Status answering a message's SyncHdr: 200, 212, or 401/407 with a challenge. */
export function syncHdrStatus(received: SyncMLHeader, cmdId: string, code: number, chal?: SyncMLMeta): StatusCommand {
  const status: StatusCommand = { kind: 'Status', cmdId, msgRef: received.msgId, cmdRef: '0', cmd: 'SyncHdr', code, targetRefs: [], sourceRefs: [], items: [] };
  if (chal) status.chal = chal;
  return status;
}

/**
 * The Status answering one received command. An unreadable command is answered by its element name
 * and its CmdID, or an empty CmdRef when it had none (Microsoft's "OMA DM protocol support").
 */
export function statusFor(command: SyncMLCommand, msgRef: string, cmdId: string, code: number): StatusCommand {
  const invalid = command.kind === 'Invalid';
  return {
    kind: 'Status',
    cmdId,
    msgRef,
    cmdRef: invalid ? (command.cmdId ?? '') : command.cmdId,
    cmd: invalid ? command.name : command.kind,
    code,
    targetRefs: [],
    sourceRefs: [],
    items: [],
  };
}
