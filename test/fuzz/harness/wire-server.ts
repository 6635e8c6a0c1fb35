import request from 'supertest';
import type { WireServer } from '../../helpers/apple-wire.js';
import type { FuzzServer } from './server-process.js';

/**
 * The fuzzed server seen as the wire helpers (test/helpers/apple-wire.ts) see a test server: its
 * admin API with the token set, and its CA certificate (from GET /ca.pem, as a device gets it).
 * Families use it to set up what real clients would have made (users, tokens, enrolled devices).
 */
export async function wireServer(server: FuzzServer): Promise<WireServer & { caPem: string }> {
  const caPem = await (await fetch(`${server.url}/ca.pem`)).text();
  const certDer = Buffer.from(caPem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
  const auth = (t: request.Test) => t.set('Authorization', `Bearer ${server.adminToken}`);
  const api = {
    get: (path: string) => auth(request(server.url).get(`/api/v1${path}`)),
    post: (path: string, body?: unknown) => auth(request(server.url).post(`/api/v1${path}`)).send(body as object),
    put: (path: string, body?: unknown) => auth(request(server.url).put(`/api/v1${path}`)).send(body as object),
    patch: (path: string, body?: unknown) => auth(request(server.url).patch(`/api/v1${path}`)).send(body as object),
    delete: (path: string) => auth(request(server.url).delete(`/api/v1${path}`)),
  };
  return { api, identity: { ca: { certDer } }, caPem };
}
