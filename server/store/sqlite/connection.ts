import { chmodSync, closeSync, existsSync, openSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import Database from 'better-sqlite3';
import { DataFolderError, RESTORE_OR_RESET } from '../../errors/data-folder-error.js';
import { MIGRATIONS, type Migration } from './migrations.js';

/** Runs one synchronous better-sqlite3 step as an async store operation. */
export type Exec = <T>(step: () => T) => Promise<T>;

/**
 * Serialises transactions against everything else on the one connection. better-sqlite3 is
 * synchronous, but a transaction that awaits between its statements would otherwise let another
 * request's statements land inside it (same connection). Operations arriving while a
 * transaction is open wait for it; inside the transaction its own operations run directly.
 */
export class TransactionGate {
  private open: Promise<void> | undefined;

  readonly outside: Exec = async (step) => {
    while (this.open) await this.open;
    return step();
  };

  readonly inside: Exec = async (step) => step();

  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.open) await this.open;
    let release!: () => void;
    this.open = new Promise<void>((resolve) => (release = resolve));
    try {
      return await work();
    } finally {
      this.open = undefined;
      release();
    }
  }
}

/**
 * Opens (creating when absent) the server's database and refuses a file the server cannot run on,
 * before it takes a single request: one that is not SQLite or fails SQLite's integrity check
 * (https://sqlite.org/pragma.html#pragma_integrity_check: b-tree structure, free pages, and every
 * index against its table; ~0.2 s for 10,000 devices, `npm run bench integrity`), one written by a
 * newer mdmlab, and one the process cannot write (opened read-only, or no room for its -wal file
 * next to it). Errors are DataFolderError naming the file. The file, and the -wal and -shm files
 * SQLite creates with the database's own mode (https://sqlite.org/tempfiles.html), are 0600: they
 * hold the enrollment tokens and challenges.
 */
export function openDatabase(file: string): Database.Database {
  const onDisk = file !== ':memory:' && file !== '';
  if (onDisk) keepPrivate(file);
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    // NORMAL is durable against process crashes in WAL mode (only a power loss can lose the last commits).
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Deleted rows (spent challenges, used tokens, blanked secrets) are zeroed where that costs no
    // extra I/O, rather than left readable in free space (https://sqlite.org/pragma.html#pragma_secure_delete).
    db.pragma('secure_delete = FAST');
    if (onDisk) checkIntegrity(db, file);
    migrate(db, MIGRATIONS);
    // A file SQLite could only open read-only still answers every read: only a write shows it.
    // Rewriting user_version with its own value is a real write (a WAL frame) that changes nothing.
    if (onDisk) db.pragma(`user_version = ${Number(db.pragma('user_version', { simple: true }))}`);
    return db;
  } catch (err) {
    db?.close();
    throw unusable(file, err);
  }
}

const PRIVATE = 0o600;

function keepPrivate(file: string): void {
  try {
    // Created here rather than by SQLite so that it never exists with the umask's mode (0644).
    closeSync(openSync(file, 'a', PRIVATE));
  } catch (err) {
    throw new DataFolderError(file, `${file} cannot be opened for writing (${(err as Error).message}): the server must be able to write its database; check the file's permissions and attributes (lsattr), or restore it from a backup`, { cause: err });
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      // Databases made before the server kept them private.
      if (existsSync(f) && (statSync(f).mode & 0o777) !== PRIVATE) chmodSync(f, PRIVATE);
    } catch {
      // Not ours to change (another owner): the write check below still tells whether we can run.
    }
  }
}

function checkIntegrity(db: Database.Database, file: string): void {
  // The first few problems are enough to name the damage; the full list can be long.
  const problems = (db.pragma('integrity_check(5)') as { integrity_check: string }[]).map((r) => r.integrity_check);
  if (problems.length === 1 && problems[0] === 'ok') return;
  throw new DataFolderError(file, `${file} is damaged (SQLite integrity check: ${problems.join('; ')}): ${RESTORE_OR_RESET}`);
}

/** Why the database cannot be used, as one line naming the file and what to do. */
function unusable(file: string, err: unknown): DataFolderError {
  if (err instanceof DataFolderError) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  const reason = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new DataFolderError(file, `${file} is damaged (${reason}): ${RESTORE_OR_RESET}`, { cause: err });
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') {
    return new DataFolderError(
      file,
      `${file} cannot be written (${reason}): the server must write the database and create ${basename(file)}-wal and ${basename(file)}-shm next to it; check the permissions and attributes (lsattr) of the file and its folder`,
      { cause: err },
    );
  }
  if (code === 'SQLITE_FULL') return new DataFolderError(file, `${file} cannot grow: the disk is full`, { cause: err });
  return new DataFolderError(file, `${file}: ${reason}`, { cause: err });
}

export function migrate(db: Database.Database, migrations: readonly Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  const latestKnown = Math.max(0, ...migrations.map((m) => m.version));
  const newest = Math.max(0, ...applied);
  if (newest > latestKnown) {
    throw new Error(`the database is at schema version ${newest}, newer than this mdmlab (${latestKnown}); upgrade mdmlab`);
  }
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    })();
  }
}

/** better-sqlite3 reports unique violations as SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY. */
export function uniqueViolation(err: unknown): string | undefined {
  if (err instanceof Error && 'code' in err) {
    const code = (err as { code: string }).code;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      const m = /constraint failed: (.*)$/.exec(err.message);
      return m?.[1] ?? 'unique';
    }
  }
  return undefined;
}
