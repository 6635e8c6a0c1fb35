import type Database from 'better-sqlite3';
import { COMMAND_HISTORY_PER_DEVICE, type CommandHistoryRepository } from '../../port.js';
import type { CommandHistoryRecord } from '../../records.js';
import type { Exec } from '../connection.js';
import { compact, opt } from './row.js';

interface Row {
  seq: number;
  uuid: string;
  device_id: string;
  request_type: string;
  status: string;
  outcome: CommandHistoryRecord['outcome'];
  detail: string | null;
  profile_id: string | null;
  profile_version: number | null;
  queued_at: string;
  sent_at: string | null;
  answered_at: string;
}
const toRecord = (r: Row): CommandHistoryRecord =>
  compact({
    uuid: r.uuid,
    deviceId: r.device_id,
    requestType: r.request_type,
    status: r.status,
    outcome: r.outcome,
    // JSON keeps the detail's keys and types as the device sent them.
    detail: r.detail === null ? undefined : (JSON.parse(r.detail) as Record<string, unknown>),
    profileId: opt(r.profile_id),
    profileVersion: opt(r.profile_version),
    queuedAt: r.queued_at,
    sentAt: opt(r.sent_at),
    answeredAt: r.answered_at,
  });

export function sqliteCommandHistory(db: Database.Database, exec: Exec): CommandHistoryRepository {
  const insert = db.prepare(
    `INSERT INTO command_history (uuid, device_id, request_type, status, outcome, detail, profile_id, profile_version, queued_at, sent_at, answered_at)
     VALUES (@uuid, @deviceId, @requestType, @status, @outcome, @detail, @profileId, @profileVersion, @queuedAt, @sentAt, @answeredAt)`,
  );
  // Everything at or below the (keep+1)-th newest seq goes; with fewer entries the subquery is
  // NULL and nothing is deleted. Walks the (device_id, seq) index only.
  const prune = db.prepare(
    `DELETE FROM command_history WHERE device_id = @deviceId AND seq <=
       (SELECT seq FROM command_history WHERE device_id = @deviceId ORDER BY seq DESC LIMIT 1 OFFSET @keep)`,
  );
  // A savepoint inside an open transaction, its own transaction otherwise: never half-applied.
  const append = db.transaction((e: CommandHistoryRecord) => {
    insert.run({
      ...e,
      detail: e.detail ? JSON.stringify(e.detail) : null,
      profileId: e.profileId ?? null,
      profileVersion: e.profileVersion ?? null,
      sentAt: e.sentAt ?? null,
    });
    prune.run({ deviceId: e.deviceId, keep: COMMAND_HISTORY_PER_DEVICE });
  });
  const forDevice = db.prepare<[string], Row>('SELECT * FROM command_history WHERE device_id = ? ORDER BY seq DESC');
  return {
    append: (entry) => exec(() => void append(entry)),
    forDevice: (deviceId) => exec(() => forDevice.all(deviceId).map(toRecord)),
  };
}
