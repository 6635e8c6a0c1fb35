import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, isHttpError } from '../../../agents/transport/http.js';
import { CertificateAuthority } from '../../../certs/authority.js';

let plain: http.Server;
let secure: https.Server;
let ca: CertificateAuthority;
let plainUrl: string;
let secureUrl: string;
const sockets = new Set<unknown>();

function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  sockets.add(req.socket);
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 500);
    if (req.url === '/big') return void res.end(Buffer.alloc(2048, 'x'));
    res.writeHead(req.url === '/teapot' ? 418 : 200, { 'content-type': 'text/plain', 'x-method': req.method });
    res.end(Buffer.concat(chunks).toString('utf8').toUpperCase());
  });
}

beforeAll(async () => {
  ca = await CertificateAuthority.create({ commonName: 'test CA' });
  const tls = await ca.issueServerCertificate({ hostnames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  plain = http.createServer(handler);
  secure = https.createServer({ cert: tls.certPem, key: tls.keyPem }, handler);
  await new Promise<void>((ok) => plain.listen(0, '127.0.0.1', ok));
  await new Promise<void>((ok) => secure.listen(0, '127.0.0.1', ok));
  plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  secureUrl = `https://localhost:${(secure.address() as AddressInfo).port}`;
});
afterAll(() => {
  plain.closeAllConnections();
  secure.closeAllConnections();
  plain.close();
  secure.close();
});

describe('HttpClient', () => {
  it('sends the body and returns status, headers and body; keeps connections alive across requests', async () => {
    const client = new HttpClient();
    sockets.clear();
    for (let i = 0; i < 5; i++) {
      const res = await client.request({ method: 'PUT', url: `${plainUrl}/echo`, body: 'hello', headers: { 'content-type': 'text/plain' } });
      expect(res.status).toBe(200);
      expect(res.headers['x-method']).toBe('PUT');
      expect(res.body.toString()).toBe('HELLO');
    }
    expect(sockets.size).toBe(1);
    expect(client.inFlight).toBe(0);
    client.destroy();
  });

  it('bounds the sockets per origin', async () => {
    const client = new HttpClient({ maxSockets: 2 });
    sockets.clear();
    await Promise.all(Array.from({ length: 10 }, () => client.request({ method: 'GET', url: `${plainUrl}/x` })));
    expect(sockets.size).toBeLessThanOrEqual(2);
    client.destroy();
  });

  it('returns HTTP error statuses as responses', async () => {
    const res = await new HttpClient().request({ method: 'GET', url: `${plainUrl}/teapot` });
    expect(res.status).toBe(418);
  });

  it('times out, refuses oversized answers and reports unreachable hosts as typed errors', async () => {
    const client = new HttpClient({ maxResponseBytes: 1024 });
    const slow = await client.request({ method: 'GET', url: `${plainUrl}/slow`, timeoutMs: 50 }).catch((e: unknown) => e);
    expect(isHttpError(slow, 'timeout')).toBe(true);
    const big = await client.request({ method: 'GET', url: `${plainUrl}/big` }).catch((e: unknown) => e);
    expect(isHttpError(big, 'tooLarge')).toBe(true);
    const refused = await client.request({ method: 'GET', url: 'http://127.0.0.1:1/' }).catch((e: unknown) => e);
    expect(isHttpError(refused, 'network')).toBe(true);
    const bad = await client.request({ method: 'GET', url: 'ftp://example/' }).catch((e: unknown) => e);
    expect(isHttpError(bad, 'badUrl')).toBe(true);
    expect(client.inFlight).toBe(0);
    client.destroy();
  });

  it('trusts the CA it is given for https, and nothing else', async () => {
    const client = new HttpClient();
    const ok = await client.request({ method: 'POST', url: `${secureUrl}/x`, body: 'tls', caPem: ca.certPem });
    expect(ok.body.toString()).toBe('TLS');
    const other = await CertificateAuthority.create({ commonName: 'other CA' });
    const refused = await client.request({ method: 'GET', url: `${secureUrl}/x`, caPem: other.certPem }).catch((e: unknown) => e);
    expect(isHttpError(refused, 'network')).toBe(true);
    client.destroy();
  });
});
