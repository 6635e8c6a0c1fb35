import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicCredential, md5Credential } from '../../../protocol/windows/syncml/auth-md5.js';
import { decodeSyncML } from '../../../protocol/windows/syncml/decode.js';
import type { StatusCommand, SyncMLMessage } from '../../../protocol/windows/syncml/types.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { msdoc, MSDOCS } from '../../protocol/windows/fixtures.js';
import { deployProfile, deviceOf, enrollWindows, hdrStatus, MANAGEMENT, serverCommands, WireDmClient, type EnrolledWindows } from './windows-wire.js';

let server: TestServer;
let alice: EnrolledWindows;
let bob: EnrolledWindows;
beforeAll(async () => {
  server = await startTestServer();
  alice = await enrollWindows(server, 'alice@contoso.com');
  bob = await enrollWindows(server, 'bob@contoso.com');
});
afterAll(async () => {
  await server.stop();
});

/** The stored view of a device: what a refused message must leave exactly as it was. */
async function snapshot(device: EnrolledWindows) {
  const d = ((await server.api.get(`/devices?hardwareId=${device.deviceId}`)).body as { id: string }[])[0]!;
  return {
    device: await server.store.devices.get(d.id),
    windows: await server.store.windowsDevices.getByDevice(d.id),
    session: await server.store.windowsSessions.get(d.id),
    commands: await server.store.commands.forDevice(d.id),
    states: await server.store.profileStates.forDevice(d.id),
  };
}

const onlyHdr = (reply: SyncMLMessage) => {
  expect(reply.commands).toHaveLength(1);
  expect(reply.final).toBe(true);
  return hdrStatus(reply);
};

describe('credentials (syncml:auth-md5, OMA-TS-DM_Security §5.3)', () => {
  it('none: 407 with a Chal carrying the current nonce; nothing else is processed or stored', async () => {
    const client = new WireDmClient(server, alice);
    const before = await snapshot(alice);
    const reply = await client.open(1201, [], { cred: 'none' });
    const hdr = onlyHdr(reply);
    expect(hdr).toMatchObject({ code: 407, chal: { type: 'syncml:auth-md5', format: 'b64', nextNonce: alice.nonce.toString('base64') } });
    expect(await snapshot(alice)).toEqual(before);
    expect(before.device?.status).toBe('unenrolled');
  });

  it('wrong: 401 with a Chal; a basic credential, a digest with another secret or user name, another device\'s name: 401, nothing stored', async () => {
    const client = new WireDmClient(server, alice);
    const before = await snapshot(alice);
    const wrong = [
      md5Credential(alice.authName, 'not-the-secret', alice.nonce),
      md5Credential(bob.authName, alice.authSecret, alice.nonce),
      md5Credential(alice.authName, alice.authSecret, Buffer.from('another nonce')),
      basicCredential(alice.authName, alice.authSecret),
      { meta: { type: 'syncml:auth-md5', format: 'b64' }, data: 'not base64 at all' },
      { meta: { type: 'syncml:auth-md5', format: 'b64' }, data: '' },
    ];
    for (const cred of wrong) {
      const hdr = onlyHdr(await client.open(1201, [], { cred }));
      expect(hdr).toMatchObject({ code: 401, chal: { nextNonce: alice.nonce.toString('base64') } });
    }
    expect(await snapshot(alice)).toEqual(before);
  });

  it("a device cannot act for another: Bob's messages with Alice's credential, and Alice's naming Bob's DeviceID in DevInfo", async () => {
    const asBob = new WireDmClient(server, alice);
    const before = await snapshot(bob);
    const hdr = onlyHdr(await asBob.open(1201, [], { source: bob.deviceId }));
    expect(hdr.code).toBe(401);
    expect(await snapshot(bob)).toEqual(before);

    const client = new WireDmClient(server, alice);
    const reply = await client.open(1201, [{ kind: 'Replace', cmdId: '7', items: [{ source: './DevInfo/DevId', data: bob.deviceId }, { source: './DevInfo/Man', data: 'Evil Corp' }] }]);
    expect(hdrStatus(reply).code).toBe(200);
    expect(reply.commands.find((c): c is StatusCommand => c.kind === 'Status' && c.cmdRef === '7')?.code).toBe(403);
    expect((await deviceOf(server, alice.deviceId)).windows.devInfo.Man).toBe('Contoso Ltd.');
    expect(await snapshot(bob)).toEqual(before);
  });

  it('after a 401 the device digests with the nonce of the Chal and is accepted; every accepted message chains a new nonce', async () => {
    const device = await enrollWindows(server, 'chain@contoso.com');
    const client = new WireDmClient(server, device);
    const refused = await client.open(1201, [], { cred: md5Credential(device.authName, 'wrong', device.nonce) });
    expect(hdrStatus(refused).code).toBe(401);
    client.msgId = 1;
    const ok = await client.send([{ kind: 'Alert', cmdId: '1', code: 1201, items: [] }]);
    const nonces = [device.nonce.toString('base64'), hdrStatus(ok).chal!.nextNonce!];
    expect(nonces[1]).not.toBe(nonces[0]);
    const next = await client.next(client.answer(ok));
    nonces.push(hdrStatus(next).chal!.nextNonce!);
    expect(new Set(nonces).size).toBe(3);
  });

  it('an older message replayed once the nonce moved on is refused (401), and changes nothing', async () => {
    const device = await enrollWindows(server, 'replay@contoso.com');
    const client = new WireDmClient(server, device);
    const first = client.build([{ kind: 'Alert', cmdId: '1', code: 1201, items: [] }], { sessionId: '1', msgId: 1 });
    expect((await client.post(first)).status).toBe(200);
    client.sessionId = 1;
    client.msgId = 1;
    client.nonce = Buffer.from(hdrStatus(decodeSyncML((await server.store.windowsSessions.get((await deviceOf(server, device.deviceId)).id))!.lastReply!)).chal!.nextNonce!, 'base64');
    await client.next([{ kind: 'Alert', cmdId: '1', code: 1222, items: [] }]);
    const before = await snapshot(device);
    const replayed = decodeSyncML((await client.post(first)).text);
    expect(hdrStatus(replayed).code).toBe(401);
    expect(await snapshot(device)).toEqual(before);
  });

  it('a message repeated byte for byte after its reply was lost gets the same reply, and is processed once', async () => {
    const device = await enrollWindows(server, 'again@contoso.com');
    const client = new WireDmClient(server, device);
    await deployProfile(server, 'again@contoso.com', 'windows10', 'w10 again');
    const open = await client.open();
    const id = (await deviceOf(server, device.deviceId)).id;
    const answer = client.build(client.answer(open), { msgId: 2 });
    const firstRaw = (await client.post(answer)).text;
    const history = await server.store.commandHistory.forDevice(id);
    expect(history).toHaveLength(1);
    const secondRaw = (await client.post(answer)).text;
    expect(secondRaw).toBe(firstRaw);
    expect(await server.store.commandHistory.forDevice(id)).toEqual(history);
  });
});

describe('devices, sessions and messages the server does not take', () => {
  it('an unknown DeviceID: 403, no Chal', async () => {
    const ghost = { ...alice, deviceId: 'F'.repeat(32) };
    const hdr = onlyHdr(await new WireDmClient(server, ghost).open());
    expect(hdr.code).toBe(403);
    expect(hdr.chal).toBeUndefined();
  });

  it('a MsgID out of order, or a session never opened (only MsgID 1 or Alert 1201/1200 opens one): 400 and nothing stored; the session goes on with the right MsgID', async () => {
    const device = await enrollWindows(server, 'order@contoso.com');
    const client = new WireDmClient(server, device);
    const open = await client.open();
    const before = await snapshot(device);
    expect(onlyHdr(await client.send(client.answer(open), { msgId: 3 })).code).toBe(400);
    expect(onlyHdr(await client.send(client.answer(open), { msgId: 0 })).code).toBe(400);
    expect(onlyHdr(await client.send(client.answer(open), { sessionId: 'BEEF', msgId: 2 })).code).toBe(400);
    expect(await snapshot(device)).toEqual(before);
    const next = await client.next(client.answer(open));
    expect(hdrStatus(next).code).toBe(200);
  });

  it('a Status for a CmdID never sent, and Results for a Get never sent, change nothing', async () => {
    const device = await enrollWindows(server, 'stray@contoso.com');
    const client = new WireDmClient(server, device);
    await deployProfile(server, 'stray@contoso.com', 'windows10', 'w10 stray');
    const open = await client.open();
    const before = await snapshot(device);
    const reply = await client.next([
      { kind: 'Status', cmdId: '1', msgRef: '1', cmdRef: '0', cmd: 'SyncHdr', code: 200, targetRefs: [], sourceRefs: [], items: [] },
      { kind: 'Status', cmdId: '2', msgRef: '1', cmdRef: '999', cmd: 'Atomic', code: 200, targetRefs: [], sourceRefs: [], items: [] },
      { kind: 'Status', cmdId: '3', msgRef: '7', cmdRef: '5', cmd: 'Atomic', code: 200, targetRefs: [], sourceRefs: [], items: [] },
      { kind: 'Results', cmdId: '4', msgRef: '1', cmdRef: '998', targetRefs: [], sourceRefs: [], items: [{ source: './Device/Vendor/MSFT/DMClient/Provider/mdmlab/Push/ChannelURI', data: `${server.url}/push/wns/${'a'.repeat(64)}` }] },
    ]);
    expect(hdrStatus(reply).code).toBe(200);
    const after = await snapshot(device);
    expect(after.states).toEqual(before.states);
    expect(after.commands.map((c) => [c.uuid, c.status])).toEqual(before.commands.map((c) => [c.uuid, c.status]));
    expect(after.windows?.pushToken).toBeUndefined();
  });

  it('commands a device may not send are answered (Add, Get: 406; an unknown element: 400; an unknown alert: 406) and the rest goes on', async () => {
    const device = await enrollWindows(server, 'odd@contoso.com');
    const client = new WireDmClient(server, device);
    const reply = await client.open(1201, [
      { kind: 'Add', cmdId: '10', items: [{ target: './Vendor/MSFT/Evil', data: 'x' }] },
      { kind: 'Get', cmdId: '11', items: [{ target: './DevInfo/Man' }] },
      { kind: 'Alert', cmdId: '12', code: 1299, items: [] },
    ]);
    const byRef = (ref: string) => reply.commands.find((c): c is StatusCommand => c.kind === 'Status' && c.cmdRef === ref)?.code;
    expect([byRef('10'), byRef('11'), byRef('12')]).toEqual([406, 406, 406]);
    const raw = client.build([{ kind: 'Alert', cmdId: '1', code: 1222, items: [] }], { msgId: 2 }).replace('<Final/>', '<Frobnicate><CmdID>5</CmdID></Frobnicate><Final/>');
    client.msgId = 2;
    const odd = decodeSyncML((await client.post(raw)).text);
    expect(odd.commands.find((c): c is StatusCommand => c.kind === 'Status' && c.cmdRef === '5')).toMatchObject({ cmd: 'Frobnicate', code: 400 });
  });

  it('a protocol version it does not speak: 400 on the SyncHdr', async () => {
    const client = new WireDmClient(server, alice);
    const raw = client.build([{ kind: 'Alert', cmdId: '1', code: 1201, items: [] }], { sessionId: '1', msgId: 1 }).replace('DM/1.2', 'DM/2.0');
    expect(hdrStatus(decodeSyncML((await client.post(raw)).text)).code).toBe(400);
  });
});

describe('what real clients send', () => {
  it("a pretty-printed message with Microsoft's LoginStatus sample, a hex SessionID and line breaks around values", async () => {
    const device = await enrollWindows(server, 'pretty@contoso.com');
    const client = new WireDmClient(server, device);
    const alert1224 = msdoc(MSDOCS.alert1224).toString('utf8').replace('<CmdID>1</CmdID>', '<CmdID>2</CmdID>');
    const body = client
      .build([{ kind: 'Alert', cmdId: '1', code: 1201, items: [] }], { sessionId: 'D', msgId: 1 })
      .replace('</Alert>', `</Alert>\n    ${alert1224}\n`)
      .replace(/<SessionID>D<\/SessionID>/, '<SessionID>\n      D\n    </SessionID>')
      .replace(/></g, '>\n  <');
    const reply = decodeSyncML((await client.post(body)).text);
    expect(hdrStatus(reply).code).toBe(200);
    expect(reply.header.sessionId).toBe('D');
    expect(reply.commands.filter((c): c is StatusCommand => c.kind === 'Status').map((s) => [s.cmdRef, s.code])).toEqual([['0', 200], ['1', 200], ['2', 200]]);
    expect((await deviceOf(server, device.deviceId)).windows).toMatchObject({ loginStatus: 'user', lastSession: { sessionId: 'D' } });
  });
});

describe('a real client after a challenge', () => {
  it('sends its first package again as MsgID 2 of the same session, with its credential (LocName, a Status for the refused SyncHdr): accepted', async () => {
    const device = await enrollWindows(server, 'captured@contoso.com');
    const client = new WireDmClient(server, device);
    const refused = await client.open(1201, [], { cred: 'none', sessionId: 'D' });
    const chal = hdrStatus(refused);
    expect(chal.code).toBe(407);
    const nonce = Buffer.from(chal.chal!.nextNonce!, 'base64');
    // The shape of a Windows 10 check-in captured after a challenge (hex SessionID, MsgID 2, LocName,
    // Meta Format before Type, a Status for the server's SyncHdr, the DMClient HWDevID among DevInfo).
    const digest = md5Credential(device.authName, device.authSecret, nonce).data;
    const retry = `<SyncML xmlns="SYNCML:SYNCML1.2">
    <SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>D</SessionID><MsgID>2</MsgID><Target><LocURI>${device.managementUrl}</LocURI></Target><Source><LocURI>${device.deviceId}</LocURI><LocName>${device.authName}</LocName></Source><Cred><Meta><Format xmlns="syncml:metinf">b64</Format><Type xmlns="syncml:metinf">syncml:auth-md5</Type></Meta><Data>${digest}</Data></Cred></SyncHdr>
    <SyncBody xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM">
        <Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>500</Data></Status>
        <Alert><CmdID>2</CmdID><Data>1201</Data></Alert>
        <Alert><CmdID>3</CmdID><Data>1224</Data><Item><Meta><Type xmlns="syncml:metinf">com.microsoft/MDM/LoginStatus</Type></Meta><Data>user</Data></Item></Alert>
        <Replace>
            <CmdID>4</CmdID>
            <Item><Source><LocURI>./DevInfo/DevId</LocURI></Source><Data>${device.deviceId}</Data></Item>
            <Item><Source><LocURI>./DevInfo/Man</LocURI></Source><Data>Dell Inc.</Data></Item>
            <Item><Source><LocURI>./DevInfo/Mod</LocURI></Source><Data>XPS 13 9310 2-in-1</Data></Item>
            <Item><Source><LocURI>./DevInfo/DmV</LocURI></Source><Data>1.3</Data></Item>
            <Item><Source><LocURI>./DevInfo/Lang</LocURI></Source><Data>en-US</Data></Item>
            <Item><Source><LocURI>./Vendor/MSFT/DMClient/HWDevID</LocURI></Source><Data>${'C'.repeat(64)}</Data></Item>
        </Replace>
        <Final/>
    </SyncBody>
    </SyncML>`;
    const reply = decodeSyncML((await client.post(retry)).text);
    expect(hdrStatus(reply).code).toBe(200);
    expect(reply.header).toMatchObject({ sessionId: 'D', msgId: '1' });
    expect(reply.commands.filter((c): c is StatusCommand => c.kind === 'Status').map((st) => [st.msgRef, st.cmdRef, st.code])).toEqual([['2', '0', 200], ['2', '2', 200], ['2', '3', 200], ['2', '4', 200]]);
    expect((await deviceOf(server, device.deviceId))).toMatchObject({ status: 'enrolled', model: 'XPS 13 9310 2-in-1', windows: { devInfo: { Man: 'Dell Inc.', HWDevID: 'C'.repeat(64) } } });
  });
});

describe('HTTP-level refusals: no SyncML to answer in', () => {
  const post = (body: string | Buffer, type = 'application/vnd.syncml.dm+xml', headers: Record<string, string> = {}) =>
    request(server.url).post(MANAGEMENT).set('Content-Type', type).set(headers).send(Buffer.isBuffer(body) ? body : Buffer.from(body));

  it.each([
    ['truncated XML', '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2', 400, 'malformedSyncML'],
    ['a DOCTYPE with an entity', '<?xml version="1.0"?><!DOCTYPE SyncML [<!ENTITY x "y">]><SyncML xmlns="SYNCML:SYNCML1.2"/>', 400, 'malformedSyncML'],
    ['a SyncHdr without SessionID', '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD></SyncHdr><SyncBody/></SyncML>', 400, 'malformedSyncML'],
    ['an empty body', '', 400, 'emptyBody'],
  ])('%s: refused with a status and a one-line reason', async (_what, body, status, code) => {
    const res = await post(body).expect(status);
    expect(res.text).toMatch(new RegExp(`^${code}: `));
    expect(res.text).not.toMatch(/\.ts:|\/work\//);
  });

  it('WBXML, JSON, no Content-Type: 415; a compressed body: 415; over 512 KiB: 413', async () => {
    const msg = new WireDmClient(server, alice).build([{ kind: 'Alert', cmdId: '1', code: 1201, items: [] }], { sessionId: '1', msgId: 1 });
    await post(msg, 'application/vnd.syncml.dm+wbxml').expect(415);
    await post(msg, 'application/json').expect(415);
    await request(server.url).post(MANAGEMENT).send(Buffer.from(msg)).expect(415);
    await post(msg, 'application/vnd.syncml.dm+xml', { 'Content-Encoding': 'gzip' }).expect(415);
    await post(Buffer.alloc(600 * 1024, 0x20)).expect(413);
    await request(server.url).get('/healthz').expect(200);
  });
});
