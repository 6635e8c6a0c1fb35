import type Database from 'better-sqlite3';

/**
 * A device's state kept as JSON values by key in one SQLite table `(key TEXT PRIMARY KEY, value
 * TEXT NOT NULL)`, the way every simulated platform persists its identity, enrollment and push
 * state. Buffers survive the round trip as `{ $b64 }`.
 */
export class SqliteKeyValues {
  readonly #get: Database.Statement<[string], { value: string }>;
  readonly #put: Database.Statement<[string, string]>;
  readonly #del: Database.Statement<[string]>;

  /** `table` must exist (the caller's schema); it is a fixed identifier of the caller, never input. */
  constructor(db: Database.Database, table: string) {
    this.#get = db.prepare<[string], { value: string }>(`SELECT value FROM ${table} WHERE key = ?`);
    this.#put = db.prepare<[string, string]>(`INSERT INTO ${table} (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`);
    this.#del = db.prepare<[string]>(`DELETE FROM ${table} WHERE key = ?`);
  }

  read<T>(key: string): T | undefined {
    const row = this.#get.get(key);
    return row === undefined ? undefined : decodeState<T>(row.value);
  }

  /** `undefined` deletes the key. */
  write(key: string, value: unknown): void {
    if (value === undefined) this.#del.run(key);
    else this.#put.run(key, encodeState(value));
  }
}

export function encodeState(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    const raw = this[key];
    return Buffer.isBuffer(raw) ? { $b64: raw.toString('base64') } : v;
  });
}

export function decodeState<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && typeof (v as { $b64?: unknown }).$b64 === 'string') return Buffer.from((v as { $b64: string }).$b64, 'base64');
    return v;
  }) as T;
}
