import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { decodeState, encodeState, SqliteKeyValues } from '../core/sqlite-key-values.js';
import { SqliteMailStore } from '../core/sqlite-mail-store.js';
import type { DeviceCertificate, DeviceIdentity, Enrollment, InstalledProfile, IosStateStore, PushState } from './device-state.js';
import type { IosHardware } from './hardware.js';

/**
 * A device's state in `<stateDir>/device.db`: the mail store of agents/core (SqliteMailStore on
 * the shared handle) and three tables of our own. One device per folder. WAL journal: a crash
 * loses at most the change being written, never an earlier one.
 *
 * Values are JSON; Buffers travel as `{"$b64": "…"}` so certificates survive the round trip.
 */

export const STATE_FILE = 'device.db';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ios_state (
  key   TEXT PRIMARY KEY,  -- hardware | identity | enrollment | push | seq:<name>
  value TEXT NOT NULL      -- JSON
);
CREATE TABLE IF NOT EXISTS ios_profiles (
  identifier TEXT PRIMARY KEY,
  value      TEXT NOT NULL -- JSON of InstalledProfile
);
CREATE TABLE IF NOT EXISTS ios_certificates (
  profile_identifier TEXT NOT NULL,
  payload_uuid       TEXT NOT NULL,
  value              TEXT NOT NULL, -- JSON of DeviceCertificate
  PRIMARY KEY (profile_identifier, payload_uuid)
)`;

export class SqliteIosStateStore implements IosStateStore {
  readonly mail: SqliteMailStore;
  readonly resumed: boolean;
  readonly #db: Database.Database;
  readonly #state: SqliteKeyValues;
  readonly #putProfile: (profile: InstalledProfile, certificates: DeviceCertificate[]) => void;
  readonly #deleteProfile: (identifier: string) => void;

  constructor(stateDir: string) {
    mkdirSync(stateDir, { recursive: true });
    this.#db = new Database(join(stateDir, STATE_FILE));
    this.#db.pragma('journal_mode = WAL');
    this.#db.exec(SCHEMA);
    this.mail = new SqliteMailStore(this.#db, { deviceId: '' });
    this.#state = new SqliteKeyValues(this.#db, 'ios_state');
    const putProfile = this.#db.prepare<[string, string]>(
      'INSERT INTO ios_profiles (identifier, value) VALUES (?, ?) ON CONFLICT(identifier) DO UPDATE SET value = excluded.value',
    );
    const delProfile = this.#db.prepare<[string]>('DELETE FROM ios_profiles WHERE identifier = ?');
    const delCerts = this.#db.prepare<[string]>('DELETE FROM ios_certificates WHERE profile_identifier = ?');
    const putCert = this.#db.prepare<[string, string, string]>('INSERT INTO ios_certificates (profile_identifier, payload_uuid, value) VALUES (?, ?, ?)');
    this.#putProfile = this.#db.transaction((profile: InstalledProfile, certificates: DeviceCertificate[]) => {
      delCerts.run(profile.identifier);
      for (const c of certificates) putCert.run(profile.identifier, c.payloadUuid, encodeState(c));
      putProfile.run(profile.identifier, encodeState(profile));
    });
    this.#deleteProfile = this.#db.transaction((identifier: string) => {
      delCerts.run(identifier);
      delProfile.run(identifier);
    });
    this.resumed = this.getHardware() !== undefined;
  }

  #read<T>(key: string): T | undefined {
    return this.#state.read<T>(key);
  }

  #write(key: string, value: unknown): void {
    this.#state.write(key, value);
  }

  getHardware(): IosHardware | undefined {
    return this.#read('hardware');
  }
  setHardware(hardware: IosHardware): void {
    this.#write('hardware', hardware);
  }
  getIdentity(): DeviceIdentity | undefined {
    return this.#read('identity');
  }
  setIdentity(identity: DeviceIdentity | undefined): void {
    this.#write('identity', identity);
  }
  getEnrollment(): Enrollment | undefined {
    return this.#read('enrollment');
  }
  setEnrollment(enrollment: Enrollment | undefined): void {
    this.#write('enrollment', enrollment);
  }
  getPush(): PushState {
    return this.#read<PushState>('push') ?? {};
  }
  setPush(push: PushState): void {
    this.#write('push', push);
  }
  listProfiles(): InstalledProfile[] {
    return this.#db
      .prepare<[], { value: string }>('SELECT value FROM ios_profiles ORDER BY rowid')
      .all()
      .map((r) => decodeState<InstalledProfile>(r.value));
  }
  getProfile(identifier: string): InstalledProfile | undefined {
    const row = this.#db.prepare<[string], { value: string }>('SELECT value FROM ios_profiles WHERE identifier = ?').get(identifier);
    return row === undefined ? undefined : decodeState<InstalledProfile>(row.value);
  }
  putProfile(profile: InstalledProfile, certificates: DeviceCertificate[]): void {
    this.#putProfile(profile, certificates);
  }
  deleteProfile(identifier: string): void {
    this.#deleteProfile(identifier);
  }
  listCertificates(): DeviceCertificate[] {
    return this.#db
      .prepare<[], { value: string }>('SELECT value FROM ios_certificates ORDER BY rowid')
      .all()
      .map((r) => decodeState<DeviceCertificate>(r.value));
  }
  nextSequence(name: string): number {
    const key = `seq:${name}`;
    const n = (this.#read<number>(key) ?? 0) + 1;
    this.#write(key, n);
    return n;
  }
  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
