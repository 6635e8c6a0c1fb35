import type { Logger } from 'pino';
import {
  ALERT,
  basicCredential,
  decodeSyncML,
  encodeSyncML,
  encodeSyncMLCommand,
  isSuccessStatus,
  loginStatusAlert,
  md5Credential,
  nonceOfChallenge,
  STATUS,
  syncHdrStatus,
  SYNCML_VER_DTD,
  SYNCML_VER_PROTO,
  type AlertCommand,
  type LoginStatus,
  type SyncMLCommand,
  type SyncMLCredential,
  type SyncMLHeader,
  type SyncMLMessage,
} from '../../../protocol/windows/syncml/index.js';
import { isWindowsProtocolError } from '../../../protocol/windows/index.js';
import type { CommandHandledEvent } from '../../device.js';
import { isSuccess, type DmCommand, type DmTree } from '../dm-tree/index.js';
import { WindowsDeviceError } from '../errors.js';
import { answerOf, profileActionOf, toDmCommand } from './command-mapping.js';
import { readDmAccount, saveNonce, type DmAccount } from './dm-account.js';
import { postSyncML, type DmTransport } from './dm-transport.js';

/**
 * One OMA-DM session, client side (SyncML DM 1.2 as Windows speaks it: MS-MDM §2.2, Microsoft's "OMA
 * DM protocol support" page; OMA-TS-DM_Protocol-V1_2 §8 for sessions and multi-message packages):
 *
 * - The first message opens the session: Alert 1201 (own initiative) or 1200 (after a push), Alert
 *   1224 LoginStatus (Windows 10), a Replace of ./DevInfo/{DevId,Man,Mod,DmV,Lang}, and any alert
 *   the device has to give (1226: the user unenrolled).
 * - Every message carries the SyncHdr Cred from the DM account's client credentials
 *   (syncml:auth-md5 with the latest nonce) until the server answers 212 (authenticated for the
 *   session). Every Status for the SyncHdr may bring a Chal: its NextNonce is kept (in the tree,
 *   DMAcc AAuthData). A 401 or 407 is answered by sending the message again, once, with the new
 *   nonce and the same MsgID (the server processed nothing of it).
 * - The server's commands run on the tree in order, one tree execution per message (so an ActiveSync
 *   re-provisioned GUID stays deleted for the rest of the message); the answer holds the Status for
 *   the server's SyncHdr, then one Status per command (and Results for Get).
 * - A server message without Final is answered with Alert 1222 (next message); a device package too
 *   big for one message goes in parts without Final, each answered by the server before the next.
 * - The session ends when the server's message (with Final) holds nothing but Status and Results.
 * MsgIDs count from 1 in the session; CmdIDs from 1 in each message; SessionIDs are hex.
 */
export interface SessionDeps {
  transport: DmTransport;
  tree: DmTree;
  accountUid: string;
  deviceId: string;
  log: Logger;
  /** The server's profile id for an ActiveSync account GUID, when the device knows it. */
  profileIdOf(accountGuid: string): string | undefined;
}

export interface SessionPlan {
  sessionId: string;
  /** 1201 (device's own initiative) or 1200 (after a push). */
  alert: number;
  loginStatus?: LoginStatus;
  /** Further alerts of the first message (1226 unenrollment). */
  extraAlerts?: AlertCommand[];
  /** Largest message the device sends (bytes); the server's SyncHdr MaxMsgSize lowers it. Default 512 KiB. */
  maxMessageBytes?: number;
}

export interface SessionHooks {
  /** False when the device went offline or stopped: the session ends where it is, the server keeps what it did not hear about. */
  shouldContinue(): boolean;
  /** The commands of one server message ran on the tree; called before the answer goes out. */
  executed(): Promise<void>;
  /** The server accepted the answer carrying these commands' statuses. */
  handled(event: CommandHandledEvent): void;
}

export interface SessionResult {
  /** False when the session stopped before the server's last message. */
  completed: boolean;
  messages: number;
}

const MAX_MESSAGES = 200;
const DEFAULT_MAX_MESSAGE_BYTES = 512 * 1024;
/** What a SyncHdr, Final and the envelope take besides the commands. */
const ENVELOPE_BYTES = 2048;
const DEV_INFO = ['DevId', 'Man', 'Mod', 'DmV', 'Lang'] as const;

export async function runDmSession(deps: SessionDeps, plan: SessionPlan, hooks: SessionHooks): Promise<SessionResult> {
  const account = readDmAccount(deps.tree, deps.accountUid);
  if (!account) throw new WindowsDeviceError('notEnrolled', 'the device has no OMA-DM account (./SyncML/DMAcc) to open a session with');
  let maxBytes = plan.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  let authenticated = false;
  let retriedAuth = false;
  let msgId = 0;
  let toSend: SyncMLCommand[] = firstPackage(deps.tree, plan);
  let pendingEvents: CommandHandledEvent[] = [];

  for (let messages = 1; messages <= MAX_MESSAGES; messages++) {
    if (!hooks.shouldContinue()) return { completed: false, messages: messages - 1 };
    msgId++;
    const [part, rest] = splitPackage(toSend, maxBytes);
    const sent: SyncMLMessage = { header: header(deps, account, plan.sessionId, msgId, authenticated), commands: renumber(part), final: rest.length === 0 };
    const reply = decodeReply(await postSyncML(deps.transport, account.serverUrl, encodeSyncML(sent)), account.serverUrl);
    const hdr = checkReply(reply, sent);
    if (hdr.chal?.nextNonce && account.client) saveNonce(deps.tree, account.client, readNonce(hdr.chal));
    if (hdr.code === STATUS.INVALID_CREDENTIALS || hdr.code === STATUS.MISSING_CREDENTIALS) {
      // OMA-TS-DM_Security: answer a challenge once with the new nonce; nothing of the message was processed.
      if (retriedAuth) throw new WindowsDeviceError('authenticationFailed', `the OMA-DM server refused the device's credentials (${hdr.code}) again after its challenge`);
      retriedAuth = true;
      authenticated = false;
      msgId--; // the same message again: the server processed nothing of it
      continue;
    }
    if (!isSuccessStatus(hdr.code)) {
      throw new WindowsDeviceError('serverRefused', `the OMA-DM server answered the SyncHdr with ${hdr.code}`, { status: hdr.code >= 500 ? hdr.code : undefined });
    }
    retriedAuth = false;
    if (hdr.code === STATUS.AUTHENTICATION_ACCEPTED) authenticated = true;
    if (reply.header.meta?.maxMsgSize) maxBytes = Math.min(maxBytes, reply.header.meta.maxMsgSize);
    for (const s of reply.commands) {
      if (s.kind === 'Status' && s.cmd !== 'SyncHdr' && !isSuccessStatus(s.code)) deps.log.info({ cmd: s.cmd, cmdRef: s.cmdRef, code: s.code }, 'the server refused a command of the device');
    }
    if (sent.final) {
      for (const e of pendingEvents) hooks.handled(e);
      pendingEvents = [];
    }

    const incoming = reply.commands.filter((c) => c.kind !== 'Status' && c.kind !== 'Results');
    if (incoming.some((c) => c.kind === 'Alert' && c.code === ALERT.SESSION_ABORT)) return { completed: true, messages };
    if (rest.length === 0 && reply.final && incoming.length === 0) return { completed: true, messages };
    if (incoming.length > 0 && !hooks.shouldContinue()) return { completed: false, messages };

    // The server's commands, in order, as one tree execution.
    const dm: { command: DmCommand; index: number }[] = [];
    incoming.forEach((c, index) => {
      const d = toDmCommand(c);
      if (d) dm.push({ command: d, index });
    });
    const statuses = dm.length > 0 ? deps.tree.execute(dm.map((d) => d.command)) : [];
    if (dm.length > 0) await hooks.executed();

    let next = 0;
    const cmdId = () => String(++next);
    const answer: SyncMLCommand[] = [syncHdrStatus(reply.header, cmdId(), STATUS.OK)];
    const events: CommandHandledEvent[] = [];
    incoming.forEach((c, index) => {
      const i = dm.findIndex((d) => d.index === index);
      if (i < 0) {
        // An Alert of the server (1222: it wants the device's next message): acknowledged.
        answer.push({ kind: 'Status', cmdId: cmdId(), msgRef: reply.header.msgId, cmdRef: c.cmdId ?? '', cmd: c.kind, code: STATUS.OK, targetRefs: [], sourceRefs: [], items: [] });
        return;
      }
      const { command } = dm[i]!;
      const status = statuses[i]!;
      answer.push(...answerOf(command, status, reply.header.msgId, cmdId));
      events.push(eventOf(deps, command, status.code, status.reason));
    });
    // The server's package goes on (no Final): ask for its next message, unless it is asking for the device's.
    const serverWantsNext = incoming.some((c) => c.kind === 'Alert' && c.code === ALERT.NEXT_MESSAGE);
    if (!reply.final && !serverWantsNext) answer.push({ kind: 'Alert', cmdId: cmdId(), code: ALERT.NEXT_MESSAGE, items: [] });
    pendingEvents.push(...events);
    toSend = [...answer, ...rest];
  }
  throw new WindowsDeviceError('badResponse', `the OMA-DM server kept the session going past ${MAX_MESSAGES} messages`);
}

/** The SessionID as Windows writes it: hex (MS-MDM §2.2.3.8; a captured session uses `D`). */
export function sessionIdOf(counter: number): string {
  return ((counter % 0xffff) + 1).toString(16).toUpperCase();
}

function firstPackage(tree: DmTree, plan: SessionPlan): SyncMLCommand[] {
  const commands: SyncMLCommand[] = [{ kind: 'Alert', cmdId: '0', code: plan.alert, items: [] }];
  if (plan.loginStatus) commands.push(loginStatusAlert('0', plan.loginStatus));
  commands.push(...(plan.extraAlerts ?? []));
  commands.push({
    kind: 'Replace',
    cmdId: '0',
    items: DEV_INFO.map((leaf) => ({ source: `./DevInfo/${leaf}`, data: tree.value(`./DevInfo/${leaf}`) ?? '' })),
  });
  return commands;
}

function header(deps: SessionDeps, account: DmAccount, sessionId: string, msgId: number, authenticated: boolean): SyncMLHeader {
  const h: SyncMLHeader = {
    verDtd: SYNCML_VER_DTD,
    verProto: SYNCML_VER_PROTO,
    sessionId,
    msgId: String(msgId),
    target: { locUri: account.serverUrl },
    source: { locUri: deps.deviceId },
  };
  const client = account.client;
  if (client && !authenticated) {
    h.cred = credential(client.type, client.name, client.secret, client.nonce);
    h.source.locName = client.name;
  }
  return h;
}

function credential(type: string, name: string, secret: string, nonce: Buffer): SyncMLCredential {
  // DMAcc AAuthType: DIGEST is syncml:auth-md5, BASIC syncml:auth-basic.
  return type === 'BASIC' ? basicCredential(name, secret) : md5Credential(name, secret, nonce);
}

function decodeReply(body: Buffer, url: string): SyncMLMessage {
  try {
    return decodeSyncML(body);
  } catch (err) {
    if (isWindowsProtocolError(err)) throw new WindowsDeviceError('badResponse', `the answer of ${url} is not a SyncML message: ${err.message}`, { cause: err });
    throw err;
  }
}

/** The reply must belong to the session and answer the message sent, its SyncHdr Status first (MS-MDM §2.2.6.1). */
function checkReply(reply: SyncMLMessage, sent: SyncMLMessage) {
  if (reply.header.sessionId !== sent.header.sessionId) {
    throw new WindowsDeviceError('badResponse', `the server answered in session ${reply.header.sessionId}, not ${sent.header.sessionId}`);
  }
  const first = reply.commands[0];
  if (!first || first.kind !== 'Status' || first.cmd !== 'SyncHdr') throw new WindowsDeviceError('badResponse', 'the server\'s answer does not start with the Status for the device\'s SyncHdr');
  if (first.msgRef !== sent.header.msgId) throw new WindowsDeviceError('badResponse', `the server answered message ${first.msgRef}, not ${sent.header.msgId}`);
  return first;
}

function readNonce(chal: NonNullable<ReturnType<typeof checkReply>['chal']>): Buffer {
  try {
    return nonceOfChallenge(chal);
  } catch (err) {
    if (isWindowsProtocolError(err)) throw new WindowsDeviceError('badResponse', `the server's challenge cannot be read: ${err.message}`, { cause: err });
    throw err;
  }
}

/** Parts of a package that each fit `maxBytes`; the second is what waits for later messages. */
function splitPackage(commands: SyncMLCommand[], maxBytes: number): [SyncMLCommand[], SyncMLCommand[]] {
  let size = ENVELOPE_BYTES;
  for (let i = 0; i < commands.length; i++) {
    size += encodeSyncMLCommand(commands[i]!).length;
    // At least one command goes in each message, or the package would never move.
    if (size > maxBytes && i > 0) return [commands.slice(0, i), commands.slice(i)];
  }
  return [commands, []];
}

/** CmdIDs from 1 in each message (the Status commands keep their CmdRef and MsgRef). */
function renumber(commands: SyncMLCommand[]): SyncMLCommand[] {
  return commands.map((c, i) => ({ ...c, cmdId: String(i + 1) }));
}

function eventOf(deps: SessionDeps, command: DmCommand, code: number, reason: string | undefined): CommandHandledEvent {
  const profile = profileActionOf(command);
  const profileId = profile ? deps.profileIdOf(profile.accountGuid) : undefined;
  const name = command.kind === 'Copy' || command.kind === 'Unknown' ? (command.name ?? command.kind) : command.kind;
  return {
    requestType: name,
    status: String(code),
    outcome: isSuccess(code) ? 'success' : 'failure',
    ...(profile ? { profileAction: profile.action } : {}),
    ...(command.cmdId !== undefined ? { commandId: command.cmdId } : {}),
    ...(profileId ? { profileId } : {}),
    ...(!isSuccess(code) && reason ? { detail: reason } : {}),
  };
}
