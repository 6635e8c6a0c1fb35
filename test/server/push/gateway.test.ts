import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** A device connection that records what the gateway sends. */
async function connect(token?: string): Promise<{ ws: WebSocket; messages: Record<string, unknown>[]; token: string; next: () => Promise<Record<string, unknown>> }> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/push`);
  const messages: Record<string, unknown>[] = [];
  const waiters: ((m: Record<string, unknown>) => void)[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as Record<string, unknown>;
    const w = waiters.shift();
    if (w) w(m);
    else messages.push(m);
  });
  const next = () => new Promise<Record<string, unknown>>((resolve) => (messages.length ? resolve(messages.shift()!) : waiters.push(resolve)));
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify(token ? { type: 'connect', token } : { type: 'connect' }));
  const hello = await next();
  return { ws, messages, token: hello.token as string, next };
}
const apns = (token: string, body: object, headers: Record<string, string> = {}) =>
  request(server.url)
    .post(`/push/3/device/${token}`)
    .set({ authorization: `bearer ${server.adminToken}`, 'apns-topic': 'com.apple.mgmt.test', ...headers })
    .send(body);

/** A token the gateway issued to a device that has gone offline since. */
async function offlineToken(): Promise<string> {
  const d = await connect();
  const closed = new Promise((r) => d.ws.once('close', r));
  d.ws.close();
  await closed;
  await new Promise((r) => setTimeout(r, 20)); // the gateway sees the close after the client does
  return d.token;
}

describe('push gateway', () => {
  it('issues a token to a new device and keeps it on reconnect', async () => {
    const a = await connect();
    expect(a.token).toMatch(/^[0-9a-f]{64}$/);
    a.ws.close();
    const b = await connect(a.token);
    expect(b.token).toBe(a.token);
    b.ws.close();
  });

  it('delivers at once to a connected device', async () => {
    const d = await connect();
    await apns(d.token, { mdm: 'magic-1' }).expect(200).expect('apns-id', /.+/);
    expect(await d.next()).toEqual({ type: 'notification', topic: 'com.apple.mgmt.test', payload: { mdm: 'magic-1' } });
    d.ws.close();
  });

  it('holds one notification per token while offline, newer replacing older, and delivers it on reconnect', async () => {
    const token = await offlineToken();
    await apns(token, { mdm: 'older' }).expect(200);
    await apns(token, { mdm: 'newer' }).expect(200);
    expect(server.push.stats().held).toBeGreaterThanOrEqual(1);
    const d = await connect(token);
    expect(await d.next()).toMatchObject({ type: 'notification', payload: { mdm: 'newer' } });
    await new Promise((r) => setTimeout(r, 50));
    expect(d.messages).toEqual([]);
    d.ws.close();
  });

  it('drops a notification whose expiration has passed, and apns-expiration 0 means deliver now or never', async () => {
    const token = await offlineToken();
    await apns(token, { mdm: 'stale' }, { 'apns-expiration': '0' }).expect(200);
    const d = await connect(token);
    await new Promise((r) => setTimeout(r, 50));
    expect(d.messages).toEqual([]);
    d.ws.close();
  });

  it('lets the newest connection for a token win', async () => {
    const first = await connect();
    const closed = new Promise<number>((r) => first.ws.once('close', (code) => r(code)));
    const second = await connect(first.token);
    expect(await closed).toBe(4000);
    await apns(first.token, { mdm: 'to-second' }).expect(200);
    expect(await second.next()).toMatchObject({ payload: { mdm: 'to-second' } });
    second.ws.close();
  });

  it('answers bad APNs requests with APNs reasons', async () => {
    expect((await apns('xyz', { mdm: 'm' }).expect(400)).body).toEqual({ reason: 'BadDeviceToken' });
    const token = await offlineToken();
    const authed = () => request(server.url).post(`/push/3/device/${token}`).set('authorization', `bearer ${server.adminToken}`);
    expect((await authed().send({ mdm: 'm' }).expect(400)).body.reason).toBe('MissingTopic');
    expect((await apns(token, { mdm: 'm' }, { 'apns-topic': 'x'.repeat(256) }).expect(400)).body.reason).toBe('BadTopic');
    expect((await apns(token, { mdm: 'x'.repeat(5000) }).expect(413)).body.reason).toBe('PayloadTooLarge');
    expect((await apns(token, {}).expect(400)).body.reason).toBe('PayloadEmpty');
    expect((await apns(token, { mdm: 5 }).expect(400)).body.reason).toBe('BadPayload');
    expect((await apns(token, { mdm: 'm' }, { 'apns-expiration': 'soon' }).expect(400)).body.reason).toBe('BadExpirationDate');
    expect((await authed().set('apns-topic', 't').set('Content-Type', 'application/json').send('{bad').expect(400)).body.reason).toBe('BadPayload');
  });

  it('closes connections that do not speak the protocol', async () => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/push`);
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('hello');
    expect(await closed).toBe(1008);
    const wrongPath = new WebSocket(`${server.url.replace('http', 'ws')}/elsewhere`);
    await new Promise((r) => wrongPath.once('error', r));
  });
});
