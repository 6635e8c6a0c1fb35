import type Database from 'better-sqlite3';
import type { WindowsSentCommandRepository, WindowsSessionRepository } from '../../port.js';
import type { WindowsSentCommandRecord, WindowsSessionRecord } from '../../records.js';
import type { Exec } from '../connection.js';
import { compact, guarded, opt } from './row.js';

interface SessionRow {
  device_id: string;
  session_id: string;
  client_msg_id: number;
  server_msg_id: number;
  next_cmd_id: number;
  last_request_hash: string | null;
  last_reply: string | null;
  started_at: string;
  updated_at: string;
  ended_at: string | null;
}

const toSession = (r: SessionRow): WindowsSessionRecord =>
  compact({
    deviceId: r.device_id,
    sessionId: r.session_id,
    clientMsgId: r.client_msg_id,
    serverMsgId: r.server_msg_id,
    nextCmdId: r.next_cmd_id,
    lastRequestHash: opt(r.last_request_hash),
    lastReply: opt(r.last_reply),
    startedAt: r.started_at,
    updatedAt: r.updated_at,
    endedAt: opt(r.ended_at),
  });

export function sqliteWindowsSessions(db: Database.Database, exec: Exec): WindowsSessionRepository {
  const get = db.prepare<[string], SessionRow>('SELECT * FROM windows_sessions WHERE device_id = ?');
  const upsert = db.prepare(
    `INSERT INTO windows_sessions (device_id, session_id, client_msg_id, server_msg_id, next_cmd_id, last_request_hash, last_reply, started_at, updated_at, ended_at)
     VALUES (@deviceId, @sessionId, @clientMsgId, @serverMsgId, @nextCmdId, @lastRequestHash, @lastReply, @startedAt, @updatedAt, @endedAt)
     ON CONFLICT (device_id) DO UPDATE SET session_id = excluded.session_id, client_msg_id = excluded.client_msg_id,
       server_msg_id = excluded.server_msg_id, next_cmd_id = excluded.next_cmd_id, last_request_hash = excluded.last_request_hash,
       last_reply = excluded.last_reply, started_at = excluded.started_at, updated_at = excluded.updated_at, ended_at = excluded.ended_at`,
  );
  return {
    get: (deviceId) => exec(() => { const r = get.get(deviceId); return r && toSession(r); }),
    upsert: (s) =>
      exec(() =>
        void upsert.run({ ...s, lastRequestHash: s.lastRequestHash ?? null, lastReply: s.lastReply ?? null, endedAt: s.endedAt ?? null }),
      ),
  };
}

interface SentRow {
  device_id: string;
  session_id: string;
  msg_id: number;
  cmd_id: string;
  command_uuid: string | null;
  role: WindowsSentCommandRecord['role'];
  verb: string;
  target: string | null;
  payload: string | null;
}

const toSent = (r: SentRow): WindowsSentCommandRecord =>
  compact({
    deviceId: r.device_id,
    sessionId: r.session_id,
    msgId: r.msg_id,
    cmdId: r.cmd_id,
    commandUuid: opt(r.command_uuid),
    role: r.role,
    verb: r.verb,
    target: opt(r.target),
    payload: r.payload === null ? undefined : (JSON.parse(r.payload) as Record<string, unknown>),
  });

export function sqliteWindowsSentCommands(db: Database.Database, exec: Exec): WindowsSentCommandRepository {
  const insert = db.prepare(
    `INSERT INTO windows_sent_commands (device_id, session_id, msg_id, cmd_id, command_uuid, role, verb, target, payload)
     VALUES (@deviceId, @sessionId, @msgId, @cmdId, @commandUuid, @role, @verb, @target, @payload)`,
  );
  const insertAll = db.transaction((rows: readonly WindowsSentCommandRecord[]) => {
    for (const c of rows) {
      insert.run({ ...c, commandUuid: c.commandUuid ?? null, target: c.target ?? null, payload: c.payload ? JSON.stringify(c.payload) : null });
    }
  });
  const forMessage = db.prepare<[string, string, number], SentRow>(
    'SELECT * FROM windows_sent_commands WHERE device_id = ? AND session_id = ? AND msg_id = ? ORDER BY rowid',
  );
  const forSession = db.prepare<[string, string], SentRow>('SELECT * FROM windows_sent_commands WHERE device_id = ? AND session_id = ? ORDER BY rowid');
  const delCommand = db.prepare('DELETE FROM windows_sent_commands WHERE device_id = ? AND command_uuid = ?');
  const delOne = db.prepare('DELETE FROM windows_sent_commands WHERE device_id = ? AND session_id = ? AND msg_id = ? AND cmd_id = ?');
  const delDevice = db.prepare('DELETE FROM windows_sent_commands WHERE device_id = ?');
  return {
    insert: (rows) => exec(() => void guarded(() => insertAll(rows))),
    forMessage: (deviceId, sessionId, msgId) => exec(() => forMessage.all(deviceId, sessionId, msgId).map(toSent)),
    forSession: (deviceId, sessionId) => exec(() => forSession.all(deviceId, sessionId).map(toSent)),
    deleteForCommand: (deviceId, uuid) => exec(() => delCommand.run(deviceId, uuid).changes),
    delete: (deviceId, sessionId, msgId, cmdId) => exec(() => delOne.run(deviceId, sessionId, msgId, cmdId).changes > 0),
    deleteForDevice: (deviceId) => exec(() => delDevice.run(deviceId).changes),
  };
}
