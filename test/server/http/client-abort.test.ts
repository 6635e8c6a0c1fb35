import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLog, type CapturedLog } from '../../helpers/log-capture.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * A client that closes its connection halfway through sending a body (a phone that lost its
 * network, a load balancer giving up) is not a failure of the server: logged at debug, never at
 * error (an error line pages someone), and the server carries on.
 */
let server: TestServer;
let captured: CapturedLog;
beforeAll(async () => {
  captured = captureLog('debug');
  server = await startTestServer({}, captured.log);
});
afterAll(() => server.stop());

/**
 * Sends the head of a request with a 1000-byte body, waits for the server's `100 Continue` (RFC 9110
 * §10.1.1: it has taken the request and waits for the body), sends 10 bytes and closes the connection.
 */
async function abandon(method: string, path: string, contentType: string, extra: Record<string, string> = {}): Promise<void> {
  const { port } = new URL(server.url);
  const socket = net.connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const headers = { host: 'localhost', 'content-type': contentType, 'content-length': '1000', expect: '100-continue', ...extra };
  const proceed = new Promise<void>((resolve) => socket.on('data', (d: Buffer) => d.toString().startsWith('HTTP/1.1 100') && resolve()));
  socket.write(`${method} ${path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
  await proceed;
  socket.end('0123456789');
  socket.destroy();
}

const ABORT = 'the client closed the connection before the request was complete';
const errorsAndWorse = () => captured.lines().filter((l) => (l.level as number) >= 50);

describe('a client that goes away mid-request', () => {
  it('on the check-in path: one debug line, no error', async () => {
    // A signature header is there (its absence is refused before the body is read); it is checked once the body is complete.
    await abandon('PUT', '/mdm/checkin', 'application/x-apple-aspen-mdm-checkin', { 'mdm-signature': 'A'.repeat(200) });
    const line = await captured.waitFor((l) => String(l.url).startsWith('/mdm/checkin'));
    expect(line).toMatchObject({ level: 20, msg: ABORT });
    expect(errorsAndWorse()).toEqual([]);
  });

  it('on express routes (admin API, SCEP): debug lines, no error', async () => {
    await abandon('POST', '/api/v1/users', 'application/json', { authorization: 'Bearer test-token' });
    await abandon('POST', '/scep?operation=PKIOperation', 'application/x-pki-message');
    expect(await captured.waitFor((l) => l.msg === ABORT && String(l.url).startsWith('/api/v1/users'))).toMatchObject({ level: 20 });
    expect(await captured.waitFor((l) => l.msg === ABORT && String(l.url).startsWith('/scep'))).toMatchObject({ level: 20 });
    expect(errorsAndWorse()).toEqual([]);
    expect((await server.api.get('/users').expect(200)).body).toEqual([]);
  });
});
