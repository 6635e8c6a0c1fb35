import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployProfile, eventually, settle, startIosWorld, type IosTestWorld } from './helpers.js';

let world: IosTestWorld;
beforeAll(async () => {
  world = await startIosWorld();
});
afterAll(async () => {
  await world.close();
});

describe('iOS duplicate accounts and the profile lifecycle (docs/email-profiles.md, existing-account table, iOS)', () => {
  it('a manual account blocks the profile until the user removes it; then the device checks in and installs it', async () => {
    const user = await world.newUser('erin@contoso.com');
    const device = await world.newDevice();
    const manual = await device.addAccount({ email: 'Erin@Contoso.com', host: 'MAIL.contoso.com' });
    expect(manual.kind).toBe('added');
    await device.enroll(user.enrollUrl);
    const statuses: string[] = [];
    device.on('commandHandled', (e) => statuses.push(`${e.requestType}:${e.status}`));

    const profile = await deployProfile(world.admin, [user.groupId]);
    const blocked = await eventually(
      () => world.serverDevice(device.udid),
      (v) => v.profiles[0]?.state === 'blocked',
    );
    await device.whenIdle(2000);
    expect(statuses).toEqual(['InstallProfile:Error']);
    expect(blocked.compliance).toBe('nonCompliant');
    expect(blocked.profiles[0]).toMatchObject({ profileId: profile.id, state: 'blocked' });
    expect(blocked.profiles[0]?.detail).toMatch(/MCInstallationErrorDomain 4001.*MCEASErrorDomain 21005/);
    expect(blocked.alerts).toEqual([expect.objectContaining({ kind: 'duplicateAccount', profileId: profile.id })]);
    expect(await device.mailAccounts()).toEqual([expect.objectContaining({ email: 'Erin@Contoso.com', managed: false })]);

    const removed = await device.removeAccount({ email: 'erin@contoso.com', host: 'mail.contoso.com' });
    expect(removed.kind).toBe('removed');
    const view = await settle(world, device);
    expect(view.profiles[0]).toMatchObject({ profileId: profile.id, state: 'installed' });
    expect(view.compliance).toBe('compliant');
    expect(view.alerts).toEqual([]);
    expect(await device.mailAccounts()).toEqual([expect.objectContaining({ email: 'erin@contoso.com', host: 'mail.contoso.com', managed: true, managedBy: profile.identifier })]);
  });

  it('the user cannot add by hand an account a profile manages (store unchanged)', async () => {
    const user = await world.newUser('frank@contoso.com');
    await deployProfile(world.admin, [user.groupId]);
    const device = await world.newDevice();
    await device.enroll(user.enrollUrl);
    await settle(world, device);
    const before = await device.mailAccounts();

    const outcome = await device.addAccount({ email: 'frank@contoso.com', host: 'mail.contoso.com' });

    expect(outcome.kind).toBe('refusedDuplicate');
    expect(await device.mailAccounts()).toEqual(before);
    // Same address on another host is another account on iOS.
    expect((await device.addAccount({ email: 'frank@contoso.com', host: 'imap.contoso.com' })).kind).toBe('added');
  });

  it('undeploying removes only the managed account; user accounts stay', async () => {
    const user = await world.newUser('gina@contoso.com');
    const profile = await deployProfile(world.admin, [user.groupId]);
    const device = await world.newDevice();
    await device.addAccount({ email: 'gina@gmail.com', host: 'imap.gmail.com' });
    await device.enroll(user.enrollUrl);
    await settle(world, device);
    expect(await device.mailAccounts()).toHaveLength(2);

    await world.admin.put(`/email-profiles/${profile.id}/deployment`, { groupIds: [] });
    const view = await eventually(
      () => world.serverDevice(device.udid),
      (v) => v.profiles[0]?.state === 'removed' || v.profiles.length === 0,
    );
    await device.whenIdle(2000);

    expect(view.profiles.every((p) => p.state === 'removed')).toBe(true);
    expect(await device.mailAccounts()).toEqual([expect.objectContaining({ email: 'gina@gmail.com', managed: false })]);
    expect(await device.profileIdentifiers()).toEqual(['com.mdmlab.enroll']);
  });

  it('a new version of the profile replaces the managed account settings, keeping one account', async () => {
    const user = await world.newUser('hank@contoso.com');
    const profile = await deployProfile(world.admin, [user.groupId], { daysToSync: 7, accountName: 'Corp' });
    const device = await world.newDevice();
    await device.enroll(user.enrollUrl);
    await settle(world, device);
    const [original] = await device.mailAccounts();

    await world.admin.patch(`/email-profiles/${profile.id}`, { daysToSync: 'unlimited', accountName: 'Contoso mail', contentTypes: ['email'] });
    const view = await eventually(
      () => world.serverDevice(device.udid),
      (v) => v.profiles[0]?.profileVersion === 2 && v.profiles[0]?.state === 'installed',
    );
    await device.whenIdle(2000);

    expect(view.profiles[0]?.state).toBe('installed');
    const accounts = await device.mailAccounts();
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ id: original!.id, createdAt: original!.createdAt, managedBy: profile.identifier });
    expect(accounts[0]?.settings).toMatchObject({ daysToSync: 'unlimited', accountName: 'Contoso mail', contentTypes: ['email'] });
    expect(device.installedProfiles().filter((p) => p.identifier === profile.identifier)).toHaveLength(1);
  });

  it('another profile with the same address and host is not unique either: the second one is blocked', async () => {
    const user = await world.newUser('iris@contoso.com');
    const device = await world.newDevice();
    await device.enroll(user.enrollUrl);
    const first = await deployProfile(world.admin, [user.groupId], { name: 'first' });
    await eventually(() => world.serverDevice(device.udid), (v) => v.profiles[0]?.state === 'installed');
    const second = await deployProfile(world.admin, [user.groupId], { name: 'second' });
    const view = await eventually(
      () => world.serverDevice(device.udid),
      (v) => v.profiles.find((p) => p.profileId === second.id)?.state === 'blocked',
    );
    expect(view.profiles.find((p) => p.profileId === first.id)?.state).toBe('installed');
    expect((await device.mailAccounts()).map((a) => a.managedBy)).toEqual([first.identifier]);
  });
});
