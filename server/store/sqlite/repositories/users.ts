import type Database from 'better-sqlite3';
import type { UserRepository } from '../../port.js';
import type { UserRecord } from '../../records.js';
import type { Exec } from '../connection.js';
import { guarded } from './row.js';

interface Row {
  id: string;
  upn: string;
  primary_smtp: string;
  username: string;
  created_at: string;
}
const toRecord = (r: Row): UserRecord => ({ id: r.id, upn: r.upn, primarySmtp: r.primary_smtp, username: r.username, createdAt: r.created_at });

export function sqliteUsers(db: Database.Database, exec: Exec): UserRepository {
  const insert = db.prepare('INSERT INTO users (id, upn, primary_smtp, username, created_at) VALUES (@id, @upn, @primarySmtp, @username, @createdAt)');
  const get = db.prepare<[string], Row>('SELECT * FROM users WHERE id = ?');
  const byUpn = db.prepare<[string], Row>('SELECT * FROM users WHERE upn = ?');
  const list = db.prepare<[], Row>('SELECT * FROM users ORDER BY upn');
  const update = db.prepare('UPDATE users SET upn = @upn, primary_smtp = @primarySmtp, username = @username WHERE id = @id');
  const del = db.prepare('DELETE FROM users WHERE id = ?');
  return {
    insert: (u) => exec(() => void guarded(() => insert.run(u))),
    get: (id) => exec(() => { const r = get.get(id); return r && toRecord(r); }),
    getByUpn: (upn) => exec(() => { const r = byUpn.get(upn); return r && toRecord(r); }),
    list: () => exec(() => list.all().map(toRecord)),
    update: (u) => exec(() => void guarded(() => update.run(u))),
    delete: (id) => exec(() => del.run(id).changes > 0),
  };
}
