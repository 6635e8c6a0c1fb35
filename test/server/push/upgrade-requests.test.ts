import net from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * What reaches the gateway's `upgrade` listener before any WebSocket exists: raw HTTP/1.1 requests
 * with `Upgrade: websocket` whose target, method or headers are anything a client cares to send.
 * None may end the process (nothing a client sends can end it); each gets an HTTP answer and a closed socket.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** Sends `head` on a fresh TCP connection and collects everything until the server closes it. */
function rawExchange(head: string, opts: { timeoutMs?: number } = {}): Promise<{ text: string; closed: boolean }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, opts.timeoutMs ?? 5000);
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    socket.write(head);
  });
}

const upgradeHead = (target: string, extra = '') =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;

describe('WebSocket upgrade requests the gateway cannot use', () => {
  it.each(['http://[::1', '//[', '//a:99999/push', 'http://a:99999/push', '/%', 'http://[::1]:0:0/push'])(
    'answers 400 to target %s, closes the socket, and keeps serving',
    async (target) => {
      const { text, closed } = await rawExchange(upgradeHead(target));
      expect(text).toMatch(/^HTTP\/1\.1 400 /);
      expect(closed).toBe(true);
      await request(server.url).get('/healthz').expect(200);
    },
  );

  it('answers 404 to an upgrade of another path, and still upgrades /push given as an absolute URL', async () => {
    expect((await rawExchange(upgradeHead('/elsewhere'))).text).toMatch(/^HTTP\/1\.1 404 /);
    const { port } = new URL(server.url);
    const ok = await rawExchange(upgradeHead(`http://127.0.0.1:${port}/push?x=1`), { timeoutMs: 300 });
    expect(ok.text).toMatch(/^HTTP\/1\.1 101 /);
  });

  it('answers handshakes that are not WebSocket ones with an HTTP error, not a crash', async () => {
    const bad = [
      'GET /push HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n',
      'GET /push HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n',
      'POST /push HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 0\r\n\r\n',
      upgradeHead('/push', 'Sec-WebSocket-Protocol: ,,,\r\n'),
    ];
    for (const head of bad) {
      const { text, closed } = await rawExchange(head);
      expect(text).toMatch(/^HTTP\/1\.1 4\d\d /);
      expect(closed).toBe(true);
    }
    await request(server.url).get('/healthz').expect(200);
  });

  it('survives a client that resets the connection right after sending its upgrade', async () => {
    const { port } = new URL(server.url);
    for (const target of ['/elsewhere', '//[', '/push']) {
      await new Promise<void>((resolve) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => {
          socket.write(upgradeHead(target));
          socket.resetAndDestroy();
        });
        socket.on('error', () => {});
        socket.on('close', () => resolve());
      });
    }
    await new Promise((r) => setTimeout(r, 100));
    await request(server.url).get('/healthz').expect(200);
  });
});
