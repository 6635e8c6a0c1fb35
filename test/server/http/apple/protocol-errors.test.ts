import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCheckIn } from '../../../../protocol/apple/checkin.js';
import { CHECKIN, enrollIdentity, signedPut } from '../../../helpers/apple-wire.js';
import { startTestServer, type TestServer } from '../../../helpers/server.js';

/**
 * Who is at fault, as the device is told: only a message the server could not decode is the
 * device's (400 malformedMessage); a failure of the server's own making is a 500, logged.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('the Apple MDM endpoints', () => {
  it('answer 500, not malformedMessage, when the server cannot write the profile it owes the device', async () => {
    const upn = 'faulty@contoso.com';
    const id = await enrollIdentity(server, upn);
    const user = (await server.api.get(`/users?upn=${upn}`).expect(200)).body[0];
    const group = (await server.api.post('/groups', { name: 'faulty' }).expect(201)).body;
    await server.api.post(`/groups/${group.id}/members`, { users: [user.id] }).expect(200);
    const profile = (await server.api.post('/email-profiles', { platform: 'ios', name: 'faulty', host: 'mail.contoso.com', accountName: 'Corp' }).expect(201)).body;
    await server.api.put(`/email-profiles/${profile.id}/deployment`, { groupIds: [group.id] }).expect(200);
    // An address no plist can carry, as a store written before the admin API refused such strings may hold.
    const stored = (await server.store.users.get(user.id))!;
    await server.store.users.update({ ...stored, primarySmtp: 'faulty\u0001@contoso.com' });

    const as = { key: id.key, certDer: id.certDer };
    await signedPut(id.mdm.checkInUrl!, CHECKIN, encodeCheckIn({ MessageType: 'Authenticate', Topic: id.mdm.topic, UDID: id.udid }), as).expect(200);
    const tokenUpdate = encodeCheckIn({ MessageType: 'TokenUpdate', Topic: id.mdm.topic, UDID: id.udid, Token: randomBytes(32), PushMagic: 'pm' });
    const res = await signedPut(id.mdm.checkInUrl!, CHECKIN, tokenUpdate, as);
    expect(res.status).toBe(500);
    expect(res.text).toBe('internal error\n');
    // The TokenUpdate's transaction rolled back: the device is not half enrolled.
    const device = (await server.api.get('/devices').expect(200)).body.find((d: { hardwareId: string }) => d.hardwareId === id.udid);
    expect(device.status).toBe('unenrolled');
    expect((await server.store.appleDevices.getByUdid(id.udid))?.pushMagic).toBeUndefined();

    // Once the data is repaired the same TokenUpdate enrolls it.
    await server.store.users.update(stored);
    await signedPut(id.mdm.checkInUrl!, CHECKIN, tokenUpdate, as).expect(200);
    expect((await server.api.get(`/devices/${device.id}`).expect(200)).body).toMatchObject({ status: 'enrolled', profiles: [{ profileId: profile.id, state: 'pending' }] });
  });
});
