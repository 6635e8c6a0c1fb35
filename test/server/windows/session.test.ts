import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_TYPE_GUIDS } from '../../../protocol/windows/activesync/account-nodes.js';
import { unenrollmentAlert } from '../../../protocol/windows/syncml/alert-codes.js';
import type { ContainerCommand, ItemCommand, StatusCommand, SyncMLCommand, SyncMLMessage } from '../../../protocol/windows/syncml/types.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { connectPush, deployProfile, deviceOf, enrollWindows, hdrStatus, serverCommands, WireDmClient, type PushConnection } from './windows-wire.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

const PUSH = './Device/Vendor/MSFT/DMClient/Provider/mdmlab/Push';
const ACCOUNT = /^\.\/User\/Vendor\/MSFT\/ActiveSync\/Accounts\/%7B([0-9A-F-]{36})%7D$/;

/** A Windows 10 device enrolled, its first session done with a push channel; ready for profiles. */
async function onlineDevice(upn: string, platform: 'windows10' | 'windowsPhone81' = 'windows10'): Promise<{ client: WireDmClient; push: PushConnection }> {
  const client = new WireDmClient(server, await enrollWindows(server, upn, { platform }));
  const push = await connectPush(server);
  const first = await client.open();
  const done = await client.next(client.answer(first, () => 200, (target) => (target.endsWith('/ChannelURI') ? push.channelUri : undefined)));
  expect(serverCommands(done)).toEqual([]);
  return { client, push };
}

const atomics = (reply: SyncMLMessage) => serverCommands(reply).filter((c): c is ContainerCommand => c.kind === 'Atomic');
const items = (atomic: ContainerCommand) => atomic.commands.map((c) => c as ItemCommand);
const guidOf = (atomic: ContainerCommand): string => {
  for (const c of items(atomic)) {
    const t = c.items[0]!.target!;
    const m = /Accounts\/%7B([0-9A-F-]{36})%7D/.exec(t);
    if (m) return m[1]!;
  }
  throw new Error('no account in the Atomic');
};

/** Opens a session as after a push (Alert 1200) and answers every command with `code` until the server has nothing left. */
async function syncSession(client: WireDmClient, code: (c: SyncMLCommand, parent?: SyncMLCommand) => number = () => 200): Promise<SyncMLMessage[]> {
  const replies = [await client.open(1200)];
  while (serverCommands(replies.at(-1)!).length > 0) replies.push(await client.next(client.answer(replies.at(-1)!, code)));
  return replies;
}

describe('the first session', () => {
  it('completes the enrollment: the SyncHdr Status first with the next nonce, one Status per command, the DMClient push commands, Final', async () => {
    const client = new WireDmClient(server, await enrollWindows(server, 'first@contoso.com'));
    const reply = await client.open();
    expect(reply.header).toMatchObject({ sessionId: '1', msgId: '1', target: { locUri: client.device.deviceId }, source: { locUri: client.device.managementUrl } });
    const hdr = hdrStatus(reply);
    expect(hdr).toMatchObject({ msgRef: '1', cmdRef: '0', code: 200, chal: { type: 'syncml:auth-md5', format: 'b64' } });
    expect(Buffer.from(hdr.chal!.nextNonce!, 'base64')).toHaveLength(16);
    const statuses = reply.commands.slice(1).filter((c): c is StatusCommand => c.kind === 'Status');
    expect(statuses.map((s) => [s.cmdRef, s.cmd, s.code])).toEqual([
      ['1', 'Alert', 200],
      ['2', 'Alert', 200],
      ['3', 'Replace', 200],
    ]);
    expect(serverCommands(reply).map((c) => [c.kind, (c as ItemCommand).items[0]!.target, (c as ItemCommand).items[0]!.data])).toEqual([
      ['Replace', `${PUSH}/PFN`, 'mdmlab.wns'],
      ['Get', `${PUSH}/ChannelURI`, undefined],
    ]);
    expect(reply.final).toBe(true);
    // CmdIDs are unique within the message.
    const ids = reply.commands.map((c) => c.cmdId);
    expect(new Set(ids).size).toBe(ids.length);

    const device = await deviceOf(server, client.device.deviceId);
    expect(device).toMatchObject({ status: 'enrolled', model: 'Surface Laptop 4', windows: { devInfo: { DevId: client.device.deviceId, Man: 'Contoso Ltd.', DmV: '1.3', Lang: 'en-US' }, loginStatus: 'user', lastSession: { sessionId: '1', messages: 1, ended: false } } });

    const push = await connectPush(server);
    const end = await client.next(client.answer(reply, () => 200, () => push.channelUri));
    expect(serverCommands(end)).toEqual([]);
    expect(end.final).toBe(true);
    const after = await deviceOf(server, client.device.deviceId);
    expect(after.windows).toMatchObject({ push: { pfnSet: true, channelUri: `${server.url}/push/wns/…` }, lastSession: { messages: 2, ended: true } });
    expect(JSON.stringify(after)).not.toContain(push.token);
    // An idle session of a device with a fresh channel is one message and a status-only reply.
    const idle = await client.open();
    expect(serverCommands(idle)).toEqual([]);
    expect(idle.final).toBe(true);
    await push.close();
  });
});

describe('profiles on a Windows 10 device', () => {
  it('a deployment wakes the device on its channel and installs the account in one Atomic of Adds, under the GUID the server keeps', async () => {
    const { client, push } = await onlineDevice('deploy@contoso.com');
    const woken = push.next();
    const { profileId } = await deployProfile(server, 'deploy@contoso.com', 'windows10', 'w10 corp', { daysToSync: 14, syncSchedule: 30, contentTypes: ['email', 'calendar'] });
    expect((await woken).topic).toBe('wns');

    const reply = await client.open(1200);
    const [atomic] = atomics(reply);
    expect(atomic).toBeDefined();
    const adds = items(atomic!);
    expect(adds.every((c) => c.kind === 'Add')).toBe(true);
    const account = adds[0]!.items[0]!;
    expect(account.target).toMatch(ACCOUNT);
    expect(account.meta?.format).toBe('node');
    const guid = guidOf(atomic!);
    const leaves = Object.fromEntries(adds.slice(1).map((c) => [c.items[0]!.target!.replace(`./User/Vendor/MSFT/ActiveSync/Accounts/%7B${guid}%7D/`, ''), c.items[0]!.data]));
    expect(leaves).toEqual({
      EmailAddress: 'deploy@contoso.com',
      ServerName: 'mail.contoso.com',
      UserName: 'deploy@contoso.com',
      AccountName: 'w10 corp mail',
      AccountType: 'Exchange',
      'Options/UseSSL': '1',
      'Options/MailAgeFilter': '4',
      'Options/Schedule': '30',
      [`Options/ContentTypes/%7B${CONTENT_TYPE_GUIDS.email}%7D/Enabled`]: '1',
      [`Options/ContentTypes/%7B${CONTENT_TYPE_GUIDS.contacts}%7D/Enabled`]: '0',
      [`Options/ContentTypes/%7B${CONTENT_TYPE_GUIDS.calendar}%7D/Enabled`]: '1',
      [`Options/ContentTypes/%7B${CONTENT_TYPE_GUIDS.tasks}%7D/Enabled`]: '0',
    });
    expect((await deviceOf(server, client.device.deviceId)).profiles[0]).toMatchObject({ profileId, state: 'pending' });

    const end = await client.next(client.answer(reply));
    expect(serverCommands(end)).toEqual([]);
    const device = await deviceOf(server, client.device.deviceId);
    expect(device.profiles[0]).toMatchObject({ profileId, state: 'installed', installedVersion: 1 });
    const history = (await server.api.get(`/devices/${device.id}/commands`).expect(200)).body;
    expect(history.queued).toEqual([]);
    expect(history.history[0]).toMatchObject({ requestType: 'InstallProfile', status: '200', profileId, operation: 'add', accountGuid: guid });
    expect(history.history[0].statuses[0]).toMatchObject({ cmd: 'Atomic', code: 200 });
    expect(history.history[0].statuses).toHaveLength(14); // the Atomic, the account node, 12 leaves
    await push.close();
  });

  it('a new version replaces the leaves of the same account (never AccountType), and an undeploy deletes the account node', async () => {
    const { client, push } = await onlineDevice('edit@contoso.com');
    const { profileId, groupId } = await deployProfile(server, 'edit@contoso.com', 'windows10', 'w10 edit');
    const install = await syncSession(client);
    const guid = guidOf(atomics(install[0]!)[0]!);

    await server.api.patch(`/email-profiles/${profileId}`, { accountName: 'Renamed', daysToSync: 'unlimited' }).expect(200);
    const update = await syncSession(client);
    const replaces = items(atomics(update[0]!)[0]!);
    expect(replaces.every((c) => c.kind === 'Replace')).toBe(true);
    expect(guidOf(atomics(update[0]!)[0]!)).toBe(guid);
    const targets = replaces.map((c) => c.items[0]!.target!);
    expect(targets.some((t) => t.endsWith('/AccountType'))).toBe(false);
    expect(replaces.find((c) => c.items[0]!.target!.endsWith('/AccountName'))!.items[0]!.data).toBe('Renamed');
    expect(replaces.find((c) => c.items[0]!.target!.endsWith('/Options/MailAgeFilter'))!.items[0]!.data).toBe('0');
    expect((await deviceOf(server, client.device.deviceId)).profiles[0]).toMatchObject({ state: 'installed', profileVersion: 2, installedVersion: 2 });

    await server.api.put(`/email-profiles/${profileId}/deployment`, { groupIds: [] }).expect(200);
    const removal = await syncSession(client);
    expect(serverCommands(removal[0]!)).toEqual([{ kind: 'Delete', cmdId: expect.any(String), items: [{ target: `./User/Vendor/MSFT/ActiveSync/Accounts/%7B${guid}%7D` }] }]);
    const device = await deviceOf(server, client.device.deviceId);
    expect(device.profiles[0]).toMatchObject({ state: 'removed' });
    expect(device.profiles[0].installedVersion).toBeUndefined();
    expect(await server.store.windowsAccounts.forDevice(device.id)).toEqual([]);
    const history = (await server.api.get(`/devices/${device.id}/commands`)).body.history as { requestType: string; operation: string }[];
    expect(history.map((h) => `${h.requestType}/${h.operation}`)).toEqual(['RemoveProfile/delete', 'InstallProfile/replace', 'InstallProfile/add']);
    await server.api.delete(`/groups/${groupId}`).expect(204);
    await push.close();
  });

  it('a refusal of the device fails the profile with its SyncML words (507, the failing command and its code)', async () => {
    const { client, push } = await onlineDevice('refuse@contoso.com');
    const { profileId } = await deployProfile(server, 'refuse@contoso.com', 'windows10', 'w10 refused');
    await syncSession(client, (c, parent) => (c.kind === 'Atomic' ? 507 : parent && (c as ItemCommand).items[0]!.target!.endsWith('/ServerName') ? 405 : parent ? 216 : 200));
    const device = await deviceOf(server, client.device.deviceId);
    const state = device.profiles.find((p: { profileId: string }) => p.profileId === profileId);
    expect(state.state).toBe('failed');
    expect(state.detail).toMatch(/^SyncML 507 \(Atomic failed.*\): Add \.\/User\/Vendor\/MSFT\/ActiveSync\/Accounts\/%7B.*%7D\/ServerName → 405$/);
    const history = (await server.api.get(`/devices/${device.id}/commands`)).body.history;
    expect(history[0]).toMatchObject({ status: '507', requestType: 'InstallProfile' });
    // A failed profile is retried with its next version only: the next session is idle.
    expect(serverCommands(await client.open())).toEqual([]);
    await push.close();
  });

  it('418 on the account node: the device deleted the account (ActiveSync CSP), so the install goes out again under a new GUID', async () => {
    const { client, push } = await onlineDevice('exists@contoso.com');
    const { profileId } = await deployProfile(server, 'exists@contoso.com', 'windows10', 'w10 exists');
    const first = await client.open(1200);
    const firstGuid = guidOf(atomics(first)[0]!);
    let answered = 0;
    const second = await client.next(client.answer(first, (c, parent) => (c.kind === 'Atomic' ? 507 : parent && answered++ === 0 ? 418 : 216)));
    const again = atomics(second)[0]!;
    expect(again).toBeDefined();
    expect(items(again)[0]!.kind).toBe('Add');
    expect(guidOf(again)).not.toBe(firstGuid);
    expect((await deviceOf(server, client.device.deviceId)).profiles[0]).toMatchObject({ profileId, state: 'pending' });
    await client.next(client.answer(second));
    const device = await deviceOf(server, client.device.deviceId);
    expect(device.profiles[0]).toMatchObject({ state: 'installed' });
    const history = (await server.api.get(`/devices/${device.id}/commands`)).body.history;
    expect(history.map((h: { status: string; reissued?: boolean }) => [h.status, h.reissued ?? false])).toEqual([['200', false], ['507', true]]);
    await push.close();
  });

  it('a user whose user name changed gets the account again under a new GUID (a synced account keeps its UserName)', async () => {
    const { client, push } = await onlineDevice('rename@contoso.com');
    const { userId } = await deployProfile(server, 'rename@contoso.com', 'windows10', 'w10 rename', { usernameSource: 'username' });
    const install = await syncSession(client);
    const guid = guidOf(atomics(install[0]!)[0]!);
    await server.api.patch(`/users/${userId}`, { username: 'CONTOSO\\renamed' }).expect(200);
    const again = await syncSession(client);
    const recreate = items(atomics(again[0]!)[0]!);
    expect(recreate[0]).toMatchObject({ kind: 'Delete', items: [{ target: `./User/Vendor/MSFT/ActiveSync/Accounts/%7B${guid}%7D` }] });
    expect(recreate[1]!.kind).toBe('Add');
    expect(guidOf({ ...atomics(again[0]!)[0]!, commands: recreate.slice(1) })).not.toBe(guid);
    expect(recreate.find((c) => c.items[0]!.target!.endsWith('/UserName'))!.items[0]!.data).toBe('CONTOSO\\renamed');
    expect((await deviceOf(server, client.device.deviceId)).profiles[0]).toMatchObject({ state: 'installed' });
    await push.close();
  });
});

describe('Windows Phone 8.1 profiles', () => {
  it('go under the device path ./Vendor/MSFT/ActiveSync, on a Windows Phone 8.1 device and on a Windows 10 device alike', async () => {
    const phone = await onlineDevice('wp@contoso.com', 'windowsPhone81');
    const desktop = await onlineDevice('wp@contoso.com');
    await deployProfile(server, 'wp@contoso.com', 'windowsPhone81', 'wp81 corp', { daysToSync: 30 });
    for (const { client } of [phone, desktop]) {
      const replies = await syncSession(client);
      const adds = items(atomics(replies[0]!)[0]!);
      expect(adds[0]!.items[0]!.target).toMatch(/^\.\/Vendor\/MSFT\/ActiveSync\/Accounts\/%7B[0-9A-F-]{36}%7D$/);
      expect(adds.find((c) => c.items[0]!.target!.endsWith('/Options/MailAgeFilter'))!.items[0]!.data).toBe('5');
      expect((await deviceOf(server, client.device.deviceId)).profiles[0]).toMatchObject({ state: 'installed' });
    }
    // The phone sends no LoginStatus; its session still works.
    expect((await deviceOf(server, phone.client.device.deviceId)).windows.loginStatus).toBeUndefined();
    await phone.push.close();
    await desktop.push.close();
  });
});

describe('unenrollment', () => {
  it('the 1226 user request: the device left management, its profiles are removed, its later messages refused (403)', async () => {
    const { client, push } = await onlineDevice('leave@contoso.com');
    const { profileId } = await deployProfile(server, 'leave@contoso.com', 'windows10', 'w10 leave');
    await syncSession(client);
    const bye = await client.open(1201, [unenrollmentAlert('9')]);
    expect(serverCommands(bye)).toEqual([]);
    expect(bye.commands.find((c) => c.kind === 'Status' && c.cmdRef === '9')).toMatchObject({ code: 200 });
    const device = await deviceOf(server, client.device.deviceId);
    expect(device).toMatchObject({ status: 'unenrolled', windows: { unenrolledAt: expect.any(String) } });
    expect(device.profiles.find((p: { profileId: string }) => p.profileId === profileId)).toMatchObject({ state: 'removed' });
    expect((await server.api.post(`/devices/${device.id}/push`).expect(200)).body).toEqual({ result: 'noToken' });
    const later = await client.open();
    expect(hdrStatus(later).code).toBe(403);
    expect(later.commands).toHaveLength(1);
    await push.close();
  });
});

describe('multi-message packages', () => {
  it('a device message without Final is answered with Alert 1222 and no Final; the server\'s commands follow the last message', async () => {
    const { client, push } = await onlineDevice('multi@contoso.com');
    await deployProfile(server, 'multi@contoso.com', 'windows10', 'w10 multi');
    const part = await client.open(1200, [], { final: false });
    expect(part.final).toBe(false);
    expect(serverCommands(part)).toEqual([{ kind: 'Alert', cmdId: expect.any(String), code: 1222, items: [{ target: client.device.deviceId, source: client.device.managementUrl }] }]);
    const rest = await client.next([{ kind: 'Replace', cmdId: '4', items: [{ source: './Vendor/MSFT/DMClient/HWDevID', data: 'AB'.repeat(32) }] }]);
    expect(rest.final).toBe(true);
    expect(atomics(rest)).toHaveLength(1);
    expect((await deviceOf(server, client.device.deviceId)).windows.devInfo.HWDevID).toBe('AB'.repeat(32));
    await push.close();
  });

  it('more operations than a message holds go out over several messages without Final, continued when the device asks (1222)', async () => {
    const { client, push } = await onlineDevice('split@contoso.com');
    for (let i = 0; i < 4; i++) await deployProfile(server, 'split@contoso.com', 'windows10', `w10 split ${i}`);
    let reply = await client.open(1200, [], { meta: { maxMsgSize: 4096 } });
    const perMessage: number[] = [];
    while (serverCommands(reply).length > 0) {
      perMessage.push(atomics(reply).length);
      expect(reply.final).toBe(atomics(reply).length > 0 && perMessage.reduce((a, b) => a + b, 0) === 4);
      const more = reply.final ? [] : [{ kind: 'Alert' as const, cmdId: '99', code: 1222, items: [] }];
      reply = await client.next([...client.answer(reply), ...more], { meta: { maxMsgSize: 4096 } });
    }
    expect(perMessage.reduce((a, b) => a + b, 0)).toBe(4);
    expect(perMessage.length).toBeGreaterThan(1);
    const device = await deviceOf(server, client.device.deviceId);
    expect(device.profiles.map((p: { state: string }) => p.state)).toEqual(['installed', 'installed', 'installed', 'installed']);
    await push.close();
  });
});
