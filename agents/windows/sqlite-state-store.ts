import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { WindowsEnrollment, WindowsIdentity, WindowsPushState, WindowsStateStore, WindowsTreeState } from './device-state.js';
import type { WindowsHardware } from './hardware.js';

/**
 * A Windows device's state in `<stateDir>/device.db`: one key-value table of JSON values (Buffers as
 * `{"$b64": "…"}`). One device per folder; WAL journal, so a crash loses at most the write under way.
 * The tree snapshot and the account records are one value, written in one statement: they never
 * disagree after a crash.
 */

export const STATE_FILE = 'device.db';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS windows_state (
  key   TEXT PRIMARY KEY,  -- hardware | identity | enrollment | tree | push | seq:<name>
  value TEXT NOT NULL      -- JSON
)`;

function encode(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    const raw = this[key];
    return Buffer.isBuffer(raw) ? { $b64: raw.toString('base64') } : v;
  });
}

function decode<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && typeof (v as { $b64?: unknown }).$b64 === 'string') return Buffer.from((v as { $b64: string }).$b64, 'base64');
    return v;
  }) as T;
}

export class SqliteWindowsStateStore implements WindowsStateStore {
  readonly resumed: boolean;
  readonly persistent = true;
  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string], { value: string }>;
  readonly #put: Database.Statement<[string, string]>;
  readonly #del: Database.Statement<[string]>;

  constructor(stateDir: string) {
    mkdirSync(stateDir, { recursive: true });
    this.#db = new Database(join(stateDir, STATE_FILE));
    this.#db.pragma('journal_mode = WAL');
    this.#db.exec(SCHEMA);
    this.#get = this.#db.prepare<[string], { value: string }>('SELECT value FROM windows_state WHERE key = ?');
    this.#put = this.#db.prepare<[string, string]>('INSERT INTO windows_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.#del = this.#db.prepare<[string]>('DELETE FROM windows_state WHERE key = ?');
    this.resumed = this.getHardware() !== undefined;
  }

  #read<T>(key: string): T | undefined {
    const row = this.#get.get(key);
    return row === undefined ? undefined : decode<T>(row.value);
  }

  #write(key: string, value: unknown): void {
    if (value === undefined) this.#del.run(key);
    else this.#put.run(key, encode(value));
  }

  getHardware(): WindowsHardware | undefined {
    return this.#read('hardware');
  }
  setHardware(hardware: WindowsHardware): void {
    this.#write('hardware', hardware);
  }
  getIdentity(): WindowsIdentity | undefined {
    return this.#read('identity');
  }
  setIdentity(identity: WindowsIdentity | undefined): void {
    this.#write('identity', identity);
  }
  getEnrollment(): WindowsEnrollment | undefined {
    return this.#read('enrollment');
  }
  setEnrollment(enrollment: WindowsEnrollment | undefined): void {
    this.#write('enrollment', enrollment);
  }
  getTree(): WindowsTreeState | undefined {
    return this.#read('tree');
  }
  setTree(tree: WindowsTreeState): void {
    this.#write('tree', tree);
  }
  getPush(): WindowsPushState {
    return this.#read<WindowsPushState>('push') ?? {};
  }
  setPush(push: WindowsPushState): void {
    this.#write('push', push);
  }
  nextSequence(name: string): number {
    const n = this.sequence(name) + 1;
    this.setSequence(name, n);
    return n;
  }
  sequence(name: string): number {
    return this.#read<number>(`seq:${name}`) ?? 0;
  }
  setSequence(name: string, value: number): void {
    this.#write(`seq:${name}`, value);
  }
  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
