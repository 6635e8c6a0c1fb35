import type Database from 'better-sqlite3';
import type { CommandRepository } from '../../port.js';
import type { CommandRecord } from '../../records.js';
import type { Exec } from '../connection.js';
import { compact, guarded, opt } from './row.js';

interface CommandRow {
  uuid: string;
  device_id: string;
  request_type: string;
  body: string;
  profile_id: string | null;
  profile_version: number | null;
  status: CommandRecord['status'];
  priority: number;
  created_at: string;
  sent_at: string | null;
  not_now_count: number;
}
const toCommand = (r: CommandRow): CommandRecord =>
  compact({
    uuid: r.uuid,
    deviceId: r.device_id,
    requestType: r.request_type,
    body: r.body,
    profileId: opt(r.profile_id),
    profileVersion: opt(r.profile_version),
    status: r.status,
    priority: r.priority,
    createdAt: r.created_at,
    sentAt: opt(r.sent_at),
    notNowCount: r.not_now_count,
  });

export function sqliteCommands(db: Database.Database, exec: Exec): CommandRepository {
  const enqueue = db.prepare(
    `INSERT INTO commands (uuid, device_id, seq, request_type, body, profile_id, profile_version, status, priority, created_at)
     VALUES (@uuid, @deviceId, (SELECT COALESCE(MAX(seq), 0) + 1 FROM commands), @requestType, @body, @profileId, @profileVersion, 'queued', @priority, @createdAt)`,
  );
  const get = db.prepare<[string], CommandRow>('SELECT * FROM commands WHERE uuid = ?');
  const next = db.prepare<{ deviceId: string; skipNotNow: number }, CommandRow>(
    `SELECT * FROM commands WHERE device_id = @deviceId AND (@skipNotNow = 0 OR status <> 'notNow')
      ORDER BY priority DESC, seq LIMIT 1`,
  );
  const sent = db.prepare("UPDATE commands SET status = 'sent', sent_at = ? WHERE uuid = ?");
  const rendered = db.prepare('UPDATE commands SET body = ? WHERE uuid = ?');
  const notNow = db.prepare("UPDATE commands SET status = 'notNow', not_now_count = not_now_count + 1 WHERE uuid = ?");
  const del = db.prepare('DELETE FROM commands WHERE uuid = ?');
  const forDevice = db.prepare<[string], CommandRow>('SELECT * FROM commands WHERE device_id = ? ORDER BY priority DESC, seq');
  const delDevice = db.prepare('DELETE FROM commands WHERE device_id = ?');
  const count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM commands');
  const waiting = db.prepare<[], { device_id: string }>('SELECT device_id FROM commands GROUP BY device_id ORDER BY MIN(seq)');
  return {
    enqueue: (c) =>
      exec(() =>
        void guarded(() =>
          enqueue.run({ ...c, profileId: c.profileId ?? null, profileVersion: c.profileVersion ?? null }),
        ),
      ),
    get: (uuid) => exec(() => { const r = get.get(uuid); return r && toCommand(r); }),
    next: (deviceId, { skipNotNow }) => exec(() => { const r = next.get({ deviceId, skipNotNow: skipNotNow ? 1 : 0 }); return r && toCommand(r); }),
    markSent: (uuid, at) => exec(() => void sent.run(at, uuid)),
    setBody: (uuid, body) => exec(() => rendered.run(body, uuid).changes > 0),
    markNotNow: (uuid) => exec(() => void notNow.run(uuid)),
    delete: (uuid) => exec(() => del.run(uuid).changes > 0),
    forDevice: (deviceId) => exec(() => forDevice.all(deviceId).map(toCommand)),
    deleteForDevice: (deviceId) => exec(() => delDevice.run(deviceId).changes),
    countPending: () => exec(() => count.get()!.n),
    devicesWithPending: () => exec(() => waiting.all().map((r) => r.device_id)),
  };
}
