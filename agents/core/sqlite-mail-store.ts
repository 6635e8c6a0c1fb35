import Database from 'better-sqlite3';
import type { AndroidProfile, MailAccount, MailAccountSettings, WorkApp } from './mail-account.js';
import type { MailAccountStore, MailStoreChange } from './mail-store.js';
import { MailStoreError } from './mail-store.js';

/**
 * MailAccountStore over better-sqlite3: a simulated device that restarts keeps its accounts.
 *
 * Give it a file path (it opens the database, switches it to WAL and closes it in close()) or an
 * open Database handle shared with the device's other state (the owner keeps control of the
 * journal mode and of closing). Several devices may share one database: each store sees only the
 * rows of its `deviceId`. better-sqlite3 is synchronous; the async interface just wraps it.
 */
export interface SqliteMailStoreOptions {
  /** Rows are scoped to this device id, so one database file can hold many devices. Default ''. */
  deviceId?: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS mail_accounts (
  device_id             TEXT    NOT NULL,
  id                    TEXT    NOT NULL,
  email                 TEXT    NOT NULL,
  host                  TEXT    NOT NULL,
  username              TEXT,
  settings              TEXT    NOT NULL, -- JSON of MailAccountSettings
  managed               INTEGER NOT NULL,
  managed_by            TEXT,
  android_profile       TEXT,
  app                   TEXT,
  replaced_user_account INTEGER,           -- NULL when absent, 0/1 otherwise
  created_at            INTEGER NOT NULL,
  PRIMARY KEY (device_id, id)
)`;

interface AccountRow {
  id: string;
  email: string;
  host: string;
  username: string | null;
  settings: string;
  managed: number;
  managed_by: string | null;
  android_profile: string | null;
  app: string | null;
  replaced_user_account: number | null;
  created_at: number;
}

export class SqliteMailStore implements MailAccountStore {
  readonly #db: Database.Database;
  readonly #ownsDb: boolean;
  readonly #deviceId: string;
  readonly #selectAll: Database.Statement<[string], AccountRow>;
  readonly #selectOne: Database.Statement<[string, string], AccountRow>;
  readonly #insert: Database.Statement<[Record<string, unknown>]>;
  readonly #delete: Database.Statement<[string, string]>;
  readonly #deleteAll: Database.Statement<[string]>;
  readonly #applyInTransaction: (change: MailStoreChange) => void;

  constructor(database: string | Database.Database, options: SqliteMailStoreOptions = {}) {
    this.#ownsDb = typeof database === 'string';
    this.#db = typeof database === 'string' ? new Database(database) : database;
    // WAL: readers never block the writer and a crash mid-write leaves the last commit intact.
    if (this.#ownsDb) this.#db.pragma('journal_mode = WAL');
    this.#deviceId = options.deviceId ?? '';
    this.#db.exec(SCHEMA);

    // rowid order = insertion order (SQLite hands out max(rowid)+1), which is what list() promises.
    this.#selectAll = this.#db.prepare<[string], AccountRow>(
      'SELECT * FROM mail_accounts WHERE device_id = ? ORDER BY rowid',
    );
    this.#selectOne = this.#db.prepare<[string, string], AccountRow>(
      'SELECT * FROM mail_accounts WHERE device_id = ? AND id = ?',
    );
    this.#insert = this.#db.prepare<[Record<string, unknown>]>(
      `INSERT INTO mail_accounts (device_id, id, email, host, username, settings, managed, managed_by,
         android_profile, app, replaced_user_account, created_at)
       VALUES (@deviceId, @id, @email, @host, @username, @settings, @managed, @managedBy,
         @androidProfile, @app, @replacedUserAccount, @createdAt)`,
    );
    this.#delete = this.#db.prepare<[string, string]>('DELETE FROM mail_accounts WHERE device_id = ? AND id = ?');
    this.#deleteAll = this.#db.prepare<[string]>('DELETE FROM mail_accounts WHERE device_id = ?');

    this.#applyInTransaction = this.#db.transaction((change: MailStoreChange) => {
      for (const id of change.remove) {
        if (this.#delete.run(this.#deviceId, id).changes !== 1) {
          throw new MailStoreError('unknownId', id, `no account ${id} to remove`);
        }
      }
      for (const account of change.add) {
        try {
          this.#insert.run(toRow(this.#deviceId, account));
        } catch (err) {
          if (isPrimaryKeyViolation(err)) {
            throw new MailStoreError('duplicateId', account.id, `account ${account.id} already exists`, { cause: err });
          }
          throw err;
        }
      }
    });
  }

  async list(): Promise<MailAccount[]> {
    return this.#selectAll.all(this.#deviceId).map(fromRow);
  }

  async get(id: string): Promise<MailAccount | undefined> {
    const row = this.#selectOne.get(this.#deviceId, id);
    return row === undefined ? undefined : fromRow(row);
  }

  async apply(change: MailStoreChange): Promise<void> {
    this.#applyInTransaction(change);
  }

  async clear(): Promise<void> {
    this.#deleteAll.run(this.#deviceId);
  }

  /** Closes the database when this store opened it; a shared handle is left to its owner. */
  close(): void {
    if (this.#ownsDb && this.#db.open) this.#db.close();
  }
}

function toRow(deviceId: string, account: MailAccount): Record<string, unknown> {
  return {
    deviceId,
    id: account.id,
    email: account.email,
    host: account.host,
    username: account.username ?? null,
    settings: JSON.stringify(account.settings),
    managed: account.managed ? 1 : 0,
    managedBy: account.managedBy ?? null,
    androidProfile: account.androidProfile ?? null,
    app: account.app ?? null,
    replacedUserAccount: account.replacedUserAccount === undefined ? null : account.replacedUserAccount ? 1 : 0,
    createdAt: account.createdAt,
  };
}

/** Optional fields that were absent stay absent, so a round trip gives back an equal object. */
function fromRow(row: AccountRow): MailAccount {
  const account: MailAccount = {
    id: row.id,
    email: row.email,
    host: row.host,
    settings: JSON.parse(row.settings) as MailAccountSettings,
    managed: row.managed === 1,
    createdAt: row.created_at,
  };
  if (row.username !== null) account.username = row.username;
  if (row.managed_by !== null) account.managedBy = row.managed_by;
  if (row.android_profile !== null) account.androidProfile = row.android_profile as AndroidProfile;
  if (row.app !== null) account.app = row.app as WorkApp;
  if (row.replaced_user_account !== null) account.replacedUserAccount = row.replaced_user_account === 1;
  return account;
}

function isPrimaryKeyViolation(err: unknown): boolean {
  return err instanceof Database.SqliteError && err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
