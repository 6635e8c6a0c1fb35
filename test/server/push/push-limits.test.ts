import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEFAULT_CONFIG } from '../../../server/config.js';
import { startServer } from '../../../server/server.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * Issue 7, item 3: what anyone can make the push gateway hold is bounded. The HTTP push API is the
 * server's own (it pushes in-process), so it wants the admin token; notifications are held only for
 * tokens the gateway issued, a limited number of them for a limited time; WebSockets that never say
 * `connect` are closed, and only so many may be open.
 */
const opened: WebSocket[] = [];
afterEach(() => {
  for (const ws of opened.splice(0)) ws.terminate();
});

const wsUrl = (s: TestServer) => `${s.url.replace('http', 'ws')}/push`;

function open(s: TestServer): Promise<WebSocket> {
  const ws = new WebSocket(wsUrl(s));
  opened.push(ws);
  ws.on('error', () => {}); // a socket terminated while connecting reports one
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Connects as a device (presenting `token`, or none): the token the gateway gives, and what it sends next. */
async function connect(s: TestServer, token?: string): Promise<{ ws: WebSocket; token: string; next: () => Promise<Record<string, unknown>> }> {
  const ws = await open(s);
  const queue: Record<string, unknown>[] = [];
  const waiting: ((m: Record<string, unknown>) => void)[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as Record<string, unknown>;
    const w = waiting.shift();
    if (w) w(m);
    else queue.push(m);
  });
  const next = () => new Promise<Record<string, unknown>>((resolve) => (queue.length ? resolve(queue.shift()!) : waiting.push(resolve)));
  ws.send(JSON.stringify(token ? { type: 'connect', token } : { type: 'connect' }));
  const hello = await next();
  return { ws, token: hello.token as string, next };
}

/** A token the gateway issued to a device that is offline now. */
async function offlineToken(s: TestServer): Promise<string> {
  const { ws, token } = await connect(s);
  ws.close();
  await eventually(() => s.push.stats().connected === 0);
  return token;
}

async function eventually(ok: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const push = (s: TestServer, token: string, headers: Record<string, string> = {}) =>
  request(s.url).post(`/push/3/device/${token}`).set({ 'apns-topic': 'com.apple.mgmt.test', ...headers }).send({ mdm: 'magic' });
const authed = (s: TestServer) => ({ authorization: `bearer ${s.adminToken}` });

describe('the HTTP push API', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('wants the provider (admin) token, and holds nothing for a request without it', async () => {
    const token = await offlineToken(server);
    const before = server.push.stats().held;
    expect((await push(server, token).expect(403)).body).toEqual({ reason: 'MissingProviderToken' });
    expect((await push(server, token, { authorization: 'bearer not-the-token' }).expect(403)).body).toEqual({ reason: 'InvalidProviderToken' });
    expect((await push(server, token, { authorization: `Basic ${server.adminToken}` }).expect(403)).body).toEqual({ reason: 'MissingProviderToken' });
    expect(server.push.stats().held).toBe(before);
    await push(server, token, authed(server)).expect(200);
    expect(server.push.stats().held).toBe(before + 1);
  });

  it('holds only for tokens the gateway issued: a made-up token is a BadDeviceToken and holds nothing', async () => {
    const before = server.push.stats();
    for (let i = 0; i < 20; i++) {
      expect((await push(server, randomBytes(32).toString('hex'), authed(server)).expect(400)).body).toEqual({ reason: 'BadDeviceToken' });
    }
    const after = server.push.stats();
    expect(after.held).toBe(before.held);
    expect(after.refused.unknownToken - before.refused.unknownToken).toBe(20);
    expect(server.push.send(randomBytes(32).toString('hex'), 'com.apple.mgmt.test', { mdm: 'm' })).toBe('unknownToken');
  });

  it('takes a notification asking to be held until the year 3000 (held for the capped time, below)', async () => {
    const token = await offlineToken(server);
    const before = server.push.stats().held;
    await push(server, token, { ...authed(server), 'apns-expiration': '32503680000' }).expect(200);
    expect(server.push.stats().held).toBe(before + 1);
  });
});

describe('push tokens', () => {
  it('a connection presenting a token the gateway did not issue gets a fresh one', async () => {
    const server = await startTestServer();
    try {
      const madeUp = randomBytes(32).toString('hex');
      const { token } = await connect(server, madeUp);
      expect(token).toMatch(/^[0-9a-f]{64}$/);
      expect(token).not.toBe(madeUp);
      expect(server.push.stats()).toMatchObject({ connected: 1, issued: 1, reissued: 1 });
    } finally {
      await server.stop();
    }
  });

  it('survive a restart: the same data folder recognises them, and holds for them', async () => {
    const first = await startTestServer();
    const token = await offlineToken(first);
    await first.stop({ keepData: true });
    const second = await startTestServer({ dataDir: first.dataDir });
    try {
      expect(second.push.send(token, 'com.apple.mgmt.test', { mdm: 'after restart' })).toBe('held');
      const { token: again, next } = await connect(second, token);
      expect(again).toBe(token);
      expect(await next()).toMatchObject({ type: 'notification', payload: { mdm: 'after restart' } });
      expect(second.push.stats()).toMatchObject({ issued: 0, reissued: 0 });
    } finally {
      await second.stop();
    }
  });

  it('keep the gateway secret out of the log', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'trace' }, { write: (l: string) => lines.push(l) });
    const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-push-'));
    const server = await startServer({ ...DEFAULT_CONFIG, port: 0, host: '127.0.0.1', dataDir, adminToken: 't' }, log);
    try {
      const secret = (await server.store.settings.get('push.tokenSecret'))!;
      expect(Buffer.from(secret, 'base64')).toHaveLength(32);
      expect(lines.join('')).not.toContain(secret);
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('bounded holds', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ push: { maxHeld: 3 } });
  });
  afterAll(() => server.stop());

  it('refuses a hold beyond maxHeld (APNs 503 ServiceUnavailable), yet a held one can still be replaced', async () => {
    const tokens = [await offlineToken(server), await offlineToken(server), await offlineToken(server), await offlineToken(server)];
    for (const t of tokens.slice(0, 3)) await push(server, t, authed(server)).expect(200);
    expect((await push(server, tokens[3]!, authed(server)).expect(503)).body).toEqual({ reason: 'ServiceUnavailable' });
    expect(server.push.send(tokens[3]!, 'com.apple.mgmt.test', { mdm: 'm' })).toBe('holdsFull');
    await push(server, tokens[0]!, authed(server)).expect(200); // newer replaces older: no new hold
    expect(server.push.stats()).toMatchObject({ held: 3, replaced: 1, refused: { holdsFull: 2 } });
    // A delivered hold frees its place.
    await connect(server, tokens[1]);
    expect(server.push.send(tokens[3]!, 'com.apple.mgmt.test', { mdm: 'm' })).toBe('held');
  });
});

describe('WebSocket bounds', () => {
  it('closes a WebSocket that sends no connect message within connectTimeoutMs', async () => {
    const server = await startTestServer({ push: { connectTimeoutMs: 200 } });
    try {
      const ws = await open(server);
      const [code, reason] = await new Promise<[number, string]>((resolve) => ws.once('close', (c, r) => resolve([c, r.toString()])));
      expect(code).toBe(1008);
      expect(reason).toMatch(/no connect message/);
      await eventually(() => server.push.stats().sockets === 0);
      expect(server.push.stats().refused.connectTimeout).toBe(1);
      // A device that does say connect in time keeps its connection past the timeout.
      const { ws: device } = await connect(server);
      await new Promise((r) => setTimeout(r, 400));
      expect(device.readyState).toBe(WebSocket.OPEN);
    } finally {
      await server.stop();
    }
  });

  it('does not close a device whose connect message arrived while the server was stalled past the timeout', async () => {
    const server = await startTestServer({ push: { connectTimeoutMs: 200 } });
    try {
      const ws = await open(server);
      const token = new Promise<string>((resolve, reject) => {
        ws.once('message', (d) => resolve((JSON.parse(d.toString()) as { token: string }).token));
        ws.once('close', (code, reason) => reject(new Error(`closed ${code} ${reason.toString()}`)));
      });
      ws.send(JSON.stringify({ type: 'connect' }));
      const until = Date.now() + 500;
      while (Date.now() < until); // the whole process stalls (a busy machine): the timer is due before the message is read
      expect(await token).toMatch(/^[0-9a-f]{64}$/);
      await new Promise((r) => setTimeout(r, 50));
      expect(ws.readyState).toBe(WebSocket.OPEN);
      expect(server.push.stats().refused.connectTimeout).toBe(0);
    } finally {
      await server.stop();
    }
  });

  it('answers 503 to upgrades beyond maxConnections, and takes new ones once a place is free', async () => {
    const server = await startTestServer({ push: { maxConnections: 3 } });
    try {
      const three = [await open(server), await open(server), await open(server)];
      const refused = new WebSocket(wsUrl(server));
      refused.on('error', () => {});
      opened.push(refused);
      const status = await new Promise<number>((resolve) => refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
      expect(status).toBe(503);
      expect(server.push.stats()).toMatchObject({ sockets: 3, refused: { connectionsFull: 1 } });
      three[0]!.close();
      await eventually(() => server.push.stats().sockets === 2);
      await connect(server);
      expect(server.push.stats()).toMatchObject({ sockets: 3, connected: 1 });
    } finally {
      await server.stop();
    }
  });

  it('drops a connection that stops answering pings; a live device stays', async () => {
    const server = await startTestServer({ push: { heartbeatMs: 100 } });
    try {
      const live = await connect(server);
      const silent = await silentPeer(server);
      await eventually(() => silent.closed);
      expect(server.push.stats().refused.unresponsive).toBe(1);
      expect(live.ws.readyState).toBe(WebSocket.OPEN);
      expect(server.push.stats().connected).toBe(1);
    } finally {
      await server.stop();
    }
  });
});

/** A raw-TCP WebSocket peer that says connect, then never answers anything (a peer gone without closing). */
async function silentPeer(s: TestServer): Promise<{ closed: boolean }> {
  const { port } = new URL(s.url);
  const key = randomBytes(16).toString('base64');
  const state = { closed: false };
  const socket = net.connect(Number(port), '127.0.0.1');
  socket.on('error', () => {});
  socket.on('close', () => (state.closed = true));
  await new Promise<void>((resolve) => {
    let text = '';
    socket.on('data', function onData(d) {
      text += d.toString('latin1');
      if (!text.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      expect(text).toContain(createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64'));
      resolve();
    });
    socket.write(`GET /push HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n\r\n`);
  });
  // One masked text frame (RFC 6455 §5.2), then silence.
  const payload = Buffer.from(JSON.stringify({ type: 'connect' }));
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
  return state;
}
