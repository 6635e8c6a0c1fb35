import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCertificate } from '../../../certs/certificate-builder.js';
import { generateRsaKeyPair } from '../../../certs/keys.js';
import { encodeCheckIn } from '../../../protocol/apple/checkin.js';
import { encodeReport } from '../../../protocol/apple/command-report.js';
import { CHECKIN, enrollIdentity, MDM, signedPut, type WireIdentity } from '../../helpers/apple-wire.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/** Bad input on the Apple MDM endpoints: refused in the protocol's form, nothing stored, never 401. */
let server: TestServer;
let alice: WireIdentity;
let bob: WireIdentity;
let checkInUrl: string;
let serverUrl: string;
const authenticate = (id: WireIdentity) => encodeCheckIn({ MessageType: 'Authenticate', Topic: id.mdm.topic, UDID: id.udid, OSVersion: '18.1', ProductName: 'iPhone15,2' });
const tokenUpdate = (id: WireIdentity) =>
  encodeCheckIn({ MessageType: 'TokenUpdate', Topic: id.mdm.topic, UDID: id.udid, Token: randomBytes(32), PushMagic: 'magic' });
const idle = (id: WireIdentity) => encodeReport({ Status: 'Idle', UDID: id.udid });
const deviceCount = async () => (await server.api.get('/devices').expect(200)).body.length as number;

beforeAll(async () => {
  server = await startTestServer();
  alice = await enrollIdentity(server, 'alice@contoso.com');
  bob = await enrollIdentity(server, 'bob@contoso.com');
  checkInUrl = alice.mdm.checkInUrl!;
  serverUrl = alice.mdm.serverUrl;
  for (const id of [alice, bob]) {
    await signedPut(checkInUrl, CHECKIN, authenticate(id), { key: id.key, certDer: id.certDer }).expect(200);
    await signedPut(checkInUrl, CHECKIN, tokenUpdate(id), { key: id.key, certDer: id.certDer }).expect(200);
  }
});
afterAll(() => server.stop());

describe('signed check-ins', () => {
  it('accept a device signing with its own identity: Authenticate, TokenUpdate and Idle', async () => {
    const devices = (await server.api.get('/devices').expect(200)).body;
    expect(devices.map((d: { hardwareId: string; status: string }) => [d.hardwareId, d.status]).sort()).toEqual([[alice.udid, 'enrolled'], [bob.udid, 'enrolled']].sort());
    const res = await signedPut(serverUrl, MDM, idle(alice), { key: alice.key, certDer: alice.certDer }).expect(200);
    expect(res.text ?? '').toBe('');
    // Either URL takes either kind, told apart by Content-Type (as NanoMDM does).
    await signedPut(checkInUrl, MDM, idle(alice), { key: alice.key, certDer: alice.certDer }).expect(200);
  });

  it('refuse an unsigned request (400, not 401) and change nothing', async () => {
    const before = await deviceCount();
    const res = await signedPut(checkInUrl, CHECKIN, authenticate({ ...alice, udid: 'NEW-UDID' }), null).expect(400);
    expect(res.text).toContain('missingSignature');
    expect(await deviceCount()).toBe(before);
  });

  it('refuse a tampered body', async () => {
    const body = Buffer.from(tokenUpdate(alice));
    const other = Buffer.from(body.toString().replace('magic', 'magik'));
    const res = await signedPut(checkInUrl, CHECKIN, other, { key: alice.key, certDer: alice.certDer }, body).expect(400);
    expect(res.text).toContain('badSignature');
    expect((await server.store.appleDevices.getByUdid(alice.udid))?.pushMagic).toBe('magic');
    await request(checkInUrl).put('').set('Content-Type', CHECKIN).set('Mdm-Signature', 'bm90IGEgc2lnbmF0dXJl').send(tokenUpdate(alice)).expect(400);
  });

  it('refuse a request signed by another device\'s certificate (403) and change nothing', async () => {
    const res = await signedPut(checkInUrl, CHECKIN, tokenUpdate(alice), { key: bob.key, certDer: bob.certDer }).expect(403);
    expect(res.text).toContain('identityMismatch');
    await signedPut(serverUrl, MDM, idle(alice), { key: bob.key, certDer: bob.certDer }).expect(403);
    // Bob's certificate cannot take over Alice's UDID by authenticating either.
    await signedPut(checkInUrl, CHECKIN, authenticate(alice), { key: bob.key, certDer: bob.certDer }).expect(403);
    expect((await server.store.appleDevices.getByUdid(alice.udid))?.identityFingerprint).not.toBe((await server.store.appleDevices.getByUdid(bob.udid))?.identityFingerprint);
  });

  it('refuse a certificate this server did not issue (self-signed, valid signature) with 403', async () => {
    const keys = await generateRsaKeyPair(2048);
    const now = new Date();
    const rogue = buildCertificate({
      subject: [{ shortName: 'CN', value: 'rogue' }],
      issuer: [{ shortName: 'CN', value: 'rogue' }],
      notBefore: now,
      notAfter: new Date(now.getTime() + 86_400_000),
      subjectPublicKey: keys.publicKey,
      issuerPrivateKey: keys.privateKey,
    });
    const before = await deviceCount();
    const res = await signedPut(checkInUrl, CHECKIN, authenticate({ ...alice, udid: 'ROGUE' }), { key: keys.privateKey, certDer: rogue }).expect(403);
    expect(res.text).toContain('untrustedCertificate');
    expect(await deviceCount()).toBe(before);
  });

  it('refuse messages from a device that never authenticated', async () => {
    const carol = await enrollIdentity(server, 'carol@contoso.com');
    const res = await signedPut(checkInUrl, CHECKIN, tokenUpdate(carol), { key: carol.key, certDer: carol.certDer }).expect(403);
    expect(res.text).toContain('unknownDevice');
    await signedPut(serverUrl, MDM, idle(carol), { key: carol.key, certDer: carol.certDer }).expect(403);
  });

  it('refuse malformed, binary, oversized and unknown messages and wrong content types', async () => {
    const as = { key: alice.key, certDer: alice.certDer };
    expect((await signedPut(checkInUrl, CHECKIN, '<?xml version="1.0"?><plist><dict><key>MessageType</key>', as).expect(400)).text).toContain('malformedMessage');
    expect((await signedPut(checkInUrl, CHECKIN, Buffer.concat([Buffer.from('bplist00'), randomBytes(40)]), as).expect(400)).text).toContain('malformedMessage');
    const unknown = '<?xml version="1.0"?><plist version="1.0"><dict><key>MessageType</key><string>UserAuthenticate</string><key>UDID</key><string>x</string><key>Topic</key><string>t</string></dict></plist>';
    expect((await signedPut(checkInUrl, CHECKIN, unknown, as).expect(400)).text).toContain('unknownMessageType');
    const entity = '<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY x "y">]><plist version="1.0"><dict><key>MessageType</key><string>&x;</string></dict></plist>';
    await signedPut(checkInUrl, CHECKIN, entity, as).expect(400);
    expect((await signedPut(checkInUrl, 'application/json', authenticate(alice), as).expect(415)).text).toContain('wrongContentType');
    await signedPut(checkInUrl, CHECKIN, Buffer.alloc(0), as).expect(400);
    const huge = `<?xml version="1.0"?><plist version="1.0"><dict><key>MessageType</key><string>${'x'.repeat(70 * 1024)}</string></dict></plist>`;
    await signedPut(checkInUrl, CHECKIN, huge, as).expect(413);
    await signedPut(serverUrl, MDM, Buffer.alloc(2 * 1024 * 1024, 0x41), as).expect(413);
    const wrongTopic = encodeCheckIn({ MessageType: 'TokenUpdate', Topic: 'com.apple.mgmt.other', UDID: alice.udid, Token: randomBytes(32), PushMagic: 'm2' });
    await signedPut(checkInUrl, CHECKIN, wrongTopic, as).expect(400);
    expect((await server.store.appleDevices.getByUdid(alice.udid))?.pushMagic).toBe('magic');
    // The server keeps serving.
    await signedPut(serverUrl, MDM, idle(alice), as).expect(200);
    await request(server.url).get('/healthz').expect(200);
  });

  it('CheckOut unenrolls; afterwards the device gets nothing until it authenticates again', async () => {
    const as = { key: bob.key, certDer: bob.certDer };
    await signedPut(checkInUrl, CHECKIN, encodeCheckIn({ MessageType: 'CheckOut', Topic: bob.mdm.topic, UDID: bob.udid }), as).expect(200);
    const device = (await server.api.get('/devices').expect(200)).body.find((d: { hardwareId: string }) => d.hardwareId === bob.udid);
    expect(device).toMatchObject({ status: 'unenrolled' });
    await signedPut(serverUrl, MDM, idle(bob), as).expect(403);
    await signedPut(checkInUrl, CHECKIN, authenticate(bob), as).expect(200);
    await signedPut(checkInUrl, CHECKIN, tokenUpdate(bob), as).expect(200);
    expect((await server.api.get(`/devices/${device.id}`).expect(200)).body.status).toBe('enrolled');
  });
});
