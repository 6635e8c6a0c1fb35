import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreConflict, type Store } from '../../../server/store/port.js';
import type { DeviceRecord, WindowsAccountRecord, WindowsDeviceRecord, WindowsSentCommandRecord, WindowsSessionRecord } from '../../../server/store/records.js';

/**
 * The platform modules' part of the Store contract (store.contract.ts runs it for every driver):
 * the Windows and Android records each platform keeps beside the neutral device.
 */
export function platformStoreContract(driver: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract, platform records: ${driver}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    const t = '2026-01-01T00:00:00.000Z';
    const device = (id: string): DeviceRecord => ({ id, platform: 'ios', hardwareId: `hw-${id}`, status: 'enrolled', enrolledAt: t });

    const windows = (deviceId: string, dmDeviceId: string): WindowsDeviceRecord => ({
      deviceId,
      dmDeviceId,
      enrollmentType: 'Full',
      identityFingerprint: `fp-${deviceId}`,
      identityNotAfter: t,
      credentialHash: 'aGFzaA==',
      nonce: 'bm9uY2U=',
      enrollmentContext: { DeviceType: 'CIMClient_Windows', OSVersion: '10.0.19043.2364' },
      enrolledAt: t,
      devInfo: {},
    });

    it('keeps the Windows side of devices, found by DeviceID, one device per DeviceID', async () => {
      await store.devices.insert({ ...device('d1'), platform: 'windows10' });
      await store.devices.insert({ ...device('d2'), platform: 'windows10' });
      const w = windows('d1', 'DEV1');
      await store.windowsDevices.upsert(w);
      expect(await store.windowsDevices.getByDevice('d1')).toEqual(w);
      expect(await store.windowsDevices.getByDmDeviceId('DEV1')).toEqual(w);
      expect(await store.windowsDevices.getByDmDeviceId('dev1')).toBeUndefined();
      await expect(store.windowsDevices.upsert(windows('d2', 'DEV1'))).rejects.toBeInstanceOf(StoreConflict);
      const full: WindowsDeviceRecord = {
        ...w,
        previousNonce: 'b2xk',
        leftAt: t,
        firstSessionAt: t,
        lastSessionAt: t,
        devInfo: { Man: 'Contoso', Mod: 'Surface' },
        loginStatus: 'user',
        pushToken: 'a'.repeat(64),
        channelUri: 'http://x/push/wns/aaa',
        channelReadAt: t,
        pfnSetAt: t,
        pfnRefused: { status: 405, at: t },
      };
      await store.windowsDevices.upsert(full);
      expect(await store.windowsDevices.getByDevice('d1')).toEqual(full);
      await store.windowsDevices.upsert(w);
      expect(await store.windowsDevices.getByDevice('d1')).toEqual(w);
      await store.windowsDevices.rotateNonce('d1', 'bmV3', w.nonce);
      expect(await store.windowsDevices.getByDevice('d1')).toEqual({ ...w, nonce: 'bmV3', previousNonce: w.nonce });
    });

    it('keeps one OMA-DM session per device and what each session sent, matched by message and CmdID', async () => {
      await store.devices.insert({ ...device('d1'), platform: 'windows10' });
      await store.devices.insert({ ...device('d2'), platform: 'windows10' });
      expect(await store.windowsSessions.get('d1')).toBeUndefined();
      const session: WindowsSessionRecord = { deviceId: 'd1', sessionId: 'D', clientMsgId: 1, serverMsgId: 1, nextCmdId: 7, startedAt: t, updatedAt: t };
      await store.windowsSessions.upsert({ ...session, lastRequestHash: 'h', lastReply: '<SyncML/>', endedAt: t });
      await store.windowsSessions.upsert(session);
      expect(await store.windowsSessions.get('d1')).toEqual(session);
      const sent = (cmdId: string, msgId = 1, deviceId = 'd1', extra: Partial<WindowsSentCommandRecord> = {}): WindowsSentCommandRecord => ({
        deviceId,
        sessionId: 'D',
        msgId,
        cmdId,
        role: 'part',
        verb: 'Add',
        commandUuid: 'C1',
        target: './User/x',
        ...extra,
      });
      const op = sent('3', 1, 'd1', { role: 'operation', verb: 'Atomic', payload: { kind: 'add', values: { EmailAddress: 'a@b.c' } } });
      await store.windowsSentCommands.insert([op, sent('4'), sent('5', 2, 'd1', { commandUuid: 'C2' }), sent('6', 1, 'd1', { role: 'pushChannel', verb: 'Get' }), sent('3', 1, 'd2')]);
      expect(await store.windowsSentCommands.forMessage('d1', 'D', 1)).toEqual([op, sent('4'), sent('6', 1, 'd1', { role: 'pushChannel', verb: 'Get' })]);
      expect((await store.windowsSentCommands.forSession('d1', 'D')).map((r) => r.cmdId)).toEqual(['3', '4', '5', '6']);
      await expect(store.windowsSentCommands.insert([sent('4')])).rejects.toBeInstanceOf(StoreConflict);
      expect(await store.windowsSentCommands.deleteForCommand('d1', 'C1')).toBe(3);
      expect(await store.windowsSentCommands.delete('d1', 'D', 2, '5')).toBe(true);
      expect(await store.windowsSentCommands.delete('d1', 'D', 2, '5')).toBe(false);
      expect(await store.windowsSentCommands.forSession('d1', 'D')).toEqual([]);
      expect(await store.windowsSentCommands.deleteForDevice('d2')).toBe(1);
    });

    it('keeps one ActiveSync account per device and profile, and what the device confirmed of it', async () => {
      await store.devices.insert({ ...device('d1'), platform: 'windows10' });
      const account: WindowsAccountRecord = { deviceId: 'd1', profileId: 'p1', accountGuid: 'AAAA', platform: 'windows10', updatedAt: t };
      await store.windowsAccounts.upsert({ ...account, confirmed: { EmailAddress: 'a@b.c' } });
      expect(await store.windowsAccounts.get('d1', 'p1')).toEqual({ ...account, confirmed: { EmailAddress: 'a@b.c' } });
      await store.windowsAccounts.upsert(account);
      await store.windowsAccounts.upsert({ ...account, profileId: 'p0', platform: 'windowsPhone81' });
      expect((await store.windowsAccounts.forDevice('d1')).map((a) => `${a.profileId}:${a.platform}`)).toEqual(['p0:windowsPhone81', 'p1:windows10']);
      expect(await store.windowsAccounts.get('d1', 'p1')).toEqual(account);
      expect(await store.windowsAccounts.delete('d1', 'p1')).toBe(true);
      expect(await store.windowsAccounts.delete('d1', 'p1')).toBe(false);
      expect(await store.windowsAccounts.deleteForDevice('d1')).toBe(1);
    });

    it('keeps the Android side of devices: one identity per device, what is pending, and the records the channel owns', async () => {
      await store.devices.insert({ ...device('d1'), platform: 'samsungKnox' });
      await store.devices.insert({ ...device('d2'), platform: 'androidForWork' });
      const knox = {
        deviceId: 'd1',
        identityFingerprint: 'fp1',
        certificate: 'MIIB',
        certificateNotAfter: t,
        managementMode: 'DEVICE_OWNER' as const,
        knoxVersion: '3.2.1',
        knoxApiLevel: 27,
        apiLevel: 28,
        policyVersion: 1,
        policyChangedAt: '2026-01-01T00:00:02.000Z',
        plan: '{}',
        planFingerprint: 'p1',
        registeredAt: t,
      };
      await store.androidDevices.upsert(knox);
      expect(await store.androidDevices.getByDevice('d1')).toEqual(knox);
      expect(await store.androidDevices.getByIdentity('fp1')).toEqual(knox);
      await expect(store.androidDevices.upsert({ ...knox, deviceId: 'd2', managementMode: 'PROFILE_OWNER' })).rejects.toBeInstanceOf(StoreConflict);
      const afw = { ...knox, deviceId: 'd2', identityFingerprint: 'fp2', managementMode: 'PROFILE_OWNER' as const, policyChangedAt: '2026-01-01T00:00:01.000Z' };
      await store.androidDevices.upsert(afw);
      // Never applied, then behind: pending, longest-waiting first; applied or gone: not.
      expect(await store.androidDevices.withPolicyPending()).toEqual(['d2', 'd1']);
      const full = { ...knox, pushToken: 'tok', appliedPolicyVersion: 1, knoxFlips: '{"n":1}', reportedApps: '[]', lastReportAt: t };
      await store.androidDevices.upsert(full);
      expect(await store.androidDevices.getByDevice('d1')).toEqual(full);
      expect(await store.androidDevices.withPolicyPending()).toEqual(['d2']);
      await store.androidDevices.upsert({ ...afw, unregisteredAt: t });
      expect(await store.androidDevices.withPolicyPending()).toEqual([]);
      // A new registration replaces the identity: the old fingerprint names nobody.
      await store.androidDevices.upsert({ ...knox, identityFingerprint: 'fp3' });
      expect(await store.androidDevices.getByIdentity('fp1')).toBeUndefined();
      expect(await store.androidDevices.getByDevice('d1')).toEqual({ ...knox, identityFingerprint: 'fp3' });
    });

    it('keeps one key pair per Android device and certificate profile, and managed app deployments per group', async () => {
      await store.devices.insert({ ...device('d1'), platform: 'androidForWork' });
      const kp = { deviceId: 'd1', certificateProfileId: 'c1', alias: 'mdmlab-c1', pkcs12: 'MIIK', password: 'pw', certificateFingerprint: 'f', notAfter: t, createdAt: t };
      await store.androidKeyPairs.put(kp);
      await store.androidKeyPairs.put({ ...kp, certificateProfileId: 'c0', alias: 'mdmlab-c0' });
      await store.androidKeyPairs.put({ ...kp, pkcs12: 'MIIL', certificateFingerprint: 'g' });
      expect(await store.androidKeyPairs.get('d1', 'c1')).toEqual({ ...kp, pkcs12: 'MIIL', certificateFingerprint: 'g' });
      expect((await store.androidKeyPairs.forDevice('d1')).map((k) => k.certificateProfileId)).toEqual(['c0', 'c1']);
      expect(await store.androidKeyPairs.deleteForDevice('d1')).toBe(2);
      expect(await store.androidKeyPairs.get('d1', 'c1')).toBeUndefined();

      await store.groups.insert({ id: 'g1', name: 'sales', createdAt: t });
      await store.groups.insert({ id: 'g2', name: 'ops', createdAt: t });
      await store.managedApps.set('gmail', ['g2', 'g1', 'g1']);
      await store.managedApps.set('nineWork', ['g2']);
      expect(await store.managedApps.groupsOf('gmail')).toEqual(['g1', 'g2']);
      expect(await store.managedApps.all()).toEqual([
        { app: 'gmail', groupId: 'g1' },
        { app: 'gmail', groupId: 'g2' },
        { app: 'nineWork', groupId: 'g2' },
      ]);
      await store.groups.delete('g2');
      expect(await store.managedApps.all()).toEqual([{ app: 'gmail', groupId: 'g1' }]);
      await store.managedApps.set('gmail', []);
      expect(await store.managedApps.groupsOf('gmail')).toEqual([]);
    });
  });
}
