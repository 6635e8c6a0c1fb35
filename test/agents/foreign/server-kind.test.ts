import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identifyServer, notMdmlabMessage } from '../../../agents/foreign/server-kind.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * identifyServer, the check the runners that drive mdmlab's admin API (scenario, fleet) make
 * first: mdmlab's own server is recognised by its public OpenAPI document; anything else — a Go
 * 404 page (NanoMDM, MicroMDM), JSON that is not our API — is "other" with what it answered; a
 * port nobody listens on is "unreachable".
 */

let mdmlab: TestServer;
let other: http.Server;
let otherUrl: string;

beforeAll(async () => {
  mdmlab = await startTestServer();
  other = http.createServer((req, res) => {
    if (req.url === '/json/api/v1/openapi.json') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ openapi: '3.0.0', info: { title: 'Some MDM', version: '1' } }));
    else if (req.url === '/broken/api/v1/openapi.json') res.writeHead(200, { 'content-type': 'application/json' }).end('{"info": ');
    else res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
  });
  await new Promise<void>((ok) => other.listen(0, '127.0.0.1', ok));
  otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
});
afterAll(async () => {
  other.close();
  await mdmlab.stop();
});

describe('identifyServer', () => {
  it("recognises mdmlab's server (a trailing slash is fine)", async () => {
    expect(await identifyServer(`${mdmlab.url}/`)).toEqual({ kind: 'mdmlab', version: expect.any(String) });
  });

  it('calls a 404 page "other" and quotes it', async () => {
    const k = await identifyServer(otherUrl);
    expect(k).toEqual({ kind: 'other', url: otherUrl, evidence: `GET ${otherUrl}/api/v1/openapi.json answered 404 (text/plain): "404 page not found"` });
    expect(notMdmlabMessage(k as Exclude<typeof k, { kind: 'mdmlab' }>, 'use --foreign')).toBe(`${otherUrl} is not an mdmlab server (${(k as { evidence: string }).evidence}); use --foreign`);
  });

  it('calls another OpenAPI document, or broken JSON, "other"', async () => {
    expect(await identifyServer(`${otherUrl}/json`)).toMatchObject({ kind: 'other', evidence: expect.stringContaining('answered 200 (application/json)') });
    expect(await identifyServer(`${otherUrl}/broken`)).toMatchObject({ kind: 'other' });
  });

  it('says when nothing answers', async () => {
    const closed = http.createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((ok) => closed.close(() => ok()));
    const k = await identifyServer(url);
    expect(k).toMatchObject({ kind: 'unreachable', url });
    expect(notMdmlabMessage(k as Exclude<typeof k, { kind: 'mdmlab' }>, 'x')).toMatch(new RegExp(`^${url} did not answer \\(.+\\)$`));
  });
});
