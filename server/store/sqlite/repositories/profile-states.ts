import type Database from 'better-sqlite3';
import type { ProfileStateRepository } from '../../port.js';
import type { ProfileState, ProfileStateRecord } from '../../records.js';
import type { Exec } from '../connection.js';
import { compact, opt } from './row.js';

interface Row {
  device_id: string;
  profile_id: string;
  state: ProfileState;
  detail: string | null;
  profile_version: number;
  installed_version: number | null;
  updated_at: string;
}
const toRecord = (r: Row): ProfileStateRecord =>
  compact({
    deviceId: r.device_id,
    profileId: r.profile_id,
    state: r.state,
    detail: opt(r.detail),
    profileVersion: r.profile_version,
    installedVersion: opt(r.installed_version),
    updatedAt: r.updated_at,
  });

export function sqliteProfileStates(db: Database.Database, exec: Exec): ProfileStateRepository {
  const upsert = db.prepare(
    `INSERT INTO profile_states (device_id, profile_id, state, detail, profile_version, installed_version, updated_at)
     VALUES (@deviceId, @profileId, @state, @detail, @profileVersion, @installedVersion, @updatedAt)
     ON CONFLICT (device_id, profile_id) DO UPDATE SET
       state = excluded.state, detail = excluded.detail, profile_version = excluded.profile_version,
       installed_version = excluded.installed_version, updated_at = excluded.updated_at`,
  );
  const get = db.prepare<[string, string], Row>('SELECT * FROM profile_states WHERE device_id = ? AND profile_id = ?');
  const forDevice = db.prepare<[string], Row>('SELECT * FROM profile_states WHERE device_id = ? ORDER BY profile_id');
  const forProfile = db.prepare<[string], Row>('SELECT * FROM profile_states WHERE profile_id = ? ORDER BY device_id');
  const all = db.prepare<[], Row>('SELECT * FROM profile_states ORDER BY device_id, profile_id');
  const counts = db.prepare<[], { profile_id: string; state: ProfileState; n: number }>(
    'SELECT profile_id, state, COUNT(*) AS n FROM profile_states GROUP BY profile_id, state ORDER BY profile_id, state',
  );
  const del = db.prepare('DELETE FROM profile_states WHERE device_id = ? AND profile_id = ?');
  return {
    upsert: (s) => exec(() => void upsert.run({ ...s, detail: s.detail ?? null, installedVersion: s.installedVersion ?? null })),
    get: (deviceId, profileId) => exec(() => { const r = get.get(deviceId, profileId); return r && toRecord(r); }),
    forDevice: (deviceId) => exec(() => forDevice.all(deviceId).map(toRecord)),
    forProfile: (profileId) => exec(() => forProfile.all(profileId).map(toRecord)),
    all: () => exec(() => all.all().map(toRecord)),
    counts: () => exec(() => counts.all().map((r) => ({ profileId: r.profile_id, state: r.state, count: r.n }))),
    delete: (deviceId, profileId) => exec(() => void del.run(deviceId, profileId)),
  };
}
