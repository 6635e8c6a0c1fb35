import Database from 'better-sqlite3';
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

export function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL is durable against process crashes in WAL mode (only a power loss can lose the last commits).
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, MIGRATIONS);
  return db;
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
