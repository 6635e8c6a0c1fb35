import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePlist } from '../../../protocol/apple/plist-codec.js';
import { CHECKIN, enrolledOverWire, MDM, sendReport, signedPut, type WireIdentity } from '../../helpers/apple-wire.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * The user channel (macOS users, Shared iPad users) speaks with the device's UDID and identity but
 * marks its messages with UserID, UserShortName, UserLongName, EnrollmentUserID or NotOnConsole
 * (Apple: mdm/checkin/tokenupdate.yaml). mdmlab manages devices only: such a message is refused
 * with a reason and changes nothing, instead of being taken for the device's own.
 */
let server: TestServer;
let id: WireIdentity;
let deviceId: string;
const devicePushToken = randomBytes(32);
const as = () => ({ key: id.key, certDer: id.certDer });

beforeAll(async () => {
  server = await startTestServer();
  id = await enrolledOverWire(server, 'uma@contoso.com', devicePushToken);
  deviceId = (await server.api.get('/devices').expect(200)).body.find((d: { hardwareId: string }) => d.hardwareId === id.udid).id;
  const user = (await server.api.get('/users?upn=uma@contoso.com').expect(200)).body[0];
  const group = (await server.api.post('/groups', { name: 'uma' }).expect(201)).body;
  await server.api.post(`/groups/${group.id}/members`, { users: [user.id] }).expect(200);
  const profile = (await server.api.post('/email-profiles', { platform: 'ios', name: 'uma', host: 'mail.contoso.com', accountName: 'Corp' }).expect(201)).body;
  await server.api.put(`/email-profiles/${profile.id}/deployment`, { groupIds: [group.id] }).expect(200);
});
afterAll(() => server.stop());

const USER_KEYS: [string, Record<string, unknown>][] = [
  ['UserID (macOS user)', { UserID: 'B9AC2A7E-6B1A-4F2E-9A56-2E1C5F6D7A80', UserShortName: 'uma', UserLongName: 'Uma User' }],
  ['UserID alone (Shared iPad: FFFFFFFF-…)', { UserID: 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF' }],
  ['UserShortName alone', { UserShortName: 'uma@contoso.com' }],
  ['UserLongName alone', { UserLongName: 'Uma User' }],
  ['EnrollmentUserID', { EnrollmentUserID: '7A3E2F10-0C4B-4E8D-9F21-6B5A4C3D2E1F' }],
  ['NotOnConsole', { NotOnConsole: false }],
];

describe('user-channel messages', () => {
  it.each(USER_KEYS)('a TokenUpdate with %s is refused (400 userChannelNotSupported) and the device keeps its push token and PushMagic', async (_name, keys) => {
    const body = encodePlist({ MessageType: 'TokenUpdate', Topic: id.mdm.topic, UDID: id.udid, Token: randomBytes(32), PushMagic: 'user-magic', ...keys });
    const res = await signedPut(id.mdm.checkInUrl!, CHECKIN, body, as()).expect(400);
    expect(res.text).toMatch(/^userChannelNotSupported: TokenUpdate: \w+ marks a user-channel message/);
    const apple = await server.store.appleDevices.getByUdid(id.udid);
    expect(apple).toMatchObject({ pushToken: devicePushToken.toString('hex'), pushMagic: `pm-${id.udid}` });
  });

  it.each(USER_KEYS)('an Idle or a result with %s is refused and handed no device command', async (_name, keys) => {
    const queued = async () => (await server.api.get(`/devices/${deviceId}/commands`).expect(200)).body.queued;
    const before = await queued();
    expect(before).toMatchObject([{ requestType: 'InstallProfile', status: 'queued' }]);
    const idle = encodePlist({ Status: 'Idle', UDID: id.udid, ...keys });
    expect((await signedPut(id.mdm.serverUrl, MDM, idle, as()).expect(400)).text).toMatch(/^userChannelNotSupported: /);
    const result = encodePlist({ Status: 'Acknowledged', UDID: id.udid, CommandUUID: before[0].uuid, ...keys });
    expect((await signedPut(id.mdm.serverUrl, MDM, result, as()).expect(400)).text).toMatch(/^userChannelNotSupported: /);
    expect(await queued()).toEqual(before);
  });

  it('leave the device channel working: its Idle gets the queued command', async () => {
    expect((await sendReport(id, { Status: 'Idle' }))?.Command.RequestType).toBe('InstallProfile');
  });
});
