import { createHash, randomBytes } from 'node:crypto';
import { isWindowsProtocolError } from '../../../protocol/windows/errors.js';
import { ALERT } from '../../../protocol/windows/syncml/alert-codes.js';
import { md5Challenge } from '../../../protocol/windows/syncml/auth-md5.js';
import { decodeSyncML, DEFAULT_SYNCML_LIMITS } from '../../../protocol/windows/syncml/decode.js';
import { encodeSyncML } from '../../../protocol/windows/syncml/encode.js';
import { replyHeader, syncHdrStatus } from '../../../protocol/windows/syncml/replies.js';
import { STATUS } from '../../../protocol/windows/syncml/status-codes.js';
import type { SyncMLCommand, SyncMLMessage, SyncMLMeta } from '../../../protocol/windows/syncml/types.js';
import { SESSION_REFUSALS, type SessionRefusalCode } from '../../errors/catalogue.js';
import { ProtocolError } from '../../errors/protocol-error.js';
import type { Repositories } from '../../store/port.js';
import type { DeviceRecord, WindowsDeviceRecord, WindowsSessionRecord } from '../../store/records.js';
import type { WindowsContext } from '../windows-context.js';
import { readClientMessage } from './client-commands.js';
import { DeviceAnswers } from './device-answers.js';
import { HandOutPlanner } from './hand-out.js';
import { authenticateMessage, type AuthVerdict } from './session-auth.js';

/** The largest OMA-DM message taken (the codec's bound: Windows' own MaxMsgSize is far below). */
export const MANAGEMENT_MESSAGE_LIMIT = DEFAULT_SYNCML_LIMITS.maxBytes;
/** What a server message may hold when the device names no MaxMsgSize, and the most it may hold. */
const DEFAULT_MESSAGE_BYTES = 64 * 1024;
const MIN_MESSAGE_BYTES = 4 * 1024;
/** lastSeenAt and lastSessionAt to the minute are plenty (the Apple path does the same). */
const SEEN_RESOLUTION_MS = 60_000;

export interface Peer {
  /** DER of the TLS client certificate, when the connection is mutual TLS and the client presented one. */
  certificateDer?: Buffer;
}

/** The state a message was judged against; the unit of work proceeds only if it still holds. */
interface Judged {
  windows: WindowsDeviceRecord;
  device: DeviceRecord;
  session: WindowsSessionRecord | undefined;
  verdict: Extract<AuthVerdict, { by: unknown }>;
  newSession: boolean;
}

class StateMoved extends Error {}

/**
 * One OMA-DM message of a Windows device (SyncML DM 1.2 per MS-MDM) in, the server's message out.
 *
 * Checked before anything is written: the SyncHdr (unreadable: HTTP 400 — there is nothing to answer
 * in SyncML), the device (its DeviceID, the SyncHdr Source, must be enrolled: 403), its proof
 * (session-auth.ts: 401/407 with a Chal carrying the nonce), and the session (MsgID 1 starts one,
 * else the next MsgID of the open one: 400). A refusal is a message holding only the Status of the
 * SyncHdr and changes nothing. A message repeated byte for byte after its reply was lost gets that
 * reply again.
 *
 * Then one unit of work: the session's bookkeeping (kept in the store, so a restarted server or
 * another instance continues it, and what was sent but never answered goes out again), the Status
 * of the SyncHdr first with the next nonce, one Status per device command, the device's answers
 * to earlier commands, and the server's commands — or Alert 1222 when the device's package has more
 * messages (no Final). The session ends with a message that carries no command.
 */
export class SessionService {
  private readonly answers: DeviceAnswers;
  private readonly planner: HandOutPlanner;

  constructor(private readonly ctx: WindowsContext) {
    this.answers = new DeviceAnswers(ctx);
    this.planner = new HandOutPlanner(ctx);
  }

  async handle(body: Buffer, peer: Peer): Promise<string> {
    let msg: SyncMLMessage;
    try {
      msg = decodeSyncML(body);
    } catch (err) {
      if (!isWindowsProtocolError(err)) throw err;
      throw new ProtocolError(err.code === 'tooLarge' ? 'bodyTooLarge' : 'malformedSyncML', err.message);
    }
    const header = msg.header;
    if (!/^DM\/1\.[12]$/i.test(header.verProto)) return this.refuse(msg, 'unsupportedProtocol');
    const at = this.ctx.now().toISOString();
    const requestHash = createHash('sha256').update(body).digest('hex');
    const { store } = this.ctx;
    const windows = await store.windowsDevices.getByDmDeviceId(header.source.locUri);
    const device = windows ? await store.devices.get(windows.deviceId) : undefined;
    if (!windows || !device) return this.refuse(msg, 'unknownDevice');
    const session = await store.windowsSessions.get(device.id);
    const msgId = Number(header.msgId);
    const repeated = session !== undefined && session.sessionId === header.sessionId && session.clientMsgId === msgId && session.lastRequestHash === requestHash;
    const verdict = authenticateMessage(windows, header, peer.certificateDer, requestHash, repeated ? session.lastRequestHash : undefined, at);
    if ('refused' in verdict) return this.refuse(msg, verdict.refused, md5Challenge(Buffer.from(windows.nonce, 'base64')), device.id);
    if (repeated && session.lastReply !== undefined) {
      this.ctx.log.info({ deviceId: device.id, sessionId: header.sessionId, msgId }, 'message repeated: its reply sent again');
      return session.lastReply;
    }
    if (verdict.by === 'retransmission') return this.refuse(msg, 'credentialsInvalid', md5Challenge(Buffer.from(windows.nonce, 'base64')), device.id);
    if (windows.leftAt !== undefined) return this.refuse(msg, 'unknownDevice', undefined, device.id);
    const continuing = session !== undefined && session.sessionId === header.sessionId && session.endedAt === undefined && msgId === session.clientMsgId + 1;
    if (!continuing && msgId !== 1) return this.refuse(msg, 'sessionOutOfOrder', undefined, device.id);
    try {
      return await store.transaction((tx) => this.process(tx, msg, { windows, device, session, verdict, newSession: !continuing }, requestHash, at));
    } catch (err) {
      if (!(err instanceof StateMoved)) throw err;
      // Another message of this device was processed meanwhile (its nonce or session moved on).
      return this.refuse(msg, 'credentialsInvalid', md5Challenge(Buffer.from((await store.windowsDevices.getByDevice(device.id))?.nonce ?? windows.nonce, 'base64')), device.id);
    }
  }

  private async process(tx: Repositories, msg: SyncMLMessage, judged: Judged, requestHash: string, at: string): Promise<string> {
    const windowsNow = await tx.windowsDevices.getByDevice(judged.device.id);
    const sessionNow = await tx.windowsSessions.get(judged.device.id);
    if (!windowsNow || windowsNow.nonce !== judged.windows.nonce || sessionNow?.clientMsgId !== judged.session?.clientMsgId || sessionNow?.sessionId !== judged.session?.sessionId) {
      throw new StateMoved();
    }
    const header = msg.header;
    let device = (await tx.devices.get(judged.device.id)) ?? judged.device;
    let windows = windowsNow;
    const session: WindowsSessionRecord = judged.newSession
      ? { deviceId: device.id, sessionId: header.sessionId, clientMsgId: 0, serverMsgId: 0, nextCmdId: 1, startedAt: at, updatedAt: at }
      : { ...sessionNow! };
    if (judged.newSession) await tx.windowsSentCommands.deleteForDevice(device.id);
    session.serverMsgId += 1;
    let cmd = session.nextCmdId;
    const nextCmdId = () => String(cmd++);
    const hdrStatusId = nextCmdId();

    // The enrollment is complete once the device talks: its profiles are queued now and handed out below.
    if (device.status !== 'enrolled') {
      device = { ...device, status: 'enrolled', enrolledAt: at, lastSeenAt: at };
      await tx.devices.update(device);
      windows = { ...windows, firstSessionAt: windows.firstSessionAt ?? at };
      await this.ctx.reconciler.reconcile(tx, [device.id], at);
    }

    const client = readClientMessage(msg, windows.dmDeviceId, nextCmdId);
    windows = await this.answers.apply(tx, device, windows, session.sessionId, client.answers, client.results, at);
    if (Object.keys(client.facts).length > 0) windows = { ...windows, devInfo: { ...windows.devInfo, ...client.facts } };
    if (client.loginStatus) windows = { ...windows, loginStatus: client.loginStatus };
    device = await this.deviceFacts(tx, device, client.facts, at);

    const commands: SyncMLCommand[] = [];
    let final = true;
    if (client.unenroll) {
      await this.ctx.outcomes.deviceLeftManagement(tx, device, at);
      await tx.windowsAccounts.deleteForDevice(device.id);
      await tx.windowsSentCommands.deleteForDevice(device.id);
      const { pushToken: _t, channelUri: _u, ...rest } = windows;
      windows = { ...rest, leftAt: at };
      this.ctx.log.info({ deviceId: device.id }, 'Windows device unenrolled by its user');
    } else if (!client.abort && !msg.final) {
      // The device's package has more messages (MS-MDM §2.2.3.4): ask for the next one.
      commands.push({ kind: 'Alert', cmdId: nextCmdId(), code: ALERT.NEXT_MESSAGE, items: [{ target: header.source.locUri, source: header.target.locUri }] });
      final = false;
    } else if (!client.abort) {
      const budget = messageBudget(header.meta) - client.statuses.length * 160;
      const plan = await this.planner.plan(tx, { device, windows, session, nextCmdId, budget, at });
      commands.push(...plan.commands);
      final = !plan.more || plan.commands.length === 0;
      if (plan.sent.length > 0) await tx.windowsSentCommands.insert(plan.sent);
    }

    const nonce = judged.verdict.by === 'digest' ? randomBytes(16) : undefined;
    const xml = encodeSyncML({
      header: replyHeader(header, session.serverMsgId),
      commands: [syncHdrStatus(header, hdrStatusId, STATUS.OK, nonce ? md5Challenge(nonce) : undefined), ...client.statuses, ...commands],
      final,
    });
    if (nonce) windows = { ...windows, previousNonce: windows.nonce, nonce: nonce.toString('base64') };
    if (judged.newSession || stale(windows.lastSessionAt, at)) windows = { ...windows, lastSessionAt: at };
    if (JSON.stringify(windows) !== JSON.stringify(windowsNow)) await tx.windowsDevices.upsert(windows);
    const ended = commands.length === 0 && final;
    const { endedAt: _e, ...open } = session;
    await tx.windowsSessions.upsert({ ...open, clientMsgId: Number(header.msgId), nextCmdId: cmd, lastRequestHash: requestHash, lastReply: xml, updatedAt: at, ...(ended ? { endedAt: at } : {}) });
    return xml;
  }

  /** The device's model and last contact from what it reported (lastSeenAt to the minute). */
  private async deviceFacts(tx: Repositories, device: DeviceRecord, facts: Record<string, string>, at: string): Promise<DeviceRecord> {
    let next = device;
    if (facts['Mod'] && facts['Mod'] !== device.model) next = { ...next, model: facts['Mod'] };
    if (stale(device.lastSeenAt, at)) next = { ...next, lastSeenAt: at };
    if (next !== device) await tx.devices.update(next);
    return next;
  }

  /** A message holding only the Status of the SyncHdr: nothing else was processed, nothing stored. */
  private refuse(msg: SyncMLMessage, code: SessionRefusalCode, chal?: SyncMLMeta, deviceId?: string): string {
    const refusal = SESSION_REFUSALS[code];
    this.ctx.log.warn({ code, status: refusal.syncml, ...(deviceId ? { deviceId } : {}), sessionId: msg.header.sessionId, msgId: msg.header.msgId }, `OMA-DM message refused: ${refusal.message}`);
    return encodeSyncML({ header: replyHeader(msg.header, 1), commands: [syncHdrStatus(msg.header, '1', refusal.syncml, chal)], final: true });
  }
}

function messageBudget(meta: SyncMLMeta | undefined): number {
  const asked = meta?.maxMsgSize;
  if (asked === undefined) return DEFAULT_MESSAGE_BYTES;
  return Math.max(MIN_MESSAGE_BYTES, Math.min(asked, MANAGEMENT_MESSAGE_LIMIT));
}

const stale = (last: string | undefined, at: string): boolean => last === undefined || Date.parse(at) - Date.parse(last) >= SEEN_RESOLUTION_MS;
