import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, it, expect, afterEach } from 'vitest';
import { SqliteMailStore } from '../../../agents/core/sqlite-mail-store.js';
import { account, mailStoreContract } from './mail-store.contract.js';

mailStoreContract('SqliteMailStore (in-memory database)', async () => {
  const store = new SqliteMailStore(':memory:');
  return { store, cleanup: () => store.close() };
});

mailStoreContract('SqliteMailStore (shared handle, scoped to one device)', async () => {
  const db = new Database(':memory:');
  // Another device's rows in the same table must be invisible to this store and survive its clear().
  await new SqliteMailStore(db, { deviceId: 'other-device' }).apply({ remove: [], add: [account('a')] });
  const store = new SqliteMailStore(db, { deviceId: 'this-device' });
  return {
    store,
    cleanup: () => {
      db.close();
    },
  };
});

describe('SqliteMailStore on a file', () => {
  const dirs: string[] = [];
  const tempFile = (): string => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mdmlab-mail-store-'));
    dirs.push(dir);
    return path.join(dir, 'device.db');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps its accounts when the device restarts (close and reopen)', async () => {
    const file = tempFile();
    const before = new SqliteMailStore(file);
    const managed = account('m1', { managed: true, managedBy: 'p1', replacedUserAccount: true, createdAt: 7 });
    await before.apply({ remove: [], add: [account('u1'), managed] });
    await before.apply({ remove: ['u1'], add: [] });
    before.close();

    const after = new SqliteMailStore(file);
    expect(await after.list()).toEqual([managed]);
    after.close();
  });

  it('runs in WAL mode when it opens the file itself', () => {
    const file = tempFile();
    new SqliteMailStore(file).close();
    const db = new Database(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('leaves a shared handle open and scopes rows per device', async () => {
    const db = new Database(tempFile());
    const phone = new SqliteMailStore(db, { deviceId: 'phone' });
    const tablet = new SqliteMailStore(db, { deviceId: 'tablet' });
    await phone.apply({ remove: [], add: [account('same-id', { host: 'phone.contoso.com' })] });
    await tablet.apply({ remove: [], add: [account('same-id', { host: 'tablet.contoso.com' })] });

    phone.close();
    expect(db.open).toBe(true);
    expect((await tablet.list()).map((a) => a.host)).toEqual(['tablet.contoso.com']);
    await tablet.clear();
    expect((await new SqliteMailStore(db, { deviceId: 'phone' }).list()).map((a) => a.host)).toEqual([
      'phone.contoso.com',
    ]);
    db.close();
  });
});
