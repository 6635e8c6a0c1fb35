/**
 * Fuzz: Windows OMA-DM sessions (SyncML DM 1.2, MS-MDM): POST /ManagementServer/MDM.svc. Inputs are
 * messages of a device enrolled the real way (MS-MDE2), built with the codecs when they are sent,
 * from the session as the device keeps it (SessionID, MsgID, the nonce chain of syncml:auth-md5),
 * so that most carry a valid credential and reach the session's processing: a session opened or
 * continued with the Statuses of the server's commands (an email profile is deployed to the
 * device; answered with success or another code), Statuses and Results for CmdIDs the server
 * never sent, huge counts of commands, alerts; then a header made wrong (SessionID, MsgID, VerProto, Source, LocName, MaxMsgSize, a credential
 * missing, of another secret, nonce or device, basic, garbage) and the message broken as bytes or
 * markup (DOCTYPE and entities, namespace prefixes, deep, cut, spliced), or sent again as it was
 * (a retransmission), with content types and codings a client may get wrong. Besides the common
 * properties: an answer is a SyncML message whose first command is the Status of the SyncHdr
 * (HTTP 200), or a 4xx with a one-line reason; a message refused in its SyncHdr Status (401, 403,
 * 407, 400) changes nothing; a device untouched by the batch can still open a session.
 */
import fc from 'fast-check';
import { loginStatusAlert } from '../../protocol/windows/syncml/alert-codes.js';
import { basicCredential, md5Credential, nonceOfChallenge } from '../../protocol/windows/syncml/auth-md5.js';
import { decodeSyncML } from '../../protocol/windows/syncml/decode.js';
import { SYNCML_DM_CONTENT_TYPE, type SyncMLCommand, type SyncMLCredential, type SyncMLMessage } from '../../protocol/windows/syncml/types.js';
import { deployProfile, enrollWindows, hdrStatus, MANAGEMENT, WireDmClient, type WindowsWireServer } from '../server/windows/windows-wire.js';
import { fuzzFamily, type Outcome } from './harness/family.js';
import { oneLineRefusal } from './harness/http-family.js';
import { carriage, carry, extraHeaders, incomplete, type Carriage } from './harness/http-variants.js';
import { hostileString } from './harness/mutations.js';
import { exchange, requestBytes, type HttpAnswer } from './harness/raw-http.js';
import { wireServer } from './harness/wire-server.js';
import { breakXml, xmlBreak, type XmlBreak } from './windows/xml-inputs.js';

type Body = 'plain' | 'answered' | 'unsent' | 'results' | 'many' | 'alerts';
type HeaderChange =
  | { kind: 'none' }
  | { kind: 'sessionId' | 'msgId' | 'verProto' | 'source' | 'locName' | 'target'; value: string }
  | { kind: 'maxMsgSize'; value: number }
  | { kind: 'cred'; cred: 'none' | 'wrongSecret' | 'previousNonce' | 'otherDevice' | 'basic' | 'garbage' | 'otherType' };

interface DmInput {
  /** open: a new session (MsgID 1); next: the session's next message; again: the last message sent, byte for byte. */
  step: 'open' | 'next' | 'again';
  body: Body;
  count: number;
  /** A Status code, and an alert code. */
  code: number;
  alert: number;
  ref: string;
  header: HeaderChange;
  how: XmlBreak;
  path: string;
  contentType: string | undefined;
  carriage: Carriage;
  extra: [string, string][];
}

/** What XML 1.0 can carry (§2.2 Char) of a hostile string: the codec refuses the rest, and byte mutations send it anyway. */
const xmlChars = (s: string): string => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '');

const mostlyPlain = <T>(odd: fc.Arbitrary<T>, plain: T): fc.Arbitrary<T> => fc.oneof({ arbitrary: fc.constant(plain), weight: 3 }, { arbitrary: odd, weight: 1 });

fuzzFamily('Windows OMA-DM', async (server) => {
  const wire = await wireServer(server);
  const ws: WindowsWireServer = { url: server.url, api: wire.api };
  // The fuzzed device, with an email profile deployed so the server has commands for it; another
  // device the batch never names, to show after it that a device still gets its session.
  const device = await enrollWindows(ws, 'fuzz-dm-a@contoso.com');
  await deployProfile(ws, 'fuzz-dm-a@contoso.com', 'windows10', 'fuzzdm');
  const bystander = await enrollWindows(ws, 'fuzz-dm-b@contoso.com');
  const client = new WireDmClient(ws, device);
  await client.open(); // a real session first: its reply holds the profile's commands
  let previousNonce = client.nonce;
  let lastSent: Buffer | undefined;
  let reached = 0;
  let inputs = 0;
  const managementPath = `${new URL(device.managementUrl).pathname}?mode=Maintenance&Platform=WoA`;

  const vocabulary = ['<SyncHdr>', '</SyncBody>', '<Final/>', '<CmdID>', '<MsgRef>1</MsgRef>', '<CmdRef>0</CmdRef>', '<Cmd>SyncHdr</Cmd>', '<Data>200</Data>', '<Status>', '<Alert><CmdID>9</CmdID><Data>1201</Data></Alert>', '<Atomic>', '<MoreData/>', '<NoResp/>', 'xmlns="syncml:metinf"', '<![CDATA[', '&amp;', '&lt;', '\u0000', '\uFFFE', '<LocURI>./DevInfo/DevId</LocURI>', '<MaxMsgSize>1</MaxMsgSize>'];

  const header: fc.Arbitrary<HeaderChange> = fc.oneof(
    { arbitrary: fc.constant<HeaderChange>({ kind: 'none' }), weight: 10 },
    {
      arbitrary: fc.oneof(
        fc.record({ kind: fc.constant('sessionId' as const), value: fc.oneof(fc.constantFrom('', '0', 'FFFFFFFFFFFFFFFFFFFFFFFF', '-1', 'zz', ' 1', '1'.repeat(300)), hostileString.map((s) => xmlChars(s.slice(0, 400)))) }),
        fc.record({ kind: fc.constant('msgId' as const), value: fc.constantFrom('0', '-1', '2', '3', '1.5', '1e3', '0x2', 'abc', '', ' 1 ', '99999999999999999999999', '9007199254740993', 'NaN', 'Infinity') }),
        fc.record({ kind: fc.constant('verProto' as const), value: fc.constantFrom('DM/1.1', 'DM/1.3', 'SyncML/1.2', '', 'dm/1.2') }),
        fc.record({ kind: fc.constant('source' as const), value: fc.constantFrom(bystander.deviceId, device.deviceId.toLowerCase(), '', 'unknown-device', `${device.deviceId} `, './DevInfo/DevId') }),
        fc.record({ kind: fc.constant('locName' as const), value: fc.constantFrom(device.deviceId, bystander.deviceId, device.authName, '') }),
        fc.record({ kind: fc.constant('target' as const), value: fc.constantFrom('', 'https://elsewhere.example/ManagementServer/MDM.svc', 'x') }),
        fc.record({ kind: fc.constant('maxMsgSize' as const), value: fc.constantFrom(0, 1, 512, 4096, 2 ** 31, -1) }),
        fc.record({ kind: fc.constant('cred' as const), cred: fc.constantFrom('none', 'wrongSecret', 'previousNonce', 'otherDevice', 'basic', 'garbage', 'otherType') }),
      ),
      weight: 5,
    },
  );
  const inputsOf: fc.Arbitrary<DmInput> = fc.record({
    step: fc.oneof({ arbitrary: fc.constant('next' as const), weight: 6 }, { arbitrary: fc.constant('open' as const), weight: 4 }, { arbitrary: fc.constant('again' as const), weight: 1 }),
    body: fc.oneof({ arbitrary: fc.constant<Body>('plain'), weight: 8 }, { arbitrary: fc.constantFrom<Body>('answered', 'unsent', 'results', 'many', 'alerts'), weight: 5 }),
    count: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 20 }), weight: 4 }, { arbitrary: fc.integer({ min: 500, max: 3000 }), weight: 1 }),
    code: fc.constantFrom(200, 202, 212, 400, 404, 405, 418, 500, 507, 100, 599),
    alert: fc.constantFrom(1200, 1201, 1222, 1223, 1224, 1225, 1100, 9999),
    ref: fc.oneof(fc.constantFrom('0', '1', '2', '999', '-1', 'abc', '', '4294967296', '99999999999999999999'), hostileString.map((s) => xmlChars(s.slice(0, 200)))),
    header,
    how: xmlBreak(vocabulary, 12),
    path: fc.oneof({ arbitrary: fc.constant(managementPath), weight: 12 }, { arbitrary: fc.constantFrom(MANAGEMENT, MANAGEMENT.toLowerCase(), `${MANAGEMENT}?mode=%ZZ&Platform`, `${MANAGEMENT}/`), weight: 1 }),
    contentType: fc.oneof(
      { arbitrary: fc.constant<string | undefined>(SYNCML_DM_CONTENT_TYPE), weight: 14 },
      { arbitrary: fc.constantFrom(undefined, '', `${SYNCML_DM_CONTENT_TYPE}; charset=UTF-8`, SYNCML_DM_CONTENT_TYPE.toUpperCase(), 'application/vnd.syncml.dm+wbxml', 'application/vnd.syncml.dm+xmlx', 'application/xml', 'text/plain'), weight: 2 },
    ),
    carriage: mostlyPlain<Carriage>(carriage, { coding: 'none', framing: 'length' }),
    extra: mostlyPlain(extraHeaders, []),
  });

  /** The commands of the message, by `body`. */
  const commandsOf = (input: DmInput, open: boolean): SyncMLCommand[] => {
    const opening: SyncMLCommand[] = [
      { kind: 'Alert', cmdId: '1', code: 1201, items: [] },
      loginStatusAlert('2', 'user'),
      { kind: 'Replace', cmdId: '3', items: [['DevId', device.deviceId], ['Man', 'Contoso Ltd.'], ['Mod', 'Surface Laptop 4']].map(([k, v]) => ({ source: `./DevInfo/${k}`, meta: { format: 'chr' }, data: v })) },
    ];
    const plain = open ? opening : client.lastReply ? client.answer(client.lastReply) : [];
    const next = (n: number) => String(plain.length + n + 1);
    const repeat = <T>(f: (i: number) => T) => Array.from({ length: input.count }, (_, i) => f(i));
    switch (input.body) {
      case 'plain':
        return plain;
      case 'answered': // the server's commands answered with another code, its Gets with a value of the input's
        return open || !client.lastReply ? plain : client.answer(client.lastReply, () => input.code, () => input.ref);
      case 'unsent':
        return [...plain, ...repeat((i): SyncMLCommand => ({ kind: 'Status', cmdId: next(i), msgRef: input.ref, cmdRef: i === 0 ? input.ref : String(1000 + i), cmd: i % 2 ? 'Add' : 'Atomic', code: input.code, targetRefs: [], sourceRefs: [], items: [] }))];
      case 'results':
        return [...plain, ...repeat((i): SyncMLCommand => ({ kind: 'Results', cmdId: next(i), msgRef: '1', cmdRef: input.ref, targetRefs: [], sourceRefs: [], items: [{ source: `./Vendor/MSFT/EMAIL2/{${i}}/ACCOUNTNAME`, meta: { format: 'chr' }, data: input.ref }] }))];
      case 'many':
        return [...plain, ...repeat((i): SyncMLCommand => ({ kind: 'Replace', cmdId: next(i), items: [{ source: i % 2 ? './DevInfo/Lang' : './Vendor/MSFT/DMClient/HWDevID', meta: { format: 'chr' }, data: `${input.ref}${i}` }] }))];
      case 'alerts':
        return [...plain, ...repeat((i): SyncMLCommand => ({ kind: 'Alert', cmdId: next(i), code: input.alert, items: i === 0 ? [] : [{ meta: { type: input.ref, format: 'chr' }, data: input.ref }] }))];
    }
  };

  const credentialOf = (change: HeaderChange): 'md5' | 'none' | SyncMLCredential => {
    if (change.kind !== 'cred') return 'md5';
    switch (change.cred) {
      case 'none':
        return 'none';
      case 'wrongSecret':
        return md5Credential(device.authName, `${device.authSecret}x`, client.nonce);
      case 'previousNonce':
        return md5Credential(device.authName, device.authSecret, previousNonce);
      case 'otherDevice':
        return md5Credential(bystander.authName, bystander.authSecret, bystander.nonce);
      case 'basic':
        return basicCredential(device.authName, device.authSecret);
      case 'garbage':
        return { meta: { type: 'syncml:auth-md5', format: 'b64' }, data: 'AAAA!!==' };
      case 'otherType':
        return { meta: { type: 'syncml:auth-MAC', format: 'b64' }, data: md5Credential(device.authName, device.authSecret, client.nonce).data };
    }
  };

  /** The message as the device would send it now, then changed in its header as the input says. */
  const messageFor = (input: DmInput): Buffer => {
    const open = input.step === 'open' || client.sessionId === 0;
    const sessionId = open ? client.sessionId + 1 : client.sessionId;
    const msgId = open ? 1 : client.msgId + 1;
    const change = input.header;
    let xml = client.build(commandsOf(input, open), {
      sessionId: sessionId.toString(16).toUpperCase(),
      msgId,
      cred: credentialOf(change),
      ...(change.kind === 'source' ? { source: change.value } : {}),
      ...(change.kind === 'maxMsgSize' ? { meta: { maxMsgSize: change.value } } : {}),
    });
    const escaped = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const replaceFirst = (element: string, value: string) => (xml = xml.replace(new RegExp(`<${element}>[^<]*</${element}>`), `<${element}>${escaped(value)}</${element}>`));
    if (change.kind === 'sessionId') replaceFirst('SessionID', change.value);
    if (change.kind === 'msgId') replaceFirst('MsgID', change.value);
    if (change.kind === 'verProto') replaceFirst('VerProto', change.value);
    if (change.kind === 'target') replaceFirst('LocURI', change.value);
    if (change.kind === 'locName') xml = xml.replace(/(<Source><LocURI>[^<]*<\/LocURI>)/, `$1<LocName>${escaped(change.value)}</LocName>`);
    return Buffer.from(xml, 'utf8');
  };

  /** Follows the session as the device would: the next nonce of a challenge, and the session moved on by a message the server took. */
  const follow = (answer: HttpAnswer): { reply?: SyncMLMessage; problems: string[] } => {
    if (answer.status !== 200) return { problems: [] };
    const type = answer.headers.get('content-type')?.[0] ?? '';
    if (!type.startsWith(SYNCML_DM_CONTENT_TYPE)) return { problems: [`a 200 that is not ${SYNCML_DM_CONTENT_TYPE} (${type || 'no Content-Type'})`] };
    let reply: SyncMLMessage;
    let hdr;
    try {
      reply = decodeSyncML(answer.body);
      hdr = hdrStatus(reply);
    } catch (err) {
      return { problems: [`a 200 whose body is not a SyncML reply that begins with the Status of the SyncHdr: ${(err as Error).message}`] };
    }
    if (hdr.chal?.nextNonce) {
      const nonce = nonceOfChallenge(hdr.chal);
      if (!nonce.equals(client.nonce)) [previousNonce, client.nonce] = [client.nonce, nonce];
    }
    if (hdr.code !== 200) return { reply, problems: reply.commands.length === 1 ? [] : [`a refusal (SyncHdr Status ${hdr.code}) that holds more than the Status of the SyncHdr`] };
    reached++;
    // The session is where the message the server took put it (a broken message may have moved it too).
    const sessionId = Number.parseInt(reply.header.sessionId, 16);
    const msgId = Number(hdr.msgRef);
    if (/^[0-9A-F]{1,8}$/i.test(reply.header.sessionId) && Number.isSafeInteger(msgId) && msgId > 0) [client.sessionId, client.msgId, client.lastReply] = [sessionId, msgId, reply];
    return { reply, problems: [] };
  };

  return {
    runs: 150,
    inputs: inputsOf,
    async send(input: DmInput): Promise<Outcome> {
      inputs++;
      const built = input.step === 'again' && lastSent ? undefined : messageFor(input);
      const body = built ? breakXml(built, input.how, lastSent ? [lastSent] : []) : lastSent!;
      lastSent = body;
      const headers: [string, string][] = [];
      if (input.contentType !== undefined) headers.push(['Content-Type', input.contentType]);
      const carried = carry(body, input.carriage);
      headers.push(...(carried.headers as [string, string][]), ...input.extra);
      const ex = await exchange(server.port, requestBytes({ method: 'POST', target: input.path, headers, body: carried.body }, `127.0.0.1:${server.port}`), { endAfterWrite: incomplete(input.carriage) });
      const problems: string[] = [];
      let accepted = false;
      for (const answer of ex.answers) {
        if (answer.status < 200) continue; // an interim answer (100 Continue to an Expect: RFC 9110 §15.2)
        if (answer.status >= 400 && answer.status < 500 && answer.body.length === 0 && !answer.headers.has('content-type')) continue; // Node's HTTP layer (400, 417, 431): no endpoint saw it
        if (answer.status !== 200) problems.push(...oneLineRefusal(answer, { method: 'POST' }), ...(answer.status >= 500 || answer.status < 400 ? [`a ${answer.status} from the OMA-DM endpoint`] : []));
        const followed = follow(answer);
        problems.push(...followed.problems);
        if (followed.reply && hdrStatus(followed.reply).code === 200) accepted = true;
      }
      return { sent: ex.request, answers: ex.answers, received: ex.raw, timedOut: ex.timedOut, problems, accepted };
    },
    async stillServes(): Promise<string[]> {
      const problems: string[] = [];
      const other = new WireDmClient(ws, bystander);
      const reply = await other.open();
      if (hdrStatus(reply).code !== 200) problems.push(`a device the batch never named is refused its session: SyncHdr Status ${hdrStatus(reply).code}`);
      // What the batch reached (the seed is fixed: the default run is the same inputs every time).
      if (inputs >= 100 && reached < inputs / 20) problems.push(`only ${reached} of ${inputs} messages got past the SyncHdr checks: the batch hardly reaches the session`);
      return problems;
    },
  };
});

