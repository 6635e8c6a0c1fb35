import type Database from 'better-sqlite3';
import type { AppleDeviceRepository } from '../../port.js';
import type { AppleDeviceRecord } from '../../records.js';
import type { Exec } from '../connection.js';
import { compact, guarded, opt } from './row.js';

interface AppleRow {
  device_id: string;
  udid: string;
  identity_fingerprint: string;
  checked_out_at: string | null;
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
    checkedOutAt: opt(r.checked_out_at),
    topic: r.topic,
    pushMagic: opt(r.push_magic),
    pushToken: opt(r.push_token),
    tokenUpdateCount: r.token_update_count,
    authenticatedAt: r.authenticated_at,
    profileList: r.profile_list === null ? undefined : (JSON.parse(r.profile_list) as AppleDeviceRecord['profileList']),
  });

export function sqliteAppleDevices(db: Database.Database, exec: Exec): AppleDeviceRepository {
  const upsert = db.prepare(
    `INSERT INTO apple_devices (device_id, udid, identity_fingerprint, checked_out_at, topic, push_magic, push_token, token_update_count,
       authenticated_at, profile_list)
     VALUES (@deviceId, @udid, @identityFingerprint, @checkedOutAt, @topic, @pushMagic, @pushToken, @tokenUpdateCount,
       @authenticatedAt, @profileList)
     ON CONFLICT (device_id) DO UPDATE SET udid = excluded.udid, identity_fingerprint = excluded.identity_fingerprint,
       checked_out_at = excluded.checked_out_at,
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
            checkedOutAt: a.checkedOutAt ?? null,
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
