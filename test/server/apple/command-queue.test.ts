import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { anySigner, issuedBy, verifyCms } from '../../../certs/cms-verify.js';
import { parseConfigurationProfile, payloadsOfType } from '../../../protocol/apple/configuration-profile.js';
import { duplicateAccountChain } from '../../../protocol/apple/errors-catalogue.js';
import { decodeEasPayload } from '../../../protocol/apple/payloads/eas-account.js';
import { offlinePushToken } from '../../helpers/push-token.js';
import { CHECKIN, enrolledOverWire, sendReport, signedPut, type WireIdentity } from '../../helpers/apple-wire.js';
import { encodeCheckIn } from '../../../protocol/apple/checkin.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * The command loop at the wire: what the server queues, hands out and records for each answer.
 * (The simulated iOS device drives the same loop with real device semantics in test/agents/ios.)
 */
let server: TestServer;
const dataDirs: string[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'mdmlab-cmd-'));
afterAll(async () => {
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
  dataDirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const enrolledDevice = (upn: string, pushToken?: Buffer) => enrolledOverWire(server, upn, pushToken);
const report = sendReport;

async function deviceOf(id: WireIdentity) {
  const list = (await server.api.get('/devices').expect(200)).body as { id: string; hardwareId: string }[];
  const d = list.find((x) => x.hardwareId === id.udid)!;
  return (await server.api.get(`/devices/${d.id}`).expect(200)).body;
}

async function deployTo(upn: string, profile: Record<string, unknown>): Promise<{ profileId: string; groupId: string }> {
  const user = (await server.api.get(`/users?upn=${upn}`).expect(200)).body[0];
  const group = (await server.api.post('/groups', { name: `g-${upn}-${randomBytes(3).toString('hex')}` }).expect(201)).body;
  await server.api.post(`/groups/${group.id}/members`, { users: [user.id] }).expect(200);
  const p = (await server.api.post('/email-profiles', { platform: 'ios', name: `p-${randomBytes(4).toString('hex')}`, host: 'mail.contoso.com', accountName: 'Corp', ...profile }).expect(201)).body;
  await server.api.put(`/email-profiles/${p.id}/deployment`, { groupIds: [group.id] }).expect(200);
  return { profileId: p.id, groupId: group.id };
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mdmlab-cmdsrv-'));
  dataDirs.push(dir);
  server = await startTestServer({ dataDir: dir });
});

describe('InstallProfile', () => {
  it('is queued on deployment, handed out on Idle, signed so openssl verifies it, addressed to the user, and installed on Acknowledged', async () => {
    const id = await enrolledDevice('ann@contoso.com');
    const { profileId } = await deployTo('ann@contoso.com', { daysToSync: 14, contentTypes: ['email', 'calendar'], allowSendFromThirdPartyApps: false });
    expect((await deviceOf(id)).profiles).toMatchObject([{ profileId, state: 'pending' }]);
    const cmd = await report(id, { Status: 'Idle' });
    expect(cmd?.Command.RequestType).toBe('InstallProfile');
    if (cmd?.Command.RequestType !== 'InstallProfile') throw new Error('unreachable');

    const der = join(tmp, 'profile.der');
    writeFileSync(der, cmd.Command.Payload);
    writeFileSync(join(tmp, 'ca.pem'), server.identity.ca.certPem);
    const out = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', der, '-CAfile', join(tmp, 'ca.pem'), '-purpose', 'any', '-out', '/dev/null'], { encoding: 'utf8' });
    expect(out.status, out.stderr).toBe(0);

    const profile = parseConfigurationProfile(verifyCms(cmd.Command.Payload, { acceptSigner: issuedBy([server.identity.ca.certDer]) }).content);
    expect(profile.identifier).toBe(`com.mdmlab.email.${profileId}`);
    const eas = decodeEasPayload(payloadsOfType(profile, 'com.apple.eas.account')[0]!);
    expect(eas).toMatchObject({ email: 'ann@contoso.com', host: 'mail.contoso.com', username: 'ann@contoso.com', daysToSync: 14, preventAppSheet: true });
    expect(eas.enabled).toMatchObject({ mail: true, calendars: true, contacts: false, reminders: false, notes: false });

    expect(await report(id, { Status: 'Acknowledged', CommandUUID: cmd.CommandUUID })).toBeUndefined();
    const device = await deviceOf(id);
    expect(device).toMatchObject({ compliance: 'compliant', pendingCommands: 0, profiles: [{ profileId, state: 'installed' }] });
  });

  it('blocked by a duplicate account: state blocked, device non-compliant, a duplicateAccount alert with guidance; the next Idle retries it', async () => {
    const id = await enrolledDevice('ben@contoso.com');
    const { profileId } = await deployTo('ben@contoso.com', {});
    const cmd = (await report(id, { Status: 'Idle' }))!;
    expect(await report(id, { Status: 'Error', CommandUUID: cmd.CommandUUID, ErrorChain: duplicateAccountChain('ben@contoso.com', 'mail.contoso.com') })).toBeUndefined();
    const device = await deviceOf(id);
    expect(device).toMatchObject({ compliance: 'nonCompliant', profiles: [{ profileId, state: 'blocked' }] });
    expect(device.profiles[0].detail).toContain('21005');
    const alerts = (await server.api.get(`/alerts?deviceId=${device.id}`).expect(200)).body;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'duplicateAccount', profileId, details: { user: 'ben@contoso.com', email: 'ben@contoso.com', host: 'mail.contoso.com' } });
    expect(alerts[0].message).toMatch(/remove the manual account/i);
    expect(alerts[0].message).toMatch(/enroll/i);
    const status = (await server.api.get('/status').expect(200)).body.profiles.find((p: { profileId: string }) => p.profileId === profileId);
    expect(status.counts).toMatchObject({ blocked: 1, installed: 0 });

    // The user removes the manual account; the device checks in: the server tries again.
    const retry = await report(id, { Status: 'Idle' });
    expect(retry?.Command.RequestType).toBe('InstallProfile');
    await report(id, { Status: 'Acknowledged', CommandUUID: retry!.CommandUUID });
    expect(await deviceOf(id)).toMatchObject({ compliance: 'compliant', profiles: [{ state: 'installed' }], alerts: [] });
  });

  it('any other error fails the profile with the device\'s words; it is retried only for a new version', async () => {
    const id = await enrolledDevice('cid@contoso.com');
    const { profileId } = await deployTo('cid@contoso.com', { contentTypes: [] });
    const cmd = (await report(id, { Status: 'Idle' }))!;
    await report(id, { Status: 'Error', CommandUUID: cmd.CommandUUID, ErrorChain: [{ ErrorCode: 21009, ErrorDomain: 'MCEASErrorDomain', LocalizedDescription: 'No services enabled' }] });
    const device = await deviceOf(id);
    expect(device).toMatchObject({ compliance: 'nonCompliant', profiles: [{ state: 'failed' }] });
    expect(device.profiles[0].detail).toContain('21009');
    // The profile itself is at fault: checking in again does not resend it…
    expect(await report(id, { Status: 'Idle' })).toBeUndefined();
    // …a new version does.
    await server.api.patch(`/email-profiles/${profileId}`, { contentTypes: ['email'] }).expect(200);
    const cmd2 = (await report(id, { Status: 'Idle' }))!;
    expect(cmd2.Command.RequestType).toBe('InstallProfile');
    await report(id, { Status: 'CommandFormatError', CommandUUID: cmd2.CommandUUID });
    expect((await deviceOf(id)).profiles[0]).toMatchObject({ state: 'failed', profileVersion: 2 });
    expect((await deviceOf(id)).profiles[0].detail).toContain('CommandFormatError');
  });
});

describe('NotNow, pruning and restarts', () => {
  it('NotNow keeps the command; the same report skips it; the next Idle gets it again', async () => {
    const id = await enrolledDevice('dee@contoso.com');
    await deployTo('dee@contoso.com', {});
    await server.api.post(`/devices/${(await deviceOf(id)).id}/commands`, { requestType: 'ProfileList' }).expect(201);
    const first = (await report(id, { Status: 'Idle' }))!;
    expect(first.Command.RequestType).toBe('InstallProfile');
    const afterNotNow = (await report(id, { Status: 'NotNow', CommandUUID: first.CommandUUID }))!;
    expect(afterNotNow.Command.RequestType).toBe('ProfileList');
    expect(await report(id, { Status: 'NotNow', CommandUUID: afterNotNow.CommandUUID })).toBeUndefined();
    const again = (await report(id, { Status: 'Idle' }))!;
    expect(again.CommandUUID).toBe(first.CommandUUID);
    await report(id, { Status: 'Acknowledged', CommandUUID: again.CommandUUID });
    const list = (await report(id, { Status: 'Idle' }))!;
    expect(list.Command.RequestType).toBe('ProfileList');
    await report(id, { Status: 'Acknowledged', CommandUUID: list.CommandUUID, ProfileList: [{ PayloadIdentifier: 'com.mdmlab.email.x', PayloadUUID: 'U', IsManaged: true, PayloadContent: [] } as never] });
    const device = await deviceOf(id);
    expect(device.pendingCommands).toBe(0);
    expect(device.apple.installedProfiles).toEqual([{ identifier: 'com.mdmlab.email.x', uuid: 'U', managed: true }]);
    expect((await server.api.get(`/devices/${device.id}/commands`).expect(200)).body.queued).toEqual([]);
  });

  it('ignores results for commands the device does not have', async () => {
    const id = await enrolledDevice('eve@contoso.com');
    expect(await report(id, { Status: 'Acknowledged', CommandUUID: 'NOT-A-COMMAND' })).toBeUndefined();
  });

  it('a command survives a server restart between being sent and being answered', async () => {
    const id = await enrolledDevice('fay@contoso.com');
    const { profileId } = await deployTo('fay@contoso.com', {});
    const cmd = (await report(id, { Status: 'Idle' }))!;
    await server.stop({ keepData: true });
    server = await startTestServer({ dataDir: server.dataDir });
    // The certificate cache is gone with the process: the binding comes from the database.
    id.mdm = { ...id.mdm, serverUrl: `${server.url}/mdm/connect`, checkInUrl: `${server.url}/mdm/checkin` };
    await report(id, { Status: 'Acknowledged', CommandUUID: cmd.CommandUUID });
    expect((await deviceOf(id)).profiles).toMatchObject([{ profileId, state: 'installed' }]);
  });
});

describe('withdrawal and push', () => {
  it('undeploying queues RemoveProfile for an installed profile; Acknowledged records removed', async () => {
    const id = await enrolledDevice('gus@contoso.com');
    const { profileId } = await deployTo('gus@contoso.com', {});
    const cmd = (await report(id, { Status: 'Idle' }))!;
    await report(id, { Status: 'Acknowledged', CommandUUID: cmd.CommandUUID });
    await server.api.put(`/email-profiles/${profileId}/deployment`, { groupIds: [] }).expect(200);
    const rm = (await report(id, { Status: 'Idle' }))!;
    expect(rm.Command).toEqual({ RequestType: 'RemoveProfile', Identifier: `com.mdmlab.email.${profileId}` });
    await report(id, { Status: 'Acknowledged', CommandUUID: rm.CommandUUID });
    expect((await deviceOf(id)).profiles).toMatchObject([{ profileId, state: 'removed' }]);
    expect((await server.api.get('/status').expect(200)).body.profiles.find((p: { profileId: string }) => p.profileId === profileId).counts.removed).toBe(1);
  });

  it('undeploying a profile still waiting in the queue just cancels it', async () => {
    const id = await enrolledDevice('hal@contoso.com');
    const { profileId } = await deployTo('hal@contoso.com', {});
    await server.api.put(`/email-profiles/${profileId}/deployment`, { groupIds: [] }).expect(200);
    expect(await report(id, { Status: 'Idle' })).toBeUndefined();
    expect((await deviceOf(id)).profiles).toEqual([]);
  });

  it('wakes the device through the push gateway with {"mdm": PushMagic}; held while offline, delivered on connect', async () => {
    // The gateway holds only for tokens it issued: take one, as a device does before TokenUpdate.
    const token = Buffer.from(await offlinePushToken(server), 'hex');
    const id = await enrolledDevice('ivy@contoso.com', token);
    await deployTo('ivy@contoso.com', {});
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/push`);
    const messages: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connect', token: token.toString('hex') })));
      ws.on('message', (d) => {
        messages.push(JSON.parse(d.toString()));
        if (messages.length === 2) resolve();
      });
      ws.on('error', reject);
    });
    ws.close();
    expect(messages).toEqual([
      { type: 'token', token: token.toString('hex') },
      { type: 'notification', topic: id.mdm.topic, payload: { mdm: `pm-${id.udid}` } },
    ]);
  });
});

describe('a new push token', () => {
  it('wakes the device when work waits: wake-ups sent to the old token were lost with it', async () => {
    const old = Buffer.from(await offlinePushToken(server), 'hex');
    const id = await enrolledDevice('ned@contoso.com', old);
    await deployTo('ned@contoso.com', {});
    // The device comes back with another token (its old one was refused, say) and tells the server.
    const fresh = await offlinePushToken(server);
    const as = { key: id.key, certDer: id.certDer };
    await signedPut(id.mdm.checkInUrl!, CHECKIN, encodeCheckIn({ MessageType: 'TokenUpdate', Topic: id.mdm.topic, UDID: id.udid, Token: Buffer.from(fresh, 'hex'), PushMagic: `pm-${id.udid}` }), as).expect(200);
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/push`);
    const messages: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connect', token: fresh })));
      ws.on('message', (d) => {
        messages.push(JSON.parse(d.toString()));
        if (messages.length === 2) resolve();
      });
      ws.on('error', reject);
    });
    ws.close();
    expect(messages[1]).toEqual({ type: 'notification', topic: id.mdm.topic, payload: { mdm: `pm-${id.udid}` } });
  });
});

describe('InstallProfile built when the device fetches it', () => {
  it('is signed only when handed out: an edit made after the deployment reaches the device as the newest version, and a re-sent command carries the same bytes', async () => {
    const id = await enrolledDevice('edie@contoso.com');
    const { profileId } = await deployTo('edie@contoso.com', { daysToSync: 7 });
    const before = (await server.api.get(`/devices/${(await deviceOf(id)).id}/commands`).expect(200)).body.queued;
    expect(before).toMatchObject([{ requestType: 'InstallProfile', profileId, profileVersion: 1, status: 'queued' }]);
    await server.api.patch(`/email-profiles/${profileId}`, { daysToSync: 14 }).expect(200);
    const cmd = await report(id, { Status: 'Idle' });
    if (cmd?.Command.RequestType !== 'InstallProfile') throw new Error('expected an InstallProfile');
    const eas = decodeEasPayload(payloadsOfType(parseConfigurationProfile(verifyCms(cmd.Command.Payload, { acceptSigner: anySigner }).content), 'com.apple.eas.account')[0]!);
    expect(eas.daysToSync).toBe(14);
    const queued = (await server.api.get(`/devices/${(await deviceOf(id)).id}/commands`).expect(200)).body.queued;
    expect(queued).toMatchObject([{ uuid: cmd.CommandUUID, profileVersion: 2, status: 'sent' }]);
    // Handed out again (no answer yet): the very same bytes, not a second signature.
    const again = await report(id, { Status: 'Idle' });
    expect(again?.CommandUUID).toBe(cmd.CommandUUID);
    if (again?.Command.RequestType !== 'InstallProfile') throw new Error('expected an InstallProfile');
    expect(Buffer.compare(again.Command.Payload, cmd.Command.Payload)).toBe(0);
    expect(await report(id, { Status: 'Acknowledged', CommandUUID: cmd.CommandUUID })).toBeUndefined();
    expect((await deviceOf(id)).profiles).toMatchObject([{ profileId, state: 'installed', installedVersion: 2 }]);
  });
});

