import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminApiError, AdminClient } from '../../../agents/admin/admin-client.js';

/**
 * The admin client pointed at something that is not mdmlab's admin API (a server's 404 page, a
 * proxy's error page): one AdminApiError saying what answered, not the JSON.parse error ("Unexpected
 * non-whitespace character after JSON at position 4") a runner used to stop with.
 */

let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n'));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
});

describe('AdminClient against a server that is not mdmlab', () => {
  it('throws an AdminApiError naming the request, the status and what came back', async () => {
    const err = await new AdminClient(url, 'token').call('GET', '/users').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdminApiError);
    expect(err).toMatchObject({
      status: 404,
      code: 'notJson',
      message: `GET /users answered 404 with something that is not JSON ("404 page not found"): is ${url} an mdmlab server?`,
    });
  });
});
