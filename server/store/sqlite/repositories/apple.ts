import type Database from 'better-sqlite3';
import type { AppleDeviceRepository, CommandRepository } from '../../port.js';
import type { AppleDeviceRecord, CommandRecord } from '../../records.js';
import type { Exec } from '../connection.js';
import { compact, guarded, opt } from './row.js';

interface AppleRow {
  device_id: string;
  udid: string;
  identity_fingerprint: string;
  topic: string;
  push_magic: string | null;
  push_token: string | null;
  token_update_count: number;
  authenticated_at: string;
  profile_list: string | null;
}
const toApple = (r: AppleRow): AppleDeviceRecord =>
  compact({
    deviceId: r.device_id,
    udid: r.udid,
    identityFingerprint: r.identity_fingerprint,
    topic: r.topic,
    pushMagic: opt(r.push_magic),
    pushToken: opt(r.push_token),
    tokenUpdateCount: r.token_update_count,
    authenticatedAt: r.authenticated_at,
    profileList: r.profile_list === null ? undefined : (JSON.parse(r.profile_list) as AppleDeviceRecord['profileList']),
  });

export function sqliteAppleDevices(db: Database.Database, exec: Exec): AppleDeviceRepository {
  const upsert = db.prepare(
    `INSERT INTO apple_devices (device_id, udid, identity_fingerprint, topic, push_magic, push_token, token_update_count, authenticated_at, profile_list)
     VALUES (@deviceId, @udid, @identityFingerprint, @topic, @pushMagic, @pushToken, @tokenUpdateCount, @authenticatedAt, @profileList)
     ON CONFLICT (device_id) DO UPDATE SET udid = excluded.udid, identity_fingerprint = excluded.identity_fingerprint,
       topic = excluded.topic, push_magic = excluded.push_magic, push_token = excluded.push_token,
       token_update_count = excluded.token_update_count, authenticated_at = excluded.authenticated_at,
       profile_list = excluded.profile_list`,
  );
  const byUdid = db.prepare<[string], AppleRow>('SELECT * FROM apple_devices WHERE udid = ?');
  const byDevice = db.prepare<[string], AppleRow>('SELECT * FROM apple_devices WHERE device_id = ?');
  const byIdentity = db.prepare<[string], AppleRow>('SELECT * FROM apple_devices WHERE identity_fingerprint = ?');
  return {
    upsert: (a) =>
      exec(() =>
        void guarded(() => upsert.run({
            ...a,
            pushMagic: a.pushMagic ?? null,
            pushToken: a.pushToken ?? null,
            profileList: a.profileList ? JSON.stringify(a.profileList) : null,
          })),
      ),
    getByUdid: (udid) => exec(() => { const r = byUdid.get(udid); return r && toApple(r); }),
    getByDevice: (id) => exec(() => { const r = byDevice.get(id); return r && toApple(r); }),
    getByIdentity: (fp) => exec(() => { const r = byIdentity.get(fp); return r && toApple(r); }),
  };
}

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
  const notNow = db.prepare("UPDATE commands SET status = 'notNow', not_now_count = not_now_count + 1 WHERE uuid = ?");
  const del = db.prepare('DELETE FROM commands WHERE uuid = ?');
  const forDevice = db.prepare<[string], CommandRow>('SELECT * FROM commands WHERE device_id = ? ORDER BY priority DESC, seq');
  const delDevice = db.prepare('DELETE FROM commands WHERE device_id = ?');
  const count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM commands');
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
    markNotNow: (uuid) => exec(() => void notNow.run(uuid)),
    delete: (uuid) => exec(() => del.run(uuid).changes > 0),
    forDevice: (deviceId) => exec(() => forDevice.all(deviceId).map(toCommand)),
    deleteForDevice: (deviceId) => exec(() => delDevice.run(deviceId).changes),
    countPending: () => exec(() => count.get()!.n),
  };
}
