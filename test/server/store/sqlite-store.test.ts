import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createSqliteStore } from '../../../server/store/sqlite/sqlite-store.js';
import { migrate } from '../../../server/store/sqlite/connection.js';
import { MIGRATIONS } from '../../../server/store/sqlite/migrations.js';
import { storeContract } from './store.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'mdmlab-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeContract('sqlite file', async () => createSqliteStore(join(dir, `contract-${n++}.db`)));
storeContract('sqlite :memory:', async () => createSqliteStore(':memory:'));

describe('SQLite store', () => {
  it('keeps its data across a close and reopen of the file', async () => {
    const file = join(dir, 'reopen.db');
    const a = createSqliteStore(file);
    await a.users.insert({ id: 'u1', upn: 'bob@contoso.com', primarySmtp: 'bob@contoso.com', username: 'bob', createdAt: 'x' });
    await a.close();
    const b = createSqliteStore(file);
    expect((await b.users.get('u1'))?.upn).toBe('bob@contoso.com');
    await b.close();
  });

  it('keeps the command history, ErrorChain included, across a close and reopen of the file', async () => {
    const file = join(dir, 'history.db');
    const a = createSqliteStore(file);
    await a.devices.insert({ id: 'd1', platform: 'ios', hardwareId: 'UDID-1', status: 'enrolled', enrolledAt: 'x' });
    const entry = {
      uuid: 'C1',
      deviceId: 'd1',
      requestType: 'ProfileList',
      status: 'Error',
      outcome: 'failure' as const,
      detail: { errorChain: [{ ErrorCode: 12021, ErrorDomain: 'MCMDMErrorDomain', LocalizedDescription: 'Unknown command', USEnglishDescription: 'Unknown command' }] },
      queuedAt: '2026-01-01T00:00:00.000Z',
      sentAt: '2026-01-01T00:00:01.000Z',
      answeredAt: '2026-01-01T00:00:02.000Z',
    };
    await a.commandHistory.append(entry);
    await a.close();
    const b = createSqliteStore(file);
    expect(await b.commandHistory.forDevice('d1')).toEqual([entry]);
    await b.close();
  });

  it('upgrades an Apple-only command history (v4) to the neutral one: status kept, outcome derived, ErrorChain as detail', async () => {
    const file = join(dir, 'v4-history.db');
    const db = new Database(file);
    migrate(db, MIGRATIONS.filter((m) => m.version <= 4));
    db.prepare("INSERT INTO devices (id, platform, hardware_id, status, enrolled_at) VALUES ('d1', 'ios', 'UDID-1', 'enrolled', 'x')").run();
    const chain = [{ ErrorCode: 4001, ErrorDomain: 'MCInstallationErrorDomain', LocalizedDescription: 'outer' }, { ErrorCode: 21005, ErrorDomain: 'MCEASErrorDomain', LocalizedDescription: 'inner' }];
    const insert = db.prepare(
      'INSERT INTO command_history (uuid, device_id, request_type, status, error_chain, profile_id, profile_version, queued_at, sent_at, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    insert.run('A', 'd1', 'InstallProfile', 'Error', JSON.stringify(chain), 'p1', 2, 'q', 's', 'a1');
    insert.run('B', 'd1', 'ProfileList', 'Acknowledged', null, null, null, 'q', null, 'a2');
    insert.run('C', 'd1', 'ProfileList', 'CommandFormatError', null, null, null, 'q', 's', 'a3');
    db.close();
    const store = createSqliteStore(file);
    expect(await store.commandHistory.forDevice('d1')).toEqual([
      { uuid: 'C', deviceId: 'd1', requestType: 'ProfileList', status: 'CommandFormatError', outcome: 'failure', queuedAt: 'q', sentAt: 's', answeredAt: 'a3' },
      { uuid: 'B', deviceId: 'd1', requestType: 'ProfileList', status: 'Acknowledged', outcome: 'success', queuedAt: 'q', answeredAt: 'a2' },
      { uuid: 'A', deviceId: 'd1', requestType: 'InstallProfile', status: 'Error', outcome: 'failure', detail: { errorChain: chain }, profileId: 'p1', profileVersion: 2, queuedAt: 'q', sentAt: 's', answeredAt: 'a1' },
    ]);
    await store.commandHistory.append({ uuid: 'D', deviceId: 'd1', requestType: 'Replace', status: '418', outcome: 'failure', queuedAt: 'q', answeredAt: 'a4' });
    expect((await store.commandHistory.forDevice('d1'))[0]).toMatchObject({ uuid: 'D', status: '418' });
    await store.close();
  });

  it('upgrades a database from before the command history (v2) and keeps its queue', async () => {
    const file = join(dir, 'v2.db');
    const db = new Database(file);
    migrate(db, MIGRATIONS.filter((m) => m.version <= 2));
    db.prepare("INSERT INTO devices (id, platform, hardware_id, status, enrolled_at) VALUES ('d1', 'ios', 'UDID-1', 'enrolled', 'x')").run();
    db.prepare("INSERT INTO commands (uuid, device_id, seq, request_type, body, status, created_at) VALUES ('C1', 'd1', 1, 'ProfileList', '<plist/>', 'sent', 'x')").run();
    db.close();
    const store = createSqliteStore(file);
    expect((await store.commands.forDevice('d1')).map((c) => c.uuid)).toEqual(['C1']);
    expect(await store.commandHistory.forDevice('d1')).toEqual([]);
    await store.close();
  });

  it('upgrades a database from before installed versions (v3): installed rows hold their version', async () => {
    const file = join(dir, 'v3.db');
    const db = new Database(file);
    migrate(db, MIGRATIONS.filter((m) => m.version <= 3));
    db.prepare("INSERT INTO devices (id, platform, hardware_id, status, enrolled_at) VALUES ('d1', 'ios', 'UDID-1', 'enrolled', 'x')").run();
    const row = db.prepare("INSERT INTO profile_states (device_id, profile_id, state, profile_version, updated_at) VALUES ('d1', ?, ?, 3, 'x')");
    row.run('p1', 'installed');
    row.run('p2', 'blocked');
    db.close();
    const store = createSqliteStore(file);
    expect(await store.profileStates.get('d1', 'p1')).toMatchObject({ state: 'installed', installedVersion: 3 });
    expect(await store.profileStates.get('d1', 'p2')).not.toHaveProperty('installedVersion');
    await store.close();
  });

  it('upgrades a database from before identity release (v4): a device whose last word was CheckOut has left management, bound identities stay tied', async () => {
    const file = join(dir, 'v4.db');
    const db = new Database(file);
    migrate(db, MIGRATIONS.filter((m) => m.version <= 4));
    const device = db.prepare("INSERT INTO devices (id, platform, hardware_id, status, enrolled_at, unenrolled_at) VALUES (?, 'ios', ?, ?, 'x', ?)");
    const apple = db.prepare("INSERT INTO apple_devices (device_id, udid, identity_fingerprint, topic, authenticated_at) VALUES (?, ?, ?, 't', ?)");
    const cert = db.prepare("INSERT INTO issued_certificates (serial, fingerprint_sha256, subject, purpose, challenge, issued_at, not_after) VALUES (?, ?, 'CN=x', 'enrollment', ?, 'x', 'x')");
    device.run('out', 'UDID-OUT', 'unenrolled', '2026-01-02T00:00:00.000Z');
    apple.run('out', 'UDID-OUT', 'fp-out', '2026-01-01T00:00:00.000Z');
    device.run('back', 'UDID-BACK', 'unenrolled', '2026-01-02T00:00:00.000Z'); // checked out, then authenticated again
    apple.run('back', 'UDID-BACK', 'fp-back', '2026-01-03T00:00:00.000Z');
    device.run('in', 'UDID-IN', 'enrolled', null);
    apple.run('in', 'UDID-IN', 'fp-in', '2026-01-01T00:00:00.000Z');
    cert.run('01', 'fp-in', 'c1');
    cert.run('02', 'fp-free', 'c2');
    db.close();
    const store = createSqliteStore(file);
    expect(await store.appleDevices.getByDevice('out')).toMatchObject({ checkedOutAt: '2026-01-02T00:00:00.000Z' });
    expect(await store.appleDevices.getByDevice('back')).not.toHaveProperty('checkedOutAt');
    expect(await store.appleDevices.getByDevice('in')).not.toHaveProperty('checkedOutAt');
    expect(await store.issuedCertificates.getByFingerprint('fp-in')).toMatchObject({ deviceId: 'in' });
    expect(await store.issuedCertificates.getByFingerprint('fp-free')).not.toHaveProperty('deviceId');
    expect(await store.devices.get('in')).not.toHaveProperty('reenrollmentAllowedUntil');
    await store.close();
  });

  it('upgrades a database that kept UnlockTokens (before v7): the column and the values are gone from the file', async () => {
    const file = join(dir, 'v5.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    migrate(db, MIGRATIONS.filter((m) => m.version < 7));
    const unlockToken = randomBytes(1500).toString('base64');
    db.prepare("INSERT INTO devices (id, platform, hardware_id, status, enrolled_at) VALUES ('d1', 'ios', 'UDID-1', 'enrolled', 'x')").run();
    db.prepare("INSERT INTO apple_devices (device_id, udid, identity_fingerprint, topic, push_token, unlock_token, authenticated_at) VALUES ('d1', 'UDID-1', 'fp', 't', 'pt', ?, 'x')").run(unlockToken);
    db.close();
    expect(readFileSync(file).includes(unlockToken)).toBe(true);

    const store = createSqliteStore(file);
    expect(await store.appleDevices.getByUdid('UDID-1')).toMatchObject({ deviceId: 'd1', pushToken: 'pt' });
    await store.close();
    const after = new Database(file, { readonly: true });
    const columns = (after.prepare('PRAGMA table_info(apple_devices)').all() as { name: string }[]).map((c) => c.name);
    after.close();
    expect(columns).not.toContain('unlock_token');
    expect(readFileSync(file).includes(unlockToken)).toBe(false);
  });

  it('refuses to open a database written by a newer schema', () => {
    const file = join(dir, 'newer.db');
    createSqliteStore(file).close();
    const db = new Database(file);
    db.prepare("INSERT INTO schema_migrations VALUES (999, 'future', 'x')").run();
    db.close();
    expect(() => createSqliteStore(file)).toThrow(/newer than this mdmlab/);
  });

  it('applies each migration once', () => {
    const db = new Database(':memory:');
    const m = [{ version: 1, name: 'one', sql: 'CREATE TABLE t (x)' }];
    migrate(db, m);
    migrate(db, m);
    expect(db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: 1 });
  });
});
