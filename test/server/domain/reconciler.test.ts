import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Reconciler, type PlatformChannel } from '../../../server/domain/reconciler.js';
import type { Store } from '../../../server/store/port.js';
import type { DeviceRecord, EmailProfileRecord } from '../../../server/store/records.js';
import { createSqliteStore } from '../../../server/store/sqlite/sqlite-store.js';

/**
 * The reconciler against a real store, with a channel that records what it was asked to queue
 * (the real channels, Apple first, are exercised end to end in their own suites).
 */
class RecordingChannel implements PlatformChannel {
  readonly platforms = ['ios', 'windows10'] as const;
  readonly log: string[] = [];
  removeOutcome: 'awaitConfirmation' | 'removed' | 'forget' = 'awaitConfirmation';
  async install(_tx: unknown, d: DeviceRecord, p: EmailProfileRecord) {
    this.log.push(`install ${d.id} ${p.id}@${p.version}`);
  }
  async remove(_tx: unknown, d: DeviceRecord, s: { profileId: string }) {
    this.log.push(`remove ${d.id} ${s.profileId}`);
    return this.removeOutcome;
  }
  async wake(devices: readonly DeviceRecord[]) {
    this.log.push(`wake ${devices.map((d) => d.id).join(',')}`);
  }
  async push() {
    return 'noToken' as const;
  }
  profileAction() {
    return undefined;
  }
}

const t = '2026-01-01T00:00:00.000Z';
let store: Store;
let channel: RecordingChannel;
let reconciler: Reconciler;
const profile = (id: string, platform: 'ios' | 'windows10' | 'samsungKnox', version = 1): EmailProfileRecord => ({
  id,
  definition: { platform, name: id, host: 'h', accountName: 'a', usernameSource: 'username', emailSource: 'primarySmtpAddress', daysToSync: 7, useSsl: true },
  version,
  everDeployed: true,
  createdAt: t,
  updatedAt: t,
});
const states = async (deviceId: string) => (await store.profileStates.forDevice(deviceId)).map((s) => `${s.profileId}:${s.state}@${s.profileVersion}`);
const run = async (ids: string[]) => {
  const r = await store.transaction((tx) => reconciler.reconcile(tx, ids, t));
  await reconciler.wake(r.toWake);
};

beforeEach(async () => {
  store = createSqliteStore(':memory:');
  channel = new RecordingChannel();
  reconciler = new Reconciler();
  reconciler.register(channel);
  await store.users.insert({ id: 'u1', upn: 'a@c.com', primarySmtp: 'a@c.com', username: 'a', createdAt: t });
  await store.devices.insert({ id: 'd1', platform: 'ios', hardwareId: 'h1', userId: 'u1', status: 'enrolled', enrolledAt: t });
  await store.devices.insert({ id: 'd2', platform: 'samsungKnox', hardwareId: 'h2', userId: 'u1', status: 'enrolled', enrolledAt: t });
  await store.groups.insert({ id: 'g1', name: 'sales', createdAt: t });
  await store.groups.addMembers('g1', [{ kind: 'user', id: 'u1' }]);
  await store.emailProfiles.insert(profile('p-ios', 'ios'));
  await store.emailProfiles.insert(profile('p-w10', 'windows10'));
});
afterEach(() => store.close());

describe('reconciler', () => {
  it('queues installs for applicable profiles, marks others not applicable, wakes the device once', async () => {
    await store.deployments.set('p-ios', ['g1']);
    await store.deployments.set('p-w10', ['g1']);
    await run(['d1', 'd2']);
    expect(channel.log).toEqual(['install d1 p-ios@1', 'wake d1']);
    expect(await states('d1')).toEqual(['p-ios:pending@1', 'p-w10:notApplicable@1']);
    // No channel for KNOX yet: the device is left alone.
    expect(await states('d2')).toEqual([]);
  });

  it('does nothing for a device already carrying the current version', async () => {
    await store.deployments.set('p-ios', ['g1']);
    await run(['d1']);
    await store.profileStates.upsert({ deviceId: 'd1', profileId: 'p-ios', state: 'installed', profileVersion: 1, updatedAt: t });
    channel.log.length = 0;
    await run(['d1']);
    expect(channel.log).toEqual([]);
  });

  it('re-installs a newer version, including over a blocked state', async () => {
    await store.deployments.set('p-ios', ['g1']);
    await store.profileStates.upsert({ deviceId: 'd1', profileId: 'p-ios', state: 'blocked', profileVersion: 1, updatedAt: t });
    await store.emailProfiles.update(profile('p-ios', 'ios', 2));
    await run(['d1']);
    expect(channel.log).toEqual(['install d1 p-ios@2', 'wake d1']);
    expect(await states('d1')).toEqual(['p-ios:pending@2']);
  });

  it('withdraws a profile that is no longer deployed and resolves its alerts; keeps the state until confirmed', async () => {
    await store.profileStates.upsert({ deviceId: 'd1', profileId: 'p-ios', state: 'blocked', profileVersion: 1, updatedAt: t });
    await store.alerts.insert({ id: 'a1', kind: 'duplicateAccount', deviceId: 'd1', profileId: 'p-ios', message: 'm', details: {}, createdAt: t });
    await run(['d1']);
    expect(channel.log).toEqual(['remove d1 p-ios', 'wake d1']);
    expect(await states('d1')).toEqual(['p-ios:blocked@1']);
    expect(await store.alerts.list({ active: true })).toEqual([]);
  });

  it('records removed or forgets the state when the channel says so, and drops stale notApplicable rows', async () => {
    await store.profileStates.upsert({ deviceId: 'd1', profileId: 'p-ios', state: 'installed', profileVersion: 1, updatedAt: t });
    await store.profileStates.upsert({ deviceId: 'd1', profileId: 'p-w10', state: 'notApplicable', profileVersion: 1, updatedAt: t });
    channel.removeOutcome = 'removed';
    await run(['d1']);
    expect(await states('d1')).toEqual(['p-ios:removed@1']);
    await store.profileStates.upsert({ deviceId: 'd1', profileId: 'p-ios', state: 'pending', profileVersion: 1, updatedAt: t });
    channel.removeOutcome = 'forget';
    await run(['d1']);
    expect(await states('d1')).toEqual([]);
  });

  it('skips unenrolled devices', async () => {
    await store.deployments.set('p-ios', ['g1']);
    await store.devices.update({ id: 'd1', platform: 'ios', hardwareId: 'h1', userId: 'u1', status: 'unenrolled', enrolledAt: t });
    await run(['d1']);
    expect(channel.log).toEqual([]);
  });
});
