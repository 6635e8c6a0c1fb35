import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteKeyValues } from '../core/sqlite-key-values.js';
import { SqliteMailStore } from '../core/sqlite-mail-store.js';
import { KeyValueAndroidState } from './android-state.js';

/**
 * An Android device's state in `<stateDir>/device.db` (one device per folder): the mail store of
 * agents/core on the shared handle and one key-value table of JSON values. WAL journal: a crash
 * loses at most the change being written. A new device object over the same folder resumes the
 * device (enrolled, same serial number, identity, policy, keystore and accounts).
 */

export const ANDROID_STATE_FILE = 'device.db';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS android_state (
  key   TEXT PRIMARY KEY, -- hardware | identity | pushToken | policy | keystore | appStates | workApps | appConfigs | lastReport | seq:<name>
  value TEXT NOT NULL     -- JSON
)`;

export class SqliteAndroidStateStore extends KeyValueAndroidState {
  readonly mail: SqliteMailStore;
  readonly #db: Database.Database;
  readonly #state: SqliteKeyValues;

  constructor(stateDir: string) {
    super();
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    this.#db = new Database(join(stateDir, ANDROID_STATE_FILE));
    this.#db.pragma('journal_mode = WAL');
    this.#db.exec(SCHEMA);
    this.mail = new SqliteMailStore(this.#db, { deviceId: '' });
    this.#state = new SqliteKeyValues(this.#db, 'android_state');
  }

  protected read(key: string): unknown {
    return this.#state.read(key);
  }
  protected write(key: string, value: unknown): void {
    this.#state.write(key, value);
  }
  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
