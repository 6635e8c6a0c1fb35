import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createSqliteStore } from '../../../server/store/sqlite/sqlite-store.js';
import { migrate } from '../../../server/store/sqlite/connection.js';
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
