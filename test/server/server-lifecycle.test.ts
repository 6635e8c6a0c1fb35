import { mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCode, spawnCli, waitForLog } from '../helpers/cli.js';
import { startTestServer } from '../helpers/server.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'mdmlab-life-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('server lifecycle', () => {
  it('creates the CA, TLS certificate and admin token once, keys 0600, and a restart keeps them and all data', async () => {
    const dataDir = tempDir();
    const first = await startTestServer({ dataDir, adminToken: undefined });
    const token = first.adminToken;
    const fingerprint = first.identity.ca.fingerprintSha256;
    for (const f of ['ca.key', 'server.key', 'admin-token']) expect(statSync(join(dataDir, f)).mode & 0o777).toBe(0o600);
    const caPem = (await request(first.url).get('/ca.pem').expect(200).expect('content-type', /x-pem-file/)).text;
    expect(caPem).toBe(first.identity.ca.certPem);
    const user = (await first.api.post('/users', { upn: 'keep@contoso.com' }).expect(201)).body;
    await first.stop({ keepData: true });

    const second = await startTestServer({ dataDir, adminToken: undefined });
    expect(second.adminToken).toBe(token);
    expect(second.identity.ca.fingerprintSha256).toBe(fingerprint);
    expect((await request(second.url).get('/ca.pem')).text).toBe(caPem);
    expect((await second.api.get(`/users/${user.id}`).expect(200)).body).toEqual(user);
    await second.stop({ keepData: true });
  });

  it('serves HTTPS with a certificate from its own CA when asked (--tls)', async () => {
    const server = await startTestServer({ tls: true });
    try {
      expect(server.url).toMatch(/^https:/);
      const res = await request(server.url).get('/healthz').ca(server.identity.ca.certPem).expect(200);
      expect(res.body.status).toBe('ok');
    } finally {
      await server.stop();
    }
  });

  it('`mdmlab serve` answers /healthz, and on SIGTERM lets an in-flight request finish before closing the database', async () => {
    const dataDir = tempDir();
    const child = spawnCli(['serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir], { MDMLAB_ADMIN_TOKEN: 'cli-token' });
    const listening = await waitForLog(child, 'mdmlab listening');
    const url = new URL(listening.url as string);
    await request(url.origin).get('/healthz').expect(200);

    // Start a request and hold its body back, so it is in flight when the signal arrives.
    const body = JSON.stringify({ upn: 'inflight@contoso.com' });
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: url.port, method: 'POST', path: '/api/v1/users', headers: { authorization: 'Bearer cli-token', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 5));
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(5)), 300);
      }, 200);
    });
    const done = await response;
    expect(done.status).toBe(201);
    expect(await exitCode(child)).toBe(0);

    const again = await startTestServer({ dataDir, adminToken: 'cli-token' });
    expect((await again.api.get('/users?upn=inflight@contoso.com').expect(200)).body).toHaveLength(1);
    await again.stop({ keepData: true });
  });

  it('refuses bad serve options with exit code 2', async () => {
    const child = spawnCli(['serve', '--port', 'eighty']);
    expect(await exitCode(child)).toBe(2);
    const unknown = spawnCli(['serve', '--colour']);
    expect(await exitCode(unknown)).toBe(2);
  });
});
