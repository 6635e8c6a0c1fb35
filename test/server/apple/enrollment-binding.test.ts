import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCheckIn } from '../../../protocol/apple/checkin.js';
import { encodeReport } from '../../../protocol/apple/command-report.js';
import { CHECKIN, MDM, enrolledOverWire, enrollIdentity, sendReport, signedPut, type WireIdentity } from '../../helpers/apple-wire.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * A UDID is bound to the identity it authenticated with, and only a new Authenticate re-binds it:
 * after the device left management (CheckOut), or when an administrator allows it. Another
 * identity — even one enrolled the real way with another user's token — is refused, an alert
 * says so, and the device, its user and its profile history stay as they were.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const as = (id: WireIdentity) => ({ key: id.key, certDer: id.certDer });
const checkIn = (id: WireIdentity, body: string) => signedPut(id.mdm.checkInUrl!, CHECKIN, body, as(id));
const authenticate = (id: WireIdentity, udid = id.udid) =>
  checkIn(id, encodeCheckIn({ MessageType: 'Authenticate', Topic: id.mdm.topic, UDID: udid, ProductName: 'iPhone15,2' }));
const tokenUpdate = (id: WireIdentity, udid = id.udid, magic = `pm-${udid}`) =>
  checkIn(id, encodeCheckIn({ MessageType: 'TokenUpdate', Topic: id.mdm.topic, UDID: udid, Token: randomBytes(32), PushMagic: magic }));
const checkOut = (id: WireIdentity, udid = id.udid) => checkIn(id, encodeCheckIn({ MessageType: 'CheckOut', Topic: id.mdm.topic, UDID: udid }));
/** Another enrolled identity (its own SCEP certificate) presenting `udid` as its own. */
const claimant = async (upn: string, udid: string): Promise<WireIdentity> => ({ ...(await enrollIdentity(server, upn)), udid });

async function serverDevice(udid: string) {
  const d = (await server.api.get('/devices').expect(200)).body.find((x: { hardwareId: string }) => x.hardwareId === udid);
  return (await server.api.get(`/devices/${d.id}`).expect(200)).body;
}
const userId = async (upn: string) => (await server.api.get(`/users?upn=${upn}`).expect(200)).body[0].id as string;

/** Deploys a fresh profile to the user and has the device install it: one installed state, one history entry. */
async function installProfileOn(id: WireIdentity, upn: string): Promise<string> {
  const group = (await server.api.post('/groups', { name: `g-${randomBytes(4).toString('hex')}` }).expect(201)).body;
  await server.api.post(`/groups/${group.id}/members`, { users: [await userId(upn)] }).expect(200);
  const p = (await server.api.post('/email-profiles', { platform: 'ios', name: `p-${randomBytes(4).toString('hex')}`, host: 'mail.contoso.com', accountName: 'Corp' }).expect(201)).body;
  await server.api.put(`/email-profiles/${p.id}/deployment`, { groupIds: [group.id] }).expect(200);
  const cmd = await sendReport(id, { Status: 'Idle' });
  expect(cmd?.Command.RequestType).toBe('InstallProfile');
  expect(await sendReport(id, { Status: 'Acknowledged', CommandUUID: cmd!.CommandUUID })).toBeUndefined();
  return p.id as string;
}

describe('another identity authenticating an enrolled UDID (device takeover)', () => {
  let alice: WireIdentity;
  let profileId: string;
  let before: Awaited<ReturnType<typeof serverDevice>>;
  beforeAll(async () => {
    alice = await enrolledOverWire(server, 'alice@contoso.com');
    profileId = await installProfileOn(alice, 'alice@contoso.com');
    before = await serverDevice(alice.udid);
  });

  it('is refused with 403 enrollmentConflict (never 401), and the device, its user and its profile history are unchanged', async () => {
    const mallory = await claimant('mallory@contoso.com', alice.udid);
    const res = await authenticate(mallory).expect(403);
    expect(res.text).toMatch(/^enrollmentConflict: /);
    await tokenUpdate(mallory, alice.udid, 'mallory-magic').expect(403);
    const after = await serverDevice(alice.udid);
    expect(after).toMatchObject({ status: 'enrolled', userId: await userId('alice@contoso.com'), profiles: [{ profileId, state: 'installed' }] });
    expect(await server.store.appleDevices.getByUdid(alice.udid)).toMatchObject({ pushMagic: `pm-${alice.udid}` });
    expect((await server.api.get(`/devices/${before.id}/commands`).expect(200)).body.history).toHaveLength(1);
    // The real device goes on as before.
    expect(await sendReport(alice, { Status: 'Idle' })).toBeUndefined();
    await tokenUpdate(alice).expect(200);
  });

  it('raises one enrollmentConflict alert naming the device, both users and what to do, however often it is tried', async () => {
    await authenticate(await claimant('mallory@contoso.com', alice.udid)).expect(403);
    await authenticate(await claimant('mallory@contoso.com', alice.udid)).expect(403);
    const alerts = (await server.api.get(`/alerts?deviceId=${before.id}&kind=enrollmentConflict`).expect(200)).body;
    expect(alerts).toHaveLength(1);
    expect(alerts[0].message).toContain(alice.udid);
    expect(alerts[0].message).toContain('alice@contoso.com');
    expect(alerts[0].message).toContain('mallory@contoso.com');
    expect(alerts[0].message).toContain(`/api/v1/devices/${before.id}/allow-reenrollment`);
    expect(alerts[0].details).toMatchObject({ deviceId: before.id, udid: alice.udid, user: 'alice@contoso.com', claimedBy: 'mallory@contoso.com' });
  });
});

describe('the window between Authenticate and the first TokenUpdate', () => {
  it('another user\'s identity cannot slip in: refused, and the device completes its own enrollment', async () => {
    const carol = await enrollIdentity(server, 'carol@contoso.com');
    await authenticate(carol).expect(200);
    const res = await authenticate(await claimant('mallory@contoso.com', carol.udid)).expect(403);
    expect(res.text).toMatch(/^enrollmentConflict: /);
    await tokenUpdate(carol).expect(200);
    expect(await serverDevice(carol.udid)).toMatchObject({ status: 'enrolled', userId: await userId('carol@contoso.com') });
  });

  it('the same user retrying an enrollment that never completed takes the UDID over with the new identity', async () => {
    const first = await enrollIdentity(server, 'dave@contoso.com');
    await authenticate(first).expect(200);
    const retry = await claimant('dave@contoso.com', first.udid);
    await authenticate(retry).expect(200);
    await tokenUpdate(first).expect(403);
    await tokenUpdate(retry).expect(200);
    expect(await serverDevice(first.udid)).toMatchObject({ status: 'enrolled', userId: await userId('dave@contoso.com') });
  });

  it('once enrolled, even the same user\'s new identity needs the administrator', async () => {
    const ed = await enrolledOverWire(server, 'ed@contoso.com');
    expect((await authenticate(await claimant('ed@contoso.com', ed.udid)).expect(403)).text).toMatch(/^enrollmentConflict: /);
  });
});

describe('CheckOut unbinds the identity', () => {
  it('a TokenUpdate afterwards is refused (it does not re-enroll the device) until a new Authenticate', async () => {
    const fay = await enrolledOverWire(server, 'fay@contoso.com');
    const profileId = await installProfileOn(fay, 'fay@contoso.com');
    await checkOut(fay).expect(200);
    const res = await tokenUpdate(fay).expect(403);
    expect(res.text).toMatch(/^unknownDevice: .*left management/);
    expect(await serverDevice(fay.udid)).toMatchObject({ status: 'unenrolled', pendingCommands: 0, profiles: [{ profileId, state: 'removed' }] });
    await signedPut(fay.mdm.serverUrl, MDM, encodeReport({ Status: 'Idle', UDID: fay.udid }), as(fay)).expect(403);
    await checkOut(fay).expect(403);
    // A new Authenticate is a new enrollment: the profile comes again.
    await authenticate(fay).expect(200);
    await tokenUpdate(fay).expect(200);
    expect(await serverDevice(fay.udid)).toMatchObject({ status: 'enrolled', profiles: [{ profileId, state: 'pending' }] });
    expect((await sendReport(fay, { Status: 'Idle' }))?.Command.RequestType).toBe('InstallProfile');
  });

  it('after CheckOut another identity, of another user, may enroll the UDID: the device moves, its history stays', async () => {
    const gus = await enrolledOverWire(server, 'gus@contoso.com');
    const profileId = await installProfileOn(gus, 'gus@contoso.com');
    await checkOut(gus).expect(200);
    const hal = await claimant('hal@contoso.com', gus.udid);
    await authenticate(hal).expect(200);
    await tokenUpdate(hal).expect(200);
    const device = await serverDevice(gus.udid);
    expect(device).toMatchObject({ status: 'enrolled', userId: await userId('hal@contoso.com'), profiles: [{ profileId, state: 'removed' }] });
    expect((await server.api.get(`/devices/${device.id}/commands`).expect(200)).body.history).toMatchObject([{ requestType: 'InstallProfile', status: 'Acknowledged' }]);
    // The old identity speaks for nothing any more, on this UDID or any other.
    await tokenUpdate(gus).expect(403);
    await authenticate(gus).expect(403);
    await authenticate(gus, `${gus.udid}-other`).expect(403);
  });
});

describe('POST /devices/{id}/allow-reenrollment', () => {
  it('lets one new identity re-enroll the device once, within the time given: installed profiles become removed, the history stays, the device is reconciled afresh', async () => {
    const ivy = await enrolledOverWire(server, 'ivy@contoso.com');
    const profileId = await installProfileOn(ivy, 'ivy@contoso.com');
    const { id } = await serverDevice(ivy.udid);
    await authenticate(await claimant('ivy@contoso.com', ivy.udid)).expect(403);

    const allowed = (await server.api.post(`/devices/${id}/allow-reenrollment`, { expiresInMinutes: 30 }).expect(200)).body;
    expect(allowed).toMatchObject({ deviceId: id });
    const minutes = (Date.parse(allowed.allowedUntil) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(25);
    expect(minutes).toBeLessThanOrEqual(30);

    const erased = await claimant('ivy@contoso.com', ivy.udid);
    await authenticate(erased).expect(200);
    const rebound = await serverDevice(ivy.udid);
    expect(rebound).toMatchObject({ status: 'unenrolled', profiles: [{ profileId, state: 'removed' }], alerts: [] });
    expect(rebound).not.toHaveProperty('reenrollmentAllowedUntil');
    await tokenUpdate(erased).expect(200);
    expect(await serverDevice(ivy.udid)).toMatchObject({ status: 'enrolled', profiles: [{ profileId, state: 'pending' }] });
    expect((await server.api.get(`/devices/${id}/commands`).expect(200)).body.history).toMatchObject([{ requestType: 'InstallProfile', status: 'Acknowledged' }]);
    expect((await sendReport(erased, { Status: 'Idle' }))?.Command.RequestType).toBe('InstallProfile');

    // One use: the old identity is refused, and so is any further one.
    await tokenUpdate(ivy).expect(403);
    await authenticate(ivy).expect(403);
    expect((await authenticate(await claimant('ivy@contoso.com', ivy.udid)).expect(403)).text).toMatch(/^enrollmentConflict: /);
  });

  it('lets another user\'s identity take the device over when the administrator says so', async () => {
    const jo = await enrolledOverWire(server, 'jo@contoso.com');
    const { id } = await serverDevice(jo.udid);
    await server.api.post(`/devices/${id}/allow-reenrollment`).expect(200);
    const kim = await claimant('kim@contoso.com', jo.udid);
    await authenticate(kim).expect(200);
    await tokenUpdate(kim).expect(200);
    expect(await serverDevice(jo.udid)).toMatchObject({ status: 'enrolled', userId: await userId('kim@contoso.com') });
  });

  it('expires unused', async () => {
    const lou = await enrolledOverWire(server, 'lou@contoso.com');
    const { id } = await serverDevice(lou.udid);
    const allowed = (await server.api.post(`/devices/${id}/allow-reenrollment`, {}).expect(200)).body;
    expect(Date.parse(allowed.allowedUntil) - Date.now()).toBeGreaterThan(50 * 60_000); // default one hour
    const device = (await server.store.devices.get(id))!;
    await server.store.devices.update({ ...device, reenrollmentAllowedUntil: new Date(Date.now() - 1000).toISOString() });
    expect((await authenticate(await claimant('lou@contoso.com', lou.udid)).expect(403)).text).toMatch(/^enrollmentConflict: /);
  });

  it('refuses unknown devices and bad bodies', async () => {
    expect((await server.api.post('/devices/dev_nope/allow-reenrollment').expect(404)).body.error.code).toBe('notFound');
    const mo = await enrolledOverWire(server, 'mo@contoso.com');
    const { id } = await serverDevice(mo.udid);
    expect((await server.api.post(`/devices/${id}/allow-reenrollment`, { expiresInMinutes: 0 }).expect(400)).body.error).toMatchObject({ code: 'validationFailed', field: 'expiresInMinutes' });
    expect((await server.api.post(`/devices/${id}/allow-reenrollment`, { forever: true }).expect(400)).body.error).toMatchObject({ code: 'unknownField', field: 'forever' });
    expect(await server.store.devices.get(id)).not.toHaveProperty('reenrollmentAllowedUntil');
  });
});
