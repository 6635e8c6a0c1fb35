import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteKeyValues } from '../core/sqlite-key-values.js';
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

export class SqliteWindowsStateStore implements WindowsStateStore {
  readonly resumed: boolean;
  readonly persistent = true;
  readonly #db: Database.Database;
  readonly #state: SqliteKeyValues;

  constructor(stateDir: string) {
    mkdirSync(stateDir, { recursive: true });
    this.#db = new Database(join(stateDir, STATE_FILE));
    this.#db.pragma('journal_mode = WAL');
    this.#db.exec(SCHEMA);
    this.#state = new SqliteKeyValues(this.#db, 'windows_state');
    this.resumed = this.getHardware() !== undefined;
  }

  #read<T>(key: string): T | undefined {
    return this.#state.read<T>(key);
  }

  #write(key: string, value: unknown): void {
    this.#state.write(key, value);
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
