import type Database from 'better-sqlite3';
import type { WindowsAccountRepository } from '../../port.js';
import type { WindowsAccountRecord } from '../../records.js';
import type { Exec } from '../connection.js';
import { compact } from './row.js';

interface AccountRow {
  device_id: string;
  profile_id: string;
  account_guid: string;
  platform: WindowsAccountRecord['platform'];
  confirmed: string | null;
  updated_at: string;
}

const toAccount = (r: AccountRow): WindowsAccountRecord =>
  compact({
    deviceId: r.device_id,
    profileId: r.profile_id,
    accountGuid: r.account_guid,
    platform: r.platform,
    confirmed: r.confirmed === null ? undefined : (JSON.parse(r.confirmed) as Record<string, string>),
    updatedAt: r.updated_at,
  });

export function sqliteWindowsAccounts(db: Database.Database, exec: Exec): WindowsAccountRepository {
  const get = db.prepare<[string, string], AccountRow>('SELECT * FROM windows_accounts WHERE device_id = ? AND profile_id = ?');
  const forDevice = db.prepare<[string], AccountRow>('SELECT * FROM windows_accounts WHERE device_id = ? ORDER BY profile_id');
  const upsert = db.prepare(
    `INSERT INTO windows_accounts (device_id, profile_id, account_guid, platform, confirmed, updated_at)
     VALUES (@deviceId, @profileId, @accountGuid, @platform, @confirmed, @updatedAt)
     ON CONFLICT (device_id, profile_id) DO UPDATE SET account_guid = excluded.account_guid, platform = excluded.platform,
       confirmed = excluded.confirmed, updated_at = excluded.updated_at`,
  );
  const del = db.prepare('DELETE FROM windows_accounts WHERE device_id = ? AND profile_id = ?');
  const delDevice = db.prepare('DELETE FROM windows_accounts WHERE device_id = ?');
  return {
    get: (deviceId, profileId) => exec(() => { const r = get.get(deviceId, profileId); return r && toAccount(r); }),
    forDevice: (deviceId) => exec(() => forDevice.all(deviceId).map(toAccount)),
    upsert: (a) => exec(() => void upsert.run({ ...a, confirmed: a.confirmed ? JSON.stringify(a.confirmed) : null })),
    delete: (deviceId, profileId) => exec(() => del.run(deviceId, profileId).changes > 0),
    deleteForDevice: (deviceId) => exec(() => delDevice.run(deviceId).changes),
  };
}
