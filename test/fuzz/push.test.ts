/**
 * Fuzz: the push gateway. Its APNs-shaped HTTP API (POST /push/3/device/<token>: tokens the gateway
 * issued or nearly, provider tokens, apns-* headers, payloads, codings) and its WebSocket (upgrade
 * requests of every shape, then frames: `connect` with good and bad tokens, junk, binary, control
 * frames, reserved bits, unmasked, oversized, lying lengths). Besides the common properties: API
 * refusals are APNs' `{"reason"}` with the status APNs gives, the server's WebSocket messages are
 * the protocol's, the database never changes (push keeps nothing there), and afterwards a device
 * still connects, gets a token and receives a push.
 */
import fc from 'fast-check';
import WebSocket from 'ws';
import { APNS_REASONS } from '../../protocol/push/apns-reasons.js';
import { decodeServerMessage } from '../../protocol/push/messages.js';
import { offlinePushToken } from '../helpers/push-token.js';
import { fuzzFamily, type Outcome } from './harness/family.js';
import { carriage, carry, extraHeaders, incomplete, type Carriage } from './harness/http-variants.js';
import { hexString, hostileString, mutatedBytes, percentEncoded } from './harness/mutations.js';
import { exchange, requestBytes, type HttpAnswer } from './harness/raw-http.js';
import { clientFrames, closePayload, frameBytes, parseServerFrames, type FrameSpec } from './harness/websocket-frames.js';

type PushInput =
  | { kind: 'api'; method: string; path: string; headers: [string, string][]; body: Buffer; carriage: Carriage }
  | { kind: 'socket'; target: string; headers: [string, string][]; frames: FrameSpec[]; close: boolean };

const TOPIC = 'com.apple.mgmt.External.6d3f8e42-8a6b-4a49-9d3e-1c3f1e0f9a11';

/** Connects like a device, takes the token it is given; optionally stays connected. */
async function device(url: string, token?: string): Promise<{ token: string; ws: WebSocket; messages: string[] }> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/push`);
  const messages: string[] = [];
  const given = await new Promise<string>((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify(token ? { type: 'connect', token } : { type: 'connect' })));
    ws.on('message', (d) => {
      messages.push(d.toString());
      const m = decodeServerMessage(d.toString());
      if (m?.type === 'token') resolve(m.token);
    });
    ws.on('error', reject);
  });
  return { token: given, ws, messages };
}

fuzzFamily('push gateway', async (server) => {
  const offline = await offlinePushToken({ url: server.url, push: { stats: () => ({ connected: 0 }) } });
  const online = await device(server.url);
  const issued = [offline, online.token];
  const auth = `bearer ${server.adminToken}`;

  const token = fc.oneof(
    { arbitrary: fc.constantFrom(...issued), weight: 4 },
    { arbitrary: fc.tuple(fc.constantFrom(...issued), fc.nat({ max: 63 })).map(([t, i]) => t.slice(0, i) + (t[i] === 'a' ? 'b' : 'a') + t.slice(i + 1)), weight: 2 },
    { arbitrary: fc.oneof(hexString(64), fc.constantFrom('', 'A'.repeat(64), '0'.repeat(63), '0'.repeat(65), `${offline}/x`, '%2e%2e', 'x'.repeat(9000)), hostileString.map((s) => percentEncoded(s.slice(0, 200)))), weight: 2 },
  );
  const payload = fc.oneof(
    { arbitrary: fc.constant(Buffer.from('{"mdm":"pm-1"}')), weight: 5 },
    { arbitrary: fc.constantFrom({ mdm: '' }, { aps: { alert: 'x' } }, { mdm: 1 }, { mdm: ['x'] }, {}, [], null, 'mdm', { mdm: 'x'.repeat(5000) }).map((v) => Buffer.from(JSON.stringify(v))), weight: 4 },
    { arbitrary: mutatedBytes(Buffer.from('{"mdm":"pm-1"}'), ['{', '}', '"', ':', ',', '\\u0000']), weight: 2 },
    { arbitrary: fc.constantFrom(Buffer.alloc(0), Buffer.from(`{"mdm":"${'x'.repeat(4100)}"}`), Buffer.from(`${'['.repeat(5000)}${']'.repeat(5000)}`)), weight: 1 },
  );
  const apnsHeaders = fc.record({
    authorization: fc.oneof({ arbitrary: fc.constant(auth), weight: 8 }, { arbitrary: fc.constantFrom(undefined, '', 'bearer', `Bearer ${server.adminToken}`, `bearer ${server.adminToken}x`, 'bearer x', `basic ${server.adminToken}`), weight: 2 }),
    topic: fc.oneof({ arbitrary: fc.constant(TOPIC), weight: 8 }, { arbitrary: fc.constantFrom(undefined, '', ' ', 'a'.repeat(256), 'com.apple.mgmt', 'with space', '\u00e9'), weight: 2 }),
    expiration: fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, { arbitrary: fc.constantFrom('0', '1', '-1', '32503680000', '999999999999', '9999999999999', 'tomorrow', '1.5', ''), weight: 2 }, { arbitrary: fc.integer({ min: 0, max: 4_000_000_000 }).map(String), weight: 1 }),
    contentType: fc.constantFrom(undefined, 'application/json', 'application/json', 'text/plain', 'application/json; charset=utf-16'),
    more: fc.oneof({ arbitrary: fc.constant([] as [string, string][]), weight: 4 }, { arbitrary: fc.constantFrom<[string, string][]>([['apns-priority', '10']], [['apns-push-type', 'mdm']], [['apns-id', 'not-a-uuid']], [['apns-collapse-id', 'x'.repeat(100)]]), weight: 1 }),
  }).map((h) => {
    const out: [string, string][] = [];
    if (h.authorization !== undefined) out.push(['authorization', h.authorization]);
    if (h.topic !== undefined) out.push(['apns-topic', h.topic]);
    if (h.expiration !== undefined) out.push(['apns-expiration', h.expiration]);
    if (h.contentType !== undefined) out.push(['Content-Type', h.contentType]);
    return [...out, ...h.more];
  });
  const api = fc.record({
    kind: fc.constant('api' as const),
    method: fc.oneof({ arbitrary: fc.constant('POST'), weight: 10 }, { arbitrary: fc.constantFrom('GET', 'PUT', 'HEAD', 'DELETE'), weight: 1 }),
    path: fc.oneof({ arbitrary: token.map((t) => `/push/3/device/${t}`), weight: 10 }, { arbitrary: token.map((t) => fc.constantFrom(`/push/3/device/${t}/x`, `/push/2/device/${t}`, '/push/3/device/', '/push', '/push/', `/PUSH/3/DEVICE/${t}`)).chain((x) => x), weight: 1 }),
    headers: fc.tuple(apnsHeaders, extraHeaders).map(([a, b]) => [...a, ...b]),
    body: payload,
    carriage,
  });

  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  const handshake = fc.oneof(
    { arbitrary: fc.constant<[string, string][]>([['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Version', '13'], ['Sec-WebSocket-Key', key]]), weight: 8 },
    {
      arbitrary: fc.record({
        upgrade: fc.constantFrom('websocket', 'WebSocket', 'h2c', '', 'websocket, h2c'),
        connection: fc.constantFrom('Upgrade', 'upgrade, keep-alive', 'keep-alive', 'close'),
        version: fc.constantFrom('13', '8', '7', '99', '', '13, 8', undefined),
        key: fc.constantFrom(key, '', 'short', 'x'.repeat(100), 'dGhlIHNhbXBsZSBub25jZQ', undefined),
        extra: fc.constantFrom<[string, string][]>([], [['Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits']], [['Sec-WebSocket-Protocol', 'mdm, , x']], [['Origin', 'null']], [['Sec-WebSocket-Extensions', 'x'.repeat(2000)]]),
      }).map((h) => {
        const out: [string, string][] = [['Upgrade', h.upgrade], ['Connection', h.connection]];
        if (h.version !== undefined) out.push(['Sec-WebSocket-Version', h.version]);
        if (h.key !== undefined) out.push(['Sec-WebSocket-Key', h.key]);
        return [...out, ...h.extra];
      }),
      weight: 2,
    },
  );
  const socket = fc.record({
    kind: fc.constant('socket' as const),
    target: fc.oneof({ arbitrary: fc.constant('/push'), weight: 10 }, { arbitrary: fc.constantFrom('/push?token=x', `http://127.0.0.1:${server.port}/push`, '/push/', '/Push', '//push', 'http://[::1', '/%', '*', '/elsewhere', `ws://127.0.0.1/push`), weight: 2 }),
    headers: handshake,
    frames: clientFrames({ issued }),
    close: fc.boolean(),
  });

  return {
    runs: 200,
    inputs: fc.oneof(api, socket) as fc.Arbitrary<PushInput>,
    async send(input: PushInput): Promise<Outcome> {
      if (input.kind === 'api') {
        const carried = carry(input.body, input.carriage);
        const bytes = requestBytes({ method: input.method, target: input.path, headers: [...input.headers, ...carried.headers], body: carried.body }, `127.0.0.1:${server.port}`);
        const ex = await exchange(server.port, bytes, { endAfterWrite: incomplete(input.carriage) });
        return { sent: ex.request, answers: ex.answers, received: ex.raw, timedOut: ex.timedOut, accepted: false, problems: ex.answers.flatMap((a) => apnsProblems(a, input.path, input.method)) };
      }
      const head = requestBytes({ method: 'GET', target: input.target, headers: input.headers }, `127.0.0.1:${server.port}`);
      const frames = [...input.frames, ...(input.close ? [{ fin: true, rsv: 0, opcode: 8, masked: true, payload: closePayload(1000) }] : [])].map(frameBytes);
      // Half-closed after the frames: the gateway answers what it read, then the connection ends.
      const ex = await exchange(server.port, [head, ...frames], { endAfterWrite: true });
      const problems: string[] = [];
      if (ex.answers[0]?.status === 101) {
        const parsed = parseServerFrames(ex.trailing);
        problems.push(...parsed.problems);
        for (const f of parsed.frames) {
          if (f.opcode === 1 && !decodeServerMessage(f.payload.toString('utf8'))) problems.push(`a server message that is not the protocol's: ${f.payload.toString('utf8').slice(0, 200)}`);
          if (f.opcode === 8 && f.payload.length >= 2 && !validCloseCode(f.payload.readUInt16BE(0))) problems.push(`a close code RFC 6455 §7.4 does not allow: ${f.payload.readUInt16BE(0)}`);
        }
      }
      return { sent: ex.request, answers: ex.answers, received: ex.raw, timedOut: ex.timedOut, accepted: false, problems };
    },
    async stillServes() {
      const fresh = await device(server.url);
      const res = await fetch(`${server.url}/push/3/device/${fresh.token}`, { method: 'POST', headers: { authorization: auth, 'apns-topic': TOPIC }, body: '{"mdm":"still-there"}' });
      await new Promise((r) => setTimeout(r, 100));
      fresh.ws.close();
      return res.status === 200 && fresh.messages.some((m) => m.includes('still-there')) ? [] : [`after the batch a device connected but a push to it answered ${res.status} and it got ${JSON.stringify(fresh.messages)}`];
    },
    async close() {
      online.ws.close();
    },
  };
});

/** RFC 6455 §7.4.1–7.4.2: codes a peer may send in a close frame. */
const validCloseCode = (code: number) => (code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code)) || (code >= 3000 && code <= 4999);

/** The API's answers: 200 with an apns-id, or APNs' `{"reason"}` with its status (outside the route: one line of text). */
function apnsProblems(a: HttpAnswer, path: string, method: string): string[] {
  if (a.status === 200 || a.body.length === 0 || method === 'HEAD') return [];
  const type = a.headers.get('content-type')?.[0] ?? '';
  if (!type.startsWith('application/json')) {
    return /^\/push\/3\/device\/[^/?]+$/i.test(path) && method === 'POST' ? [`a ${a.status} to the push API that is not APNs' JSON`] : [];
  }
  try {
    const reason = (JSON.parse(a.body.toString('utf8')) as { reason?: unknown }).reason;
    // A content coding the API does not take is the one reason of its own (415, RFC 9110 §15.5.16).
    if (reason === 'UnsupportedContentEncoding') return a.status === 415 ? [] : [`reason ${reason} answered ${a.status}`];
    if (typeof reason !== 'string' || !(reason in APNS_REASONS)) return [`a ${a.status} with a reason APNs does not have: ${a.body.toString('utf8').slice(0, 100)}`];
    const expected = APNS_REASONS[reason as keyof typeof APNS_REASONS].status;
    return expected === a.status ? [] : [`reason ${reason} answered ${a.status}, APNs answers ${expected}`];
  } catch {
    return [`a ${a.status} whose JSON does not parse`];
  }
}
