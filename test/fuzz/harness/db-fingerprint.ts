import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * What the server's database holds, seen from outside the server process through a read-only
 * connection of our own. Cheap to ask after every input: SQLite's `PRAGMA data_version` changes
 * exactly when another connection committed to the database (sqlite.org/pragma.html#pragma_data_version),
 * so the rows are read only when something was committed, and a commit that rewrote rows with the
 * values they had (the content unchanged) is not taken for a change.
 */
export class DatabaseWatch {
  private readonly db: Database.Database;
  private version: number;
  private rows: Map<string, Set<string>>;
  private digest: string;

  constructor(dataDir: string) {
    this.db = new Database(join(dataDir, 'mdmlab.db'), { readonly: true, fileMustExist: true });
    this.version = this.dataVersion();
    this.rows = this.readRows();
    this.digest = digestOf(this.rows);
  }

  /**
   * How the content differs from the baseline: one line per changed table with the rows added and
   * removed (empty when unchanged). `rebase` makes the current content the new baseline (after an
   * input the server accepted).
   */
  changedSinceBaseline(opts: { rebase: boolean }): string[] {
    const version = this.dataVersion();
    if (version === this.version) return [];
    const rows = this.readRows();
    const digest = digestOf(rows);
    const changes = digest === this.digest ? [] : this.diff(rows);
    if (opts.rebase || changes.length === 0) {
      this.version = version;
      this.rows = rows;
      this.digest = digest;
    }
    return changes;
  }

  close(): void {
    this.db.close();
  }

  private diff(now: Map<string, Set<string>>): string[] {
    const out: string[] = [];
    for (const name of new Set([...this.rows.keys(), ...now.keys()])) {
      const before = this.rows.get(name) ?? new Set<string>();
      const after = now.get(name) ?? new Set<string>();
      const added = [...after].filter((r) => !before.has(r));
      const removed = [...before].filter((r) => !after.has(r));
      if (added.length === 0 && removed.length === 0) continue;
      const show = (list: string[]) => list.slice(0, 3).map((r) => r.slice(0, 300)).join(' ') + (list.length > 3 ? ` …(${list.length})` : '');
      out.push(`${name}: ${added.length ? `+ ${show(added)}` : ''}${added.length && removed.length ? ' ' : ''}${removed.length ? `- ${show(removed)}` : ''}`);
    }
    return out;
  }

  private dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /** Every row of every table, in one read transaction (one consistent snapshot). */
  private readRows(): Map<string, Set<string>> {
    return this.db.transaction(() => {
      const names = (this.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
      const out = new Map<string, Set<string>>();
      for (const name of names) {
        const rows = new Set<string>();
        for (const row of this.db.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`).raw().iterate()) rows.add(JSON.stringify(row, plainValues));
        out.set(name, rows);
      }
      return out;
    })();
  }
}

/** Blobs come as Buffers (JSON gives their bytes); integers beyond 2^53 as bigints, which JSON refuses. */
const plainValues = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? String(value) : value);

function digestOf(tables: Map<string, Set<string>>): string {
  const h = createHash('sha256');
  for (const [name, rows] of tables) h.update(`${name}=${[...rows].sort().join('\n')};`);
  return h.digest('hex');
}

/** The changes (lines of `changedSinceBaseline`) to tables other than `tables`. */
export function changesOutside(changes: readonly string[], tables: readonly string[]): string[] {
  return changes.filter((line) => !tables.some((table) => line.startsWith(`${table}: `)));
}
