import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PushClient } from '../../../agents/push/push-client.js';
import { SeededRandom } from '../../../agents/random/seeded-random.js';
import { PushGateway } from '../../../server/push/gateway.js';
import { PushTokens } from '../../../server/push/push-tokens.js';

let server: http.Server;
let gateway: PushGateway;
let url: string;
const clients: PushClient[] = [];
/** The gateway's secret outlives a restart (the server keeps it in its store). */
const tokens = new PushTokens(randomBytes(32));
const newGateway = (t = tokens) => new PushGateway({ log: pino({ level: 'silent' }), tokens: t });

beforeEach(async () => {
  server = http.createServer();
  gateway = newGateway();
  gateway.attach(server, '/push');
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/push`;
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  gateway.close();
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
});

const client = (token?: string) => {
  const c = new PushClient({ url, ...(token ? { token } : {}), initialBackoffMs: 20, maxBackoffMs: 100, random: new SeededRandom(1) });
  clients.push(c);
  return c;
};
const next = <T extends unknown[]>(c: PushClient, event: 'notification' | 'token'): Promise<T> =>
  new Promise((resolve) => c.once(event, (...args: unknown[]) => resolve(args as T)));

describe('PushClient against the push gateway', () => {
  it('gets a token on first connect and receives notifications', async () => {
    const c = client();
    c.setOnline(true);
    const token = await c.waitForToken(2000);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(c.state).toBe('connected');
    const got = next<[string, Record<string, string>]>(c, 'notification');
    expect(gateway.send(token, 'com.apple.mgmt.x', { mdm: 'magic' })).toBe('delivered');
    expect(await got).toEqual(['com.apple.mgmt.x', { mdm: 'magic' }]);
  });

  it('keeps its token across reconnects, gets what was held while it was offline', async () => {
    const c = client();
    c.setOnline(true);
    const token = await c.waitForToken(2000);
    c.setOnline(false);
    expect(c.state).toBe('offline');
    await new Promise((r) => setTimeout(r, 50));
    expect(gateway.send(token, 't', { mdm: 'older' })).toBe('held');
    expect(gateway.send(token, 't', { mdm: 'newer' })).toBe('held');
    const tokenEvent = next<[string, boolean]>(c, 'token');
    const got = next<[string, Record<string, string>]>(c, 'notification');
    c.setOnline(true);
    expect(await tokenEvent).toEqual([token, false]);
    expect((await got)[1]).toEqual({ mdm: 'newer' }); // the gateway coalesces held pushes
  });

  it('reuses a token it was created with', async () => {
    const first = client();
    first.setOnline(true);
    const token = await first.waitForToken(2000);
    first.close();
    const second = client(token);
    second.setOnline(true);
    expect(await second.waitForToken(2000)).toBe(token);
  });

  it('reconnects with backoff when the gateway drops the connection', async () => {
    const c = client();
    const states: string[] = [];
    c.on('state', (s) => states.push(s));
    c.setOnline(true);
    const token = await c.waitForToken(2000);
    // The gateway restarts: every connection drops, a new gateway listens on the same port.
    const port = (server.address() as AddressInfo).port;
    gateway.close();
    await new Promise((ok) => server.close(ok));
    server = http.createServer();
    gateway = newGateway();
    gateway.attach(server, '/push');
    await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
    const again = await next<[string, boolean]>(c, 'token');
    expect(again).toEqual([token, false]);
    // Attempts made while the port was closed add connecting/waiting pairs in the middle.
    expect(states.slice(0, 3)).toEqual(['connecting', 'connected', 'waiting']);
    expect(states.slice(-2)).toEqual(['connecting', 'connected']);
    expect(states.filter((x) => x === 'connected')).toHaveLength(2);
  });

  it('gives up waiting for a token after the timeout when nothing answers', async () => {
    const c = new PushClient({ url: 'ws://127.0.0.1:1/push', initialBackoffMs: 10, maxBackoffMs: 20 });
    clients.push(c);
    c.setOnline(true);
    await expect(c.waitForToken(100)).rejects.toThrow(/no push token/);
    expect(['waiting', 'connecting']).toContain(c.state);
  });
});
