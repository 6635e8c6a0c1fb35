import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryWindowsStateStore, type WindowsStateStore } from '../../../agents/windows/device-state.js';
import { SqliteWindowsStateStore } from '../../../agents/windows/sqlite-state-store.js';
import { DmTree } from '../../../agents/windows/dm-tree/index.js';
import { windowsDmDefinitions } from '../../../agents/windows/dm-schema-cache.js';
import { WINDOWS_VARIANTS } from '../../../agents/windows/variant.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fill(s: WindowsStateStore) {
  const defs = windowsDmDefinitions(WINDOWS_VARIANTS.windows10);
  const tree = new DmTree(defs.schema, { handlers: defs.handlers });
  tree.setLocal('./DevInfo/DevId', 'ABC');
  tree.setLocal('./User/Vendor/MSFT/ActiveSync/Accounts/%7BC556E16F-56C4-4EDB-9C64-D9469EE1FBE0%7D/EmailAddress', 'a@b.c');
  s.setHardware({ deviceId: 'ABC', hwDevId: 'D', manufacturer: 'M', model: 'X', deviceName: 'N', osVersion: '10', applicationVersion: '10', osEdition: 4, language: 'en-US', macAddresses: ['00-0C-29-00-00-01'], imeis: [] });
  s.setIdentity({ keyPem: 'KEY', certDer: Buffer.from([0, 1, 2, 255]), rootCertDers: [Buffer.from([9, 8])] });
  s.setEnrollment({ providerId: 'mdmlab', accountUid: 'UID', serverUrl: 'http://h/ManagementServer/MDM.svc', upn: 'a@b.c', discoveryUrl: 'http://h/d', enrolledAt: 5 });
  s.setTree({ snapshot: tree.snapshot(), accounts: { k: { managed: true, createdAt: 3, replacedUserAccount: true } } });
  s.setPush({ token: 'T' });
  s.nextSequence('session');
  s.nextSequence('session');
  return tree;
}

describe('the Windows device state stores', () => {
  it('SQLite keeps everything across a reopen, Buffers included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdmlab-winstate-'));
    dirs.push(dir);
    const first = new SqliteWindowsStateStore(dir);
    expect(first.resumed).toBe(false);
    expect(first.persistent).toBe(true);
    const tree = fill(first);
    first.close();
    const again = new SqliteWindowsStateStore(dir);
    expect(again.resumed).toBe(true);
    expect(again.getIdentity()).toEqual({ keyPem: 'KEY', certDer: Buffer.from([0, 1, 2, 255]), rootCertDers: [Buffer.from([9, 8])] });
    expect(Buffer.isBuffer(again.getIdentity()!.certDer)).toBe(true);
    expect(again.getEnrollment()).toMatchObject({ providerId: 'mdmlab', enrolledAt: 5 });
    expect(again.getTree()).toEqual({ snapshot: tree.snapshot(), accounts: { k: { managed: true, createdAt: 3, replacedUserAccount: true } } });
    expect(again.getPush()).toEqual({ token: 'T' });
    expect(again.sequence('session')).toBe(2);
    expect(again.nextSequence('session')).toBe(3);
    again.setEnrollment(undefined);
    again.setIdentity(undefined);
    expect(again.getEnrollment()).toBeUndefined();
    expect(again.getIdentity()).toBeUndefined();
    again.close();
  });

  it('memory is not persistent (a fleet device takes no tree snapshots) and forgets nothing while it lives', () => {
    const s = new MemoryWindowsStateStore();
    expect(s.persistent).toBe(false);
    fill(s);
    expect(s.getPush()).toEqual({ token: 'T' });
    expect(s.nextSequence('session')).toBe(3);
    expect(s.getHardware()?.deviceId).toBe('ABC');
  });
});
