import type Database from 'better-sqlite3';
import type { CertificateProfileRepository } from '../../port.js';
import type { CertificateProfileRecord } from '../../records.js';
import type { Exec } from '../connection.js';
import { guarded } from './row.js';

interface Row {
  id: string;
  body: string;
}

export function sqliteCertificateProfiles(db: Database.Database, exec: Exec): CertificateProfileRepository {
  const insert = db.prepare(
    'INSERT INTO certificate_profiles (id, name, kind, platform, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const get = db.prepare<[string], Row>('SELECT id, body FROM certificate_profiles WHERE id = ?');
  const list = db.prepare<[], Row>('SELECT id, body FROM certificate_profiles ORDER BY name');
  const del = db.prepare('DELETE FROM certificate_profiles WHERE id = ?');
  const parse = (r: Row): CertificateProfileRecord => JSON.parse(r.body) as CertificateProfileRecord;
  return {
    insert: (p) =>
      exec(() => void guarded(() => insert.run(p.id, p.name, p.kind, p.platform, JSON.stringify(p), p.createdAt, p.updatedAt))),
    get: (id) => exec(() => { const r = get.get(id); return r && parse(r); }),
    list: () => exec(() => list.all().map(parse)),
    delete: (id) => exec(() => del.run(id).changes > 0),
  };
}
