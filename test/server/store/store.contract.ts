import { beforeEach, afterEach, describe, expect, it } from 'vitest';
import { COMMAND_HISTORY_PER_DEVICE, StoreConflict, type Store } from '../../../server/store/port.js';
import type { CommandHistoryRecord, DeviceRecord, EmailProfileRecord } from '../../../server/store/records.js';
import { platformStoreContract } from './platform-store.contract.js';

/**
 * The behaviour every Store driver must have (Lucia's adapter-test pattern). A driver's own test
 * file calls this with a factory for a fresh, empty store.
 */
export function storeContract(driver: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${driver}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    const t = '2026-01-01T00:00:00.000Z';
    const alice = { id: 'u1', upn: 'alice@contoso.com', primarySmtp: 'alice@contoso.com', username: 'alice', createdAt: t };
    const device = (id: string, userId?: string, status: DeviceRecord['status'] = 'enrolled'): DeviceRecord => ({
      id,
      platform: 'ios',
      hardwareId: `hw-${id}`,
      ...(userId ? { userId } : {}),
      status,
      enrolledAt: t,
    });
    const profile = (id: string, name: string): EmailProfileRecord => ({
      id,
      definition: {
        platform: 'ios',
        name,
        host: 'mail.contoso.com',
        accountName: 'Corp',
        usernameSource: 'userPrincipalName',
        emailSource: 'primarySmtpAddress',
        daysToSync: 7,
        useSsl: true,
        authMethod: 'certificate',
        identityCertificateProfileId: 'c1',
      },
      version: 1,
      everDeployed: false,
      createdAt: t,
      updatedAt: t,
    });

    it('stores users and refuses a second user with the same UPN in any letter case', async () => {
      await store.users.insert(alice);
      expect(await store.users.get('u1')).toEqual(alice);
      expect(await store.users.getByUpn('ALICE@contoso.com')).toEqual(alice);
      await expect(store.users.insert({ ...alice, id: 'u2', upn: 'Alice@Contoso.com' })).rejects.toBeInstanceOf(StoreConflict);
      await store.users.update({ ...alice, username: 'alice2' });
      expect((await store.users.get('u1'))?.username).toBe('alice2');
      expect(await store.users.delete('u1')).toBe(true);
      expect(await store.users.delete('u1')).toBe(false);
      expect(await store.users.list()).toEqual([]);
    });

    it('resolves group membership directly and through the device user', async () => {
      await store.users.insert(alice);
      await store.devices.insert(device('d1', 'u1'));
      await store.devices.insert(device('d2'));
      await store.devices.insert(device('d3', 'u1', 'unenrolled'));
      await store.groups.insert({ id: 'g1', name: 'sales', createdAt: t });
      await store.groups.insert({ id: 'g2', name: 'devices', description: 'loose devices', createdAt: t });
      await expect(store.groups.insert({ id: 'g3', name: 'SALES', createdAt: t })).rejects.toBeInstanceOf(StoreConflict);
      await store.groups.addMembers('g1', [{ kind: 'user', id: 'u1' }]);
      await store.groups.addMembers('g2', [{ kind: 'device', id: 'd2' }, { kind: 'device', id: 'd2' }]);
      expect(await store.groups.members('g2')).toEqual([{ kind: 'device', id: 'd2' }]);
      expect(await store.groups.groupsOfDevice('d1', 'u1')).toEqual(['g1']);
      expect(await store.groups.groupsOfDevice('d2', undefined)).toEqual(['g2']);
      expect(await store.groups.devicesInGroups(['g1', 'g2'])).toEqual(['d1', 'd2']);
      expect(await store.groups.devicesInGroups([])).toEqual([]);
      expect(await store.groups.removeMembers('g1', [{ kind: 'user', id: 'u1' }, { kind: 'user', id: 'nobody' }])).toBe(1);
      expect(await store.groups.devicesInGroups(['g1'])).toEqual([]);
      expect(await store.groups.delete('g2')).toBe(true);
      expect(await store.groups.groupsOfDevice('d2', undefined)).toEqual([]);
    });

    it('keeps email profiles, their certificate references and deployments', async () => {
      await store.emailProfiles.insert(profile('p1', 'Corp mail'));
      await expect(store.emailProfiles.insert(profile('p2', 'corp MAIL'))).rejects.toBeInstanceOf(StoreConflict);
      expect(await store.emailProfiles.referencing('c1')).toEqual(['p1']);
      const p = (await store.emailProfiles.get('p1'))!;
      expect(p).toEqual(profile('p1', 'Corp mail'));
      await store.emailProfiles.update({ ...p, version: 2, everDeployed: true });
      expect(await store.emailProfiles.get('p1')).toMatchObject({ version: 2, everDeployed: true });
      await store.groups.insert({ id: 'g1', name: 'sales', createdAt: t });
      await store.groups.insert({ id: 'g2', name: 'ops', createdAt: t });
      await store.deployments.set('p1', ['g2', 'g1', 'g1']);
      expect(await store.deployments.groupsOf('p1')).toEqual(['g1', 'g2']);
      await store.deployments.set('p1', ['g2']);
      expect(await store.deployments.all()).toEqual([{ profileId: 'p1', groupId: 'g2' }]);
      await store.groups.delete('g2');
      expect(await store.deployments.groupsOf('p1')).toEqual([]);
      await store.deployments.set('p1', ['g1']);
      expect(await store.emailProfiles.delete('p1')).toBe(true);
      expect(await store.deployments.all()).toEqual([]);
    });

    it('finds devices by platform identifier and filters lists', async () => {
      await store.devices.insert(device('d1', 'u1'));
      await expect(store.devices.insert({ ...device('d9'), hardwareId: 'hw-d1' })).rejects.toBeInstanceOf(StoreConflict);
      expect(await store.devices.getByHardwareId('ios', 'hw-d1')).toEqual(device('d1', 'u1'));
      expect(await store.devices.getByHardwareId('windows10', 'hw-d1')).toBeUndefined();
      await store.devices.update({ ...device('d1', 'u1'), lastSeenAt: t, osVersion: '18.1' });
      expect(await store.devices.get('d1')).toMatchObject({ lastSeenAt: t, osVersion: '18.1' });
      expect(await store.devices.list({ userId: 'u1' })).toHaveLength(1);
      expect(await store.devices.list({ platform: 'windows10' })).toEqual([]);
    });

    it('keeps an administrator\'s re-enrollment allowance on the device until it is cleared', async () => {
      await store.devices.insert({ ...device('d1'), reenrollmentAllowedUntil: t });
      expect(await store.devices.get('d1')).toEqual({ ...device('d1'), reenrollmentAllowedUntil: t });
      await store.devices.update(device('d1'));
      expect(await store.devices.get('d1')).toEqual(device('d1'));
    });

    it('upserts profile states and counts them per profile', async () => {
      await store.devices.insert(device('d1'));
      await store.devices.insert(device('d2'));
      await store.profileStates.upsert({ deviceId: 'd1', profileId: 'p1', state: 'pending', profileVersion: 1, updatedAt: t });
      await store.profileStates.upsert({ deviceId: 'd2', profileId: 'p1', state: 'blocked', detail: 'x', profileVersion: 1, updatedAt: t });
      await store.profileStates.upsert({ deviceId: 'd1', profileId: 'p1', state: 'installed', profileVersion: 1, updatedAt: t });
      expect(await store.profileStates.get('d1', 'p1')).toEqual({ deviceId: 'd1', profileId: 'p1', state: 'installed', profileVersion: 1, updatedAt: t });
      expect(await store.profileStates.counts()).toEqual([
        { profileId: 'p1', state: 'blocked', count: 1 },
        { profileId: 'p1', state: 'installed', count: 1 },
      ]);
      expect((await store.profileStates.forProfile('p1')).map((s) => s.deviceId)).toEqual(['d1', 'd2']);
      expect((await store.profileStates.all()).map((s) => `${s.deviceId}:${s.state}`)).toEqual(['d1:installed', 'd2:blocked']);
      await store.profileStates.delete('d2', 'p1');
      expect(await store.profileStates.forDevice('d2')).toEqual([]);
    });

    it('keeps the version a device holds beside the state, and forgets it when told', async () => {
      await store.devices.insert(device('d1'));
      const blocked = { deviceId: 'd1', profileId: 'p1', state: 'blocked' as const, detail: 'x', profileVersion: 2, installedVersion: 1, updatedAt: t };
      await store.profileStates.upsert(blocked);
      expect(await store.profileStates.get('d1', 'p1')).toEqual(blocked);
      await store.profileStates.upsert({ deviceId: 'd1', profileId: 'p1', state: 'removed', profileVersion: 2, updatedAt: t });
      expect(await store.profileStates.get('d1', 'p1')).not.toHaveProperty('installedVersion');
    });

    it('lists and resolves alerts by filter', async () => {
      const a = { kind: 'duplicateAccount' as const, message: 'm', details: { email: 'a@b.c' }, createdAt: t };
      await store.alerts.insert({ ...a, id: 'a1', deviceId: 'd1', profileId: 'p1' });
      await store.alerts.insert({ ...a, id: 'a2', deviceId: 'd2', profileId: 'p1' });
      expect((await store.alerts.list({ deviceId: 'd1' })).map((x) => x.id)).toEqual(['a1']);
      expect(await store.alerts.resolve({ deviceId: 'd1' }, '2026-01-02T00:00:00.000Z')).toBe(1);
      expect((await store.alerts.list({ active: true })).map((x) => x.id)).toEqual(['a2']);
      expect((await store.alerts.list({ active: false }))[0]).toMatchObject({ id: 'a1', resolvedAt: '2026-01-02T00:00:00.000Z', details: { email: 'a@b.c' } });
      await store.alerts.insert({ ...a, id: 'a3', profileId: 'p1' });
      expect(await store.alerts.resolve({ id: 'a3' }, t)).toBe(1);
      expect((await store.alerts.list({ id: 'a2' })).map((x) => x.id)).toEqual(['a2']);
      expect((await store.alerts.list({ active: true })).map((x) => x.id)).toEqual(['a2']);
    });

    it('keeps settings, enrollment tokens and spends SCEP challenges once', async () => {
      expect(await store.settings.get('topic')).toBeUndefined();
      await store.settings.set('topic', 'a');
      await store.settings.set('topic', 'b');
      expect(await store.settings.get('topic')).toBe('b');
      await store.enrollmentTokens.insert({ token: 'tok', userId: 'u1', platform: 'ios', createdAt: t, expiresAt: t, reusable: false });
      await store.enrollmentTokens.markUsed('tok', '2026-01-02T00:00:00.000Z');
      await store.enrollmentTokens.markUsed('tok', '2026-01-03T00:00:00.000Z');
      expect(await store.enrollmentTokens.get('tok')).toMatchObject({ reusable: false, usedAt: '2026-01-02T00:00:00.000Z' });
      await store.scepChallenges.insert({ challenge: 'c1', purpose: 'enrollment', enrollmentToken: 'tok', userId: 'u1', createdAt: t, expiresAt: '2026-01-05T00:00:00.000Z' });
      expect(await store.scepChallenges.spend('c1', t)).toBe(true);
      expect(await store.scepChallenges.spend('c1', t)).toBe(false);
      expect(await store.scepChallenges.spend('nope', t)).toBe(false);
      expect(await store.scepChallenges.get('c1')).toMatchObject({ purpose: 'enrollment', spentAt: t, userId: 'u1' });
      expect(await store.scepChallenges.deleteExpired('2026-01-06T00:00:00.000Z')).toBe(1);
      expect(await store.scepChallenges.get('c1')).toBeUndefined();
    });

    it('records issued certificates and the Apple side of devices', async () => {
      await store.devices.insert(device('d1'));
      const cert = { serial: '01', fingerprintSha256: 'fp', subject: 'CN=x', purpose: 'enrollment' as const, challenge: 'c', userId: 'u1', deviceId: 'd1', issuedAt: t, notAfter: t };
      await store.issuedCertificates.insert(cert);
      await expect(store.issuedCertificates.insert({ ...cert, serial: '02' })).rejects.toBeInstanceOf(StoreConflict);
      expect(await store.issuedCertificates.getByFingerprint('fp')).toEqual(cert);
      expect(await store.issuedCertificates.forDevice('d1')).toEqual([cert]);
      const apple = { deviceId: 'd1', udid: 'UDID-1', identityFingerprint: 'fp', topic: 'com.apple.mgmt.x', tokenUpdateCount: 0, authenticatedAt: t };
      await store.appleDevices.upsert(apple);
      await store.appleDevices.upsert({ ...apple, pushMagic: 'pm', pushToken: 'ab', tokenUpdateCount: 1 });
      expect(await store.appleDevices.getByUdid('UDID-1')).toEqual({ ...apple, pushMagic: 'pm', pushToken: 'ab', tokenUpdateCount: 1 });
      expect(await store.appleDevices.getByDevice('d1')).toMatchObject({ udid: 'UDID-1' });
      await store.appleDevices.upsert({ ...apple, checkedOutAt: t });
      expect(await store.appleDevices.getByIdentity('fp')).toEqual({ ...apple, checkedOutAt: t });
      await store.appleDevices.upsert(apple);
      expect(await store.appleDevices.getByUdid('UDID-1')).toEqual(apple);
    });

    it('ties an enrollment identity to the first device it enrolled, for good', async () => {
      await store.devices.insert(device('d1'));
      await store.devices.insert(device('d2'));
      const cert = { serial: '01', fingerprintSha256: 'fp', subject: 'CN=x', purpose: 'enrollment' as const, challenge: 'c', userId: 'u1', issuedAt: t, notAfter: t };
      await store.issuedCertificates.insert(cert);
      expect(await store.issuedCertificates.forDevice('d1')).toEqual([]);
      expect(await store.issuedCertificates.bindDevice('fp', 'd1')).toBe(true);
      expect(await store.issuedCertificates.getByFingerprint('fp')).toEqual({ ...cert, deviceId: 'd1' });
      expect(await store.issuedCertificates.bindDevice('fp', 'd2')).toBe(false);
      expect(await store.issuedCertificates.bindDevice('fp', 'd1')).toBe(false);
      expect(await store.issuedCertificates.bindDevice('unknown', 'd1')).toBe(false);
      expect(await store.issuedCertificates.forDevice('d1')).toEqual([{ ...cert, deviceId: 'd1' }]);
      expect(await store.issuedCertificates.forDevice('d2')).toEqual([]);
    });

    it('queues commands per device by priority then age, with NotNow skipping', async () => {
      await store.devices.insert(device('d1'));
      await store.devices.insert(device('d2'));
      const cmd = (uuid: string, deviceId = 'd1', priority = 0) => ({ uuid, deviceId, requestType: 'InstallProfile', body: '<plist/>', priority, createdAt: t });
      await store.commands.enqueue(cmd('a'));
      await store.commands.enqueue(cmd('b'));
      await store.commands.enqueue(cmd('x', 'd2'));
      await store.commands.enqueue({ ...cmd('urgent', 'd1', 5), profileId: 'p1', profileVersion: 2 });
      expect(await store.commands.countPending()).toBe(4);
      expect((await store.commands.next('d1', { skipNotNow: false }))?.uuid).toBe('urgent');
      await store.commands.markSent('urgent', t);
      expect(await store.commands.get('urgent')).toMatchObject({ status: 'sent', sentAt: t, profileId: 'p1', profileVersion: 2 });
      await store.commands.markNotNow('urgent');
      expect((await store.commands.next('d1', { skipNotNow: true }))?.uuid).toBe('a');
      expect((await store.commands.next('d1', { skipNotNow: false }))?.uuid).toBe('urgent');
      expect((await store.commands.get('urgent'))?.notNowCount).toBe(1);
      expect(await store.commands.delete('urgent')).toBe(true);
      expect((await store.commands.forDevice('d1')).map((c) => c.uuid)).toEqual(['a', 'b']);
      expect(await store.commands.deleteForDevice('d1')).toBe(2);
      expect(await store.commands.next('d1', { skipNotNow: false })).toBeUndefined();
      expect(await store.commands.countPending()).toBe(1);
    });

    it('lists the devices with commands waiting (queued, sent or NotNow), longest-waiting first', async () => {
      for (const id of ['d1', 'd2', 'd3', 'd4']) await store.devices.insert(device(id));
      const cmd = (uuid: string, deviceId: string, priority = 0) => ({ uuid, deviceId, requestType: 'InstallProfile', body: '<plist/>', priority, createdAt: t });
      expect(await store.commands.devicesWithPending()).toEqual([]);
      await store.commands.enqueue(cmd('c1', 'd3'));
      await store.commands.enqueue(cmd('c2', 'd1', 9));
      await store.commands.enqueue(cmd('c3', 'd3'));
      await store.commands.enqueue(cmd('c4', 'd2'));
      await store.commands.markSent('c1', t);
      await store.commands.markNotNow('c4');
      expect(await store.commands.devicesWithPending()).toEqual(['d3', 'd1', 'd2']);
      await store.commands.deleteForDevice('d3');
      expect(await store.commands.devicesWithPending()).toEqual(['d1', 'd2']);
    });

    const answered = (uuid: string, deviceId = 'd1', extra: Partial<CommandHistoryRecord> = {}): CommandHistoryRecord => ({
      uuid,
      deviceId,
      requestType: 'ProfileList',
      status: 'Acknowledged',
      outcome: 'success',
      queuedAt: t,
      answeredAt: t,
      ...extra,
    });

    it('keeps answered commands per device, newest first, with the ErrorChain exactly as given', async () => {
      await store.devices.insert(device('d1'));
      await store.devices.insert(device('d2'));
      const chain = [
        { ErrorCode: 4001, ErrorDomain: 'MCInstallationErrorDomain', LocalizedDescription: 'outer', USEnglishDescription: 'outer' },
        { ErrorCode: 21005, ErrorDomain: 'MCEASErrorDomain', LocalizedDescription: 'inner' },
      ];
      const failed = answered('a', 'd1', { requestType: 'InstallProfile', status: 'Error', outcome: 'failure', detail: { errorChain: chain }, profileId: 'p1', profileVersion: 3, sentAt: t });
      await store.commandHistory.append(failed);
      await store.commandHistory.append(answered('x', 'd2'));
      // Same millisecond as 'a': the order of appending decides which is newer.
      await store.commandHistory.append(answered('b', 'd1', { status: 'CommandFormatError', outcome: 'failure' }));
      expect(await store.commandHistory.forDevice('d1')).toEqual([answered('b', 'd1', { status: 'CommandFormatError', outcome: 'failure' }), failed]);
      expect(await store.commandHistory.forDevice('d2')).toEqual([answered('x', 'd2')]);
      expect(await store.commandHistory.forDevice('nobody')).toEqual([]);
    });

    it(`keeps only the newest ${COMMAND_HISTORY_PER_DEVICE} answers of each device`, async () => {
      await store.devices.insert(device('d1'));
      await store.devices.insert(device('d2'));
      await store.commandHistory.append(answered('other', 'd2'));
      const total = COMMAND_HISTORY_PER_DEVICE + 5;
      for (let i = 0; i < total; i++) await store.commandHistory.append(answered(`c${i}`));
      const kept = (await store.commandHistory.forDevice('d1')).map((h) => h.uuid);
      expect(kept).toHaveLength(COMMAND_HISTORY_PER_DEVICE);
      expect(kept[0]).toBe(`c${total - 1}`);
      expect(kept.at(-1)).toBe('c5');
      expect(await store.commandHistory.forDevice('d2')).toEqual([answered('other', 'd2')]);
    });

    it('writes history in the caller\'s transaction: a rollback leaves the command queued and no answer', async () => {
      await store.devices.insert(device('d1'));
      await store.commands.enqueue({ uuid: 'q', deviceId: 'd1', requestType: 'ProfileList', body: '<plist/>', priority: 0, createdAt: t });
      await expect(
        store.transaction(async (tx) => {
          await tx.commands.delete('q');
          await tx.commandHistory.append(answered('q'));
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.commands.get('q')).toMatchObject({ uuid: 'q' });
      expect(await store.commandHistory.forDevice('d1')).toEqual([]);
      await store.transaction(async (tx) => {
        await tx.commands.delete('q');
        await tx.commandHistory.append(answered('q'));
      });
      expect(await store.commands.get('q')).toBeUndefined();
      expect((await store.commandHistory.forDevice('d1')).map((h) => h.uuid)).toEqual(['q']);
    });

    it('applies all writes of a transaction or none of them', async () => {
      await expect(
        store.transaction(async (tx) => {
          await tx.users.insert(alice);
          await tx.groups.insert({ id: 'g1', name: 'sales', createdAt: t });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.users.list()).toEqual([]);
      expect(await store.groups.list()).toEqual([]);
      const n = await store.transaction(async (tx) => {
        await tx.users.insert(alice);
        await tx.groups.insert({ id: 'g1', name: 'sales', createdAt: t });
        return 2;
      });
      expect(n).toBe(2);
      expect(await store.groups.list()).toHaveLength(1);
    });

    it('makes other callers wait while a transaction is open, so they never see half of it', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const tx = store.transaction(async (repos) => {
        await repos.users.insert(alice);
        await gate;
        await repos.groups.insert({ id: 'g1', name: 'sales', createdAt: t });
      });
      const seen = store.groups.list();
      let settled = false;
      void seen.then(() => (settled = true));
      await new Promise((r) => setTimeout(r, 20));
      expect(settled).toBe(false);
      release();
      await tx;
      expect(await seen).toHaveLength(1);
    });
  });
  platformStoreContract(driver, makeStore);
}
