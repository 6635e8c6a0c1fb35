import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployProfile, eventually, settle, startIosWorld, type IosTestWorld } from './helpers.js';

let world: IosTestWorld;
beforeAll(async () => {
  world = await startIosWorld();
});
afterAll(async () => {
  await world.close();
});

describe('a directory edit reaches the managed accounts generated from it', () => {
  it('a new primary address is delivered again: the managed account follows, one account, still installed', async () => {
    const user = await world.newUser('gina@contoso.com', { primarySmtp: 'gina@contoso.com' });
    const profile = await deployProfile(world.admin, [user.groupId]);
    const device = await world.newDevice();
    await device.enroll(user.enrollUrl);
    await settle(world, device);
    const installs: string[] = [];
    device.on('commandHandled', (e) => installs.push(`${e.requestType}:${e.status}`));

    await world.admin.patch(`/users/${user.userId}`, { primarySmtp: 'gina.ross@contoso.com' });

    await eventually(() => device.mailAccounts(), (a) => a[0]?.email === 'gina.ross@contoso.com');
    const view = await settle(world, device);
    expect(installs).toEqual(['InstallProfile:Acknowledged']);
    expect(view.profiles).toEqual([expect.objectContaining({ profileId: profile.id, state: 'installed', profileVersion: 1 })]);
    expect(await device.mailAccounts()).toEqual([expect.objectContaining({ email: 'gina.ross@contoso.com', managed: true, managedBy: profile.identifier })]);
  });

  it('an edit the profile does not use (the UPN, for a primary-address profile with on-premises user name) sends nothing', async () => {
    const user = await world.newUser('hugo@contoso.com', { primarySmtp: 'hugo@contoso.com', username: 'hugo' });
    await deployProfile(world.admin, [user.groupId], { emailSource: 'primarySmtpAddress', usernameSource: 'username' });
    const device = await world.newDevice();
    await device.enroll(user.enrollUrl);
    await settle(world, device);
    const handled: string[] = [];
    device.on('commandHandled', (e) => handled.push(e.requestType));

    await world.admin.patch(`/users/${user.userId}`, { upn: 'hugo.r@contoso.com' });
    await device.checkIn();
    await device.whenIdle(2000);

    expect(handled).toEqual([]);
    expect((await world.serverDevice(device.udid)).pendingCommands ?? 0).toBe(0);
  });

  it('on iOS a hand-made account with the new address blocks the re-delivery and raises the duplicate alert', async () => {
    const user = await world.newUser('ivy@contoso.com', { primarySmtp: 'ivy@contoso.com' });
    const profile = await deployProfile(world.admin, [user.groupId]);
    const device = await world.newDevice();
    await device.enroll(user.enrollUrl);
    await settle(world, device);
    expect((await device.addAccount({ email: 'ivy.lee@contoso.com', host: 'mail.contoso.com' })).kind).toBe('added');

    await world.admin.patch(`/users/${user.userId}`, { primarySmtp: 'ivy.lee@contoso.com' });

    const view = await eventually(() => world.serverDevice(device.udid), (v) => v.profiles[0]?.state === 'blocked');
    expect(view.compliance).toBe('nonCompliant');
    expect(view.alerts).toEqual([expect.objectContaining({ kind: 'duplicateAccount', profileId: profile.id })]);
    // iOS keeps the earlier copy when a re-delivery is refused, and the server knows it holds it.
    expect(view.profiles[0]).toMatchObject({ state: 'blocked', profileVersion: 1, installedVersion: 1 });
    expect(await device.mailAccounts()).toEqual(
      expect.arrayContaining([expect.objectContaining({ email: 'ivy@contoso.com', managed: true, managedBy: profile.identifier })]),
    );
  });

  it('undeploying a profile whose re-delivery was blocked still removes the copy the device holds', async () => {
    const user = await world.newUser('jon@contoso.com', { primarySmtp: 'jon@contoso.com' });
    const profile = await deployProfile(world.admin, [user.groupId]);
    const device = await world.newDevice();
    await device.enroll(user.enrollUrl);
    await settle(world, device);
    await device.addAccount({ email: 'jon.b@contoso.com', host: 'mail.contoso.com' });
    await world.admin.patch(`/users/${user.userId}`, { primarySmtp: 'jon.b@contoso.com' });
    await eventually(() => world.serverDevice(device.udid), (v) => v.profiles[0]?.state === 'blocked');
    await device.whenIdle(2000);

    await world.admin.put(`/email-profiles/${profile.id}/deployment`, { groupIds: [] });
    const view = await eventually(() => world.serverDevice(device.udid), (v) => v.profiles[0]?.state === 'removed');
    await settle(world, device);

    expect(view.profiles[0]).not.toHaveProperty('installedVersion');
    expect(await device.profileIdentifiers()).not.toContain(profile.identifier);
    expect(await device.mailAccounts()).toEqual([expect.objectContaining({ email: 'jon.b@contoso.com', managed: false })]);
  });
});

describe('the duplicate-account alert follows its cause', () => {
  it('when the address changes and another hand-made account blocks it, the alert names the new address', async () => {
    const user = await world.newUser('kai@contoso.com', { primarySmtp: 'kai@contoso.com' });
    const device = await world.newDevice();
    await device.addAccount({ email: 'kai@contoso.com', host: 'mail.contoso.com' });
    await device.addAccount({ email: 'kai.n@contoso.com', host: 'mail.contoso.com' });
    await device.enroll(user.enrollUrl);
    const profile = await deployProfile(world.admin, [user.groupId]);
    const first = await eventually(() => world.serverDevice(device.udid), (v) => v.alerts.length === 1);
    expect(first.alerts[0]).toMatchObject({ kind: 'duplicateAccount', profileId: profile.id, message: expect.stringContaining('kai@contoso.com') });
    await device.whenIdle(2000);

    await world.admin.patch(`/users/${user.userId}`, { primarySmtp: 'kai.n@contoso.com' });

    const view = await eventually(
      () => world.serverDevice(device.udid),
      (v) => v.alerts.some((a) => a.message.includes('kai.n@contoso.com')),
    );
    expect(view.profiles[0]).toMatchObject({ state: 'blocked' });
    expect(view.alerts).toEqual([expect.objectContaining({ kind: 'duplicateAccount', message: expect.stringContaining('kai.n@contoso.com') })]);
  });
});
