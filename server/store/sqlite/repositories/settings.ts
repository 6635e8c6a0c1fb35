import type Database from 'better-sqlite3';
import type { SettingsRepository } from '../../port.js';
import type { Exec } from '../connection.js';

export function sqliteSettings(db: Database.Database, exec: Exec): SettingsRepository {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM server_settings WHERE key = ?');
  const set = db.prepare('INSERT INTO server_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  return {
    get: (key) => exec(() => get.get(key)?.value),
    set: (key, value) => exec(() => void set.run(key, value)),
  };
}
