import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandHandledEvent } from '../../../agents/device.js';
import { WindowsDevice } from '../../../agents/windows/windows-device.js';
import { eventually, settle, startWindowsWorld, type WindowsTestWorld } from './helpers.js';

let world: WindowsTestWorld;
beforeAll(async () => {
  world = await startWindowsWorld();
});
afterAll(async () => {
  await world.close();
});

const messagesOf = (deviceId: string) => world.http.syncml().filter((m) => m.includes(`<LocURI>${deviceId}</LocURI>`));

describe('a Windows device managed over OMA-DM by the real server', () => {
  it('takes a profile as an ActiveSync account, an edit as new values of the same account, an undeploy as its deletion', async () => {
    const user = await world.newUser('alice@contoso.com', { username: 'alice' });
    const device = await world.newDevice();
    const events: CommandHandledEvent[] = [];
    device.on('commandHandled', (e) => events.push(e));
    await device.enroll(await world.ticket(user.userId));
    await settle(world, device);

    const profile = await world.deploy([user.groupId], { daysToSync: 14, useSsl: false, syncSchedule: 30, contentTypes: ['email', 'calendar'], usernameSource: 'username' });
    const installed = await eventually(() => world.serverDevice(device.deviceId), (v) => v.profiles.some((p) => p.state === 'installed'));
    await settle(world, device);
    expect(installed.profiles).toEqual([expect.objectContaining({ profileId: profile.id, state: 'installed' })]);
    const [account] = await device.mailAccounts();
    expect(account).toMatchObject({
      email: 'alice@contoso.com',
      host: 'mail.contoso.com',
      username: 'alice',
      managed: true,
      settings: { accountName: 'Corp mail', username: 'alice', daysToSync: 14, useSsl: false, syncSchedule: 30, contentTypes: ['email', 'calendar'], authMethod: 'password' },
    });
    expect(account!.id).toMatch(/^\.\/User\/Vendor\/MSFT\/ActiveSync\/Accounts\/%7B[0-9A-F-]{36}%7D$/);
    expect(account!.managedBy).toBe(decodeURIComponent(account!.id.split('/').pop()!));
    // The server's profile id is not on the wire: the device learns it from the server's report.
    expect(device.profileIdOf(account!)).toBeUndefined();
    device.learnFromServer(installed as unknown as Record<string, unknown>);
    expect(device.profileIdOf(account!)).toBe(profile.id);
    expect(await device.managedProfileIds()).toEqual([profile.id]);
    // Answered before the device knew whose account it was: no profile id; later answers name it.
    expect(events.filter((e) => e.profileAction)).toEqual([{ requestType: 'Atomic', status: '200', outcome: 'success', profileAction: 'install', commandId: expect.any(String) }]);

    await world.admin.patch(`/email-profiles/${profile.id}`, { daysToSync: 'unlimited', accountName: 'Contoso' });
    await eventually(() => world.serverDevice(device.deviceId), (v) => v.profiles[0]?.installedVersion === 2);
    await settle(world, device);
    const [edited] = await device.mailAccounts();
    expect(edited).toMatchObject({ id: account!.id, createdAt: account!.createdAt, settings: { accountName: 'Contoso', daysToSync: 'unlimited', useSsl: false } });

    await world.admin.put(`/email-profiles/${profile.id}/deployment`, { groupIds: [] });
    await eventually(() => world.serverDevice(device.deviceId), (v) => v.profiles[0]?.state === 'removed');
    await settle(world, device);
    expect(await device.mailAccounts()).toEqual([]);
    expect(device.tree.exists(account!.id)).toBe(false);
    expect(events.filter((e) => e.profileAction).map((e) => `${e.requestType} ${e.status} ${e.profileAction} ${e.profileId ?? '-'}`)).toEqual([
      'Atomic 200 install -',
      `Atomic 200 install ${profile.id}`,
      `Delete 200 remove ${profile.id}`,
    ]);
  });

  it('replaces the account the user set up with the same address and host, keeps the others, and refuses a hand-made copy of a managed one', async () => {
    const user = await world.newUser('bob@contoso.com');
    const device = await world.newDevice();
    expect((await device.addAccount({ email: 'bob@contoso.com', host: 'MAIL.contoso.com' })).kind).toBe('added');
    expect((await device.addAccount({ email: 'bob@fabrikam.com', host: 'mail.fabrikam.com' })).kind).toBe('added');
    // The user's accounts are ActiveSync account nodes too (Windows 10: the user path).
    const before = await device.mailAccounts();
    expect(before.map((a) => a.id.startsWith('./User/Vendor/MSFT/ActiveSync/Accounts/%7B'))).toEqual([true, true]);
    expect(device.tree.value(`${before[0]!.id}/EmailAddress`)).toBe('bob@contoso.com');

    await device.enroll(await world.ticket(user.userId));
    await world.deploy([user.groupId]);
    await eventually(() => world.serverDevice(device.deviceId), (v) => v.profiles.some((p) => p.state === 'installed'));
    await settle(world, device);
    const after = await device.mailAccounts();
    expect(after.map((a) => ({ email: a.email, host: a.host, managed: a.managed, replacedUserAccount: a.replacedUserAccount ?? false }))).toEqual([
      { email: 'bob@fabrikam.com', host: 'mail.fabrikam.com', managed: false, replacedUserAccount: false },
      { email: 'bob@contoso.com', host: 'mail.contoso.com', managed: true, replacedUserAccount: true },
    ]);
    expect(device.tree.exists(before[0]!.id)).toBe(false);

    const refused = await device.addAccount({ email: 'BOB@contoso.com', host: 'mail.contoso.com' });
    expect(refused.kind).toBe('refusedDuplicate');
    expect(await device.mailAccounts()).toEqual(after);
    expect((await device.removeAccount({ email: 'bob@contoso.com', host: 'mail.contoso.com' })).kind).toBe('refusedManaged');
    expect((await device.removeAccount({ email: 'bob@fabrikam.com', host: 'mail.fabrikam.com' })).kind).toBe('removed');
    expect((await device.mailAccounts()).map((a) => a.email)).toEqual(['bob@contoso.com']);
  });

  it('opens a session with Alert 1200 when the server pushes, and catches up on what it missed while offline', async () => {
    const user = await world.newUser('carol@contoso.com');
    const device = await world.newDevice();
    await device.enroll(await world.ticket(user.userId));
    await settle(world, device);
    expect(device.pushToken).toMatch(/^[0-9a-f]{64}$/);
    const sent = messagesOf(device.deviceId).length;

    // Nothing but the push brings the device to the server (no scheduled sessions in tests).
    const first = await world.deploy([user.groupId]);
    await eventually(() => world.serverDevice(device.deviceId), (v) => v.profiles.some((p) => p.state === 'installed'));
    const pushed = messagesOf(device.deviceId).slice(sent);
    expect(pushed[0]).toContain('<Data>1200</Data>');

    await device.setOnline(false);
    const second = await world.deploy([user.groupId], { host: 'mail2.contoso.com' });
    const held = await eventually(() => world.serverDevice(device.deviceId), (v) => v.pendingCommands > 0);
    expect(held.profiles.find((p) => p.profileId === second.id)?.state).toBe('pending');
    await device.setOnline(true);
    const view = await eventually(() => world.serverDevice(device.deviceId), (v) => v.profiles.every((p) => p.state === 'installed'));
    await settle(world, device);
    expect(view.profiles.map((p) => p.profileId).sort()).toEqual([first.id, second.id].sort());
    expect((await device.mailAccounts()).map((a) => a.host).sort()).toEqual(['mail.contoso.com', 'mail2.contoso.com']);
  });

  it('opens a session of its own (Alert 1201) when it comes back online, even with nothing held for it', async () => {
    const user = await world.newUser('frank@contoso.com');
    const device = await world.newDevice();
    await device.enroll(await world.ticket(user.userId));
    await settle(world, device);
    await device.setOnline(false);
    const before = messagesOf(device.deviceId).length;
    await device.setOnline(true);
    await device.whenIdle(10_000);
    const [opening] = messagesOf(device.deviceId).slice(before);
    expect(opening).toContain('<Data>1201</Data>');
  });

  it('tells the server when its user unenrolls (Alert 1226): the managed accounts and the DM account go, the user\'s account stays', async () => {
    const user = await world.newUser('dave@contoso.com');
    const device = await world.newDevice();
    await device.addAccount({ email: 'dave@outlook.com', host: 'outlook.office365.com' });
    await device.enroll(await world.ticket(user.userId));
    const profile = await world.deploy([user.groupId]);
    await eventually(() => world.serverDevice(device.deviceId), (v) => v.profiles.some((p) => p.state === 'installed'));
    await settle(world, device);
    const unenrolled = new Promise<void>((r) => device.on('unenrolled', () => r()));
    const before = messagesOf(device.deviceId).length;

    await device.unenroll();
    await unenrolled;
    const [alert] = messagesOf(device.deviceId).slice(before);
    expect(alert).toContain('<Data>1226</Data>');
    expect(alert).toContain('com.microsoft:mdm.unenrollment.userrequest');
    const view = await world.serverDevice(device.deviceId);
    expect(view.status).toBe('unenrolled');
    expect(view.profiles).toEqual([expect.objectContaining({ profileId: profile.id, state: 'removed' })]);
    expect(device.isEnrolled()).toBe(false);
    expect((await device.mailAccounts()).map((a) => ({ email: a.email, managed: a.managed }))).toEqual([{ email: 'dave@outlook.com', managed: false }]);
    expect(device.tree.children('./SyncML/DMAcc')).toEqual([]);
    expect(device.tree.exists('./Vendor/MSFT/DMClient/Provider/mdmlab')).toBe(false);
    expect(device.isIdle()).toBe(true);

    // It can enroll again (the server heard it leave).
    await device.enroll(await world.ticket(user.userId));
    await eventually(() => world.serverDevice(device.deviceId), (v) => v.status === 'enrolled' && v.profiles.some((p) => p.state === 'installed'));
  });

  it('resumes from its state folder: enrolled, the same DeviceID, tree, accounts and push channel, and keeps talking to the server', async () => {
    const user = await world.newUser('erin@contoso.com');
    const dir = world.tempDir();
    const device = await world.newDevice({ stateDir: dir, seed: 'erin-laptop' });
    await device.addAccount({ email: 'erin@fabrikam.com', host: 'mail.fabrikam.com' });
    await device.enroll(await world.ticket(user.userId));
    await world.deploy([user.groupId]);
    await eventually(() => world.serverDevice(device.deviceId), (v) => v.profiles.some((p) => p.state === 'installed'));
    await settle(world, device);
    const accounts = await device.mailAccounts();
    const token = device.pushToken;
    await device.stop();

    const again = await world.newDevice({ stateDir: dir, seed: 'another seed' });
    expect(again.isEnrolled()).toBe(true);
    expect(again.deviceId).toBe(device.deviceId);
    expect(again.pushToken).toBe(token);
    expect(await again.mailAccounts()).toEqual(accounts);
    await again.whenIdle(10_000);
    // A session with the nonce it kept, and a profile delivered by push to the resumed device.
    await again.checkIn();
    await world.deploy([user.groupId], { host: 'mail2.contoso.com' });
    await eventually(() => world.serverDevice(again.deviceId), (v) => v.profiles.length === 2 && v.profiles.every((p) => p.state === 'installed'));
    await settle(world, again);
    expect((await again.mailAccounts()).map((a) => a.host)).toEqual(['mail.fabrikam.com', 'mail.contoso.com', 'mail2.contoso.com']);
    await again.stop();

    const third = await WindowsDevice.create({ stateDir: dir, http: world.http, pollIntervalMs: 0 });
    expect((await third.mailAccounts()).map((a) => a.host)).toEqual(['mail.fabrikam.com', 'mail.contoso.com', 'mail2.contoso.com']);
    await third.stop();
  });
});
