import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryIosStateStore, type DeviceCertificate, type InstalledProfile, type IosStateStore } from '../../../agents/ios/device-state.js';
import { SqliteIosStateStore } from '../../../agents/ios/sqlite-state-store.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'mdmlab-state-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const profile = (identifier: string, signer?: Buffer): InstalledProfile => ({
  identifier,
  uuid: `${identifier}-uuid`,
  version: 1,
  displayName: identifier,
  removalDisallowed: false,
  hasRemovalPasscode: false,
  payloads: [{ type: 'com.apple.eas.account', version: 1, identifier: `${identifier}.eas`, uuid: `${identifier}-eas` }],
  managed: true,
  ...(signer ? { signerCertDer: signer } : {}),
  installedAt: 5,
});
const cert = (profileIdentifier: string, payloadUuid: string): DeviceCertificate => ({
  profileIdentifier,
  payloadIdentifier: `${profileIdentifier}.scep`,
  payloadUuid,
  kind: 'identity',
  certDer: Buffer.from([1, 2, 3, payloadUuid.length]),
  keyPem: 'PEM',
  subject: 'CN=x',
});

function contract(name: string, open: () => IosStateStore) {
  describe(name, () => {
    it('keeps profiles with their certificates and replaces both together', () => {
      const s = open();
      s.putProfile(profile('a', Buffer.from('signer')), [cert('a', 'u1'), cert('a', 'u2')]);
      s.putProfile(profile('b'), [cert('b', 'u3')]);
      expect(s.getProfile('a')?.signerCertDer).toEqual(Buffer.from('signer'));
      expect(s.listCertificates().map((c) => c.payloadUuid)).toEqual(['u1', 'u2', 'u3']);
      s.putProfile({ ...profile('a'), version: 2 }, [cert('a', 'u4')]);
      expect(s.listProfiles().map((p) => [p.identifier, p.version])).toEqual([['a', 2], ['b', 1]]);
      expect(s.listCertificates().map((c) => c.payloadUuid).sort()).toEqual(['u3', 'u4']);
      s.deleteProfile('a');
      expect(s.listProfiles().map((p) => p.identifier)).toEqual(['b']);
      expect(s.listCertificates().map((c) => c.payloadUuid)).toEqual(['u3']);
    });

    it('counts sequences and clears what is set to undefined', () => {
      const s = open();
      expect([s.nextSequence('account'), s.nextSequence('account'), s.nextSequence('other')]).toEqual([1, 2, 1]);
      s.setIdentity({ keyPem: 'k', certDer: Buffer.from('c') });
      expect(s.getIdentity()).toEqual({ keyPem: 'k', certDer: Buffer.from('c') });
      s.setIdentity(undefined);
      expect(s.getIdentity()).toBeUndefined();
      expect(s.getPush()).toEqual({});
    });
  });
}

contract('MemoryIosStateStore', () => new MemoryIosStateStore());
contract('SqliteIosStateStore', () => new SqliteIosStateStore(tempDir()));

describe('SqliteIosStateStore across restarts', () => {
  it('gives back everything a device wrote, Buffers included, and says it resumed', async () => {
    const dir = tempDir();
    const first = new SqliteIosStateStore(dir);
    expect(first.resumed).toBe(false);
    first.setHardware({ udid: '00008120-0011223344556677', serialNumber: 'ABCDEFGHJK', productName: 'iPhone15,2', osVersion: '18.1', buildVersion: '22B83' });
    first.setIdentity({ keyPem: 'key', certDer: Buffer.from([0x30, 0x82, 0x00]) });
    first.setPush({ token: 'ab'.repeat(32), pushMagic: 'magic' });
    first.putProfile(profile('p', Buffer.from([9, 9])), [cert('p', 'u')]);
    await first.mail.apply({ remove: [], add: [{ id: 'acct-1', email: 'a@b.c', host: 'h', settings: { daysToSync: 7 }, managed: false, createdAt: 1 }] });
    first.nextSequence('account');
    first.close();

    const second = new SqliteIosStateStore(dir);
    expect(second.resumed).toBe(true);
    expect(second.getHardware()?.udid).toBe('00008120-0011223344556677');
    expect(second.getIdentity()?.certDer).toEqual(Buffer.from([0x30, 0x82, 0x00]));
    expect(second.getPush()).toEqual({ token: 'ab'.repeat(32), pushMagic: 'magic' });
    expect(second.getProfile('p')).toEqual(profile('p', Buffer.from([9, 9])));
    expect(second.listCertificates()).toEqual([cert('p', 'u')]);
    expect((await second.mail.list()).map((a) => a.id)).toEqual(['acct-1']);
    expect(second.nextSequence('account')).toBe(2);
    second.close();
  });
});
