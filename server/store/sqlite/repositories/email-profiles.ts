import type Database from 'better-sqlite3';
import type { EmailProfileDefinition } from '../../../../protocol/admin/email-profile-validation.js';
import type { EmailProfileRepository } from '../../port.js';
import type { EmailProfileRecord } from '../../records.js';
import type { Exec } from '../connection.js';
import { guarded } from './row.js';

interface Row {
  id: string;
  definition: string;
  version: number;
  ever_deployed: number;
  created_at: string;
  updated_at: string;
}
const toRecord = (r: Row): EmailProfileRecord => ({
  id: r.id,
  definition: JSON.parse(r.definition) as EmailProfileDefinition,
  version: r.version,
  everDeployed: r.ever_deployed === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function sqliteEmailProfiles(db: Database.Database, exec: Exec): EmailProfileRepository {
  const columns = (p: EmailProfileRecord) => ({
    id: p.id,
    name: p.definition.name,
    platform: p.definition.platform,
    definition: JSON.stringify(p.definition),
    version: p.version,
    everDeployed: p.everDeployed ? 1 : 0,
    identity: p.definition.identityCertificateProfileId ?? null,
    signing: p.definition.signingCertificateProfileId ?? null,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  });
  const insert = db.prepare(
    `INSERT INTO email_profiles (id, name, platform, definition, version, ever_deployed,
       identity_certificate_profile_id, signing_certificate_profile_id, created_at, updated_at)
     VALUES (@id, @name, @platform, @definition, @version, @everDeployed, @identity, @signing, @createdAt, @updatedAt)`,
  );
  const update = db.prepare(
    `UPDATE email_profiles SET name = @name, definition = @definition, version = @version, ever_deployed = @everDeployed,
       identity_certificate_profile_id = @identity, signing_certificate_profile_id = @signing, updated_at = @updatedAt
     WHERE id = @id`,
  );
  const get = db.prepare<[string], Row>('SELECT * FROM email_profiles WHERE id = ?');
  const list = db.prepare<[], Row>('SELECT * FROM email_profiles ORDER BY name');
  const del = db.prepare('DELETE FROM email_profiles WHERE id = ?');
  const referencing = db.prepare<[string, string], { id: string }>(
    'SELECT id FROM email_profiles WHERE identity_certificate_profile_id = ? OR signing_certificate_profile_id = ? ORDER BY id',
  );
  return {
    insert: (p) => exec(() => void guarded(() => insert.run(columns(p)))),
    get: (id) => exec(() => { const r = get.get(id); return r && toRecord(r); }),
    list: () => exec(() => list.all().map(toRecord)),
    update: (p) => exec(() => void guarded(() => update.run(columns(p)))),
    delete: (id) => exec(() => del.run(id).changes > 0),
    referencing: (certId) => exec(() => referencing.all(certId, certId).map((r) => r.id)),
  };
}
