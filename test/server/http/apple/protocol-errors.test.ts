import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCheckIn } from '../../../../protocol/apple/checkin.js';
import { CHECKIN, MDM, enrollIdentity, sendReport, signedPut } from '../../../helpers/apple-wire.js';
import { encodeReport } from '../../../../protocol/apple/command-report.js';
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
  it('never blame the device for what the server cannot write: the enrollment completes, the profile fails with the server\'s words', async () => {
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
    await signedPut(id.mdm.checkInUrl!, CHECKIN, tokenUpdate, as).expect(200);
    const device = (await server.api.get('/devices').expect(200)).body.find((d: { hardwareId: string }) => d.hardwareId === id.udid);
    expect(device.status).toBe('enrolled');

    // Its first poll: the profile cannot be built, so nothing is handed out and nothing is refused.
    const idle = await signedPut(id.mdm.serverUrl, MDM, encodeReport({ Status: 'Idle', UDID: id.udid }), as);
    expect(idle.status).toBe(200);
    expect(idle.body?.length ?? 0).toBe(0);
    const detail = (await server.api.get(`/devices/${device.id}`).expect(200)).body;
    expect(detail).toMatchObject({ pendingCommands: 0, compliance: 'nonCompliant', profiles: [{ profileId: profile.id, state: 'failed' }] });
    expect(detail.profiles[0].detail).toMatch(/^the server could not build this profile for the device: /);

    // Once the address is repaired through the admin API, the profile is delivered again.
    await server.api.patch(`/users/${user.id}`, { primarySmtp: 'faulty@contoso.com' }).expect(200);
    const next = await sendReport(id, { Status: 'Idle' });
    expect(next?.Command.RequestType).toBe('InstallProfile');
  });
});
