import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import request from 'supertest';
import { DEFAULT_CONFIG, type ServerConfig } from '../../server/config.js';
import { startServer, type RunningServer } from '../../server/server.js';

export interface TestServer extends RunningServer {
  dataDir: string;
  /** supertest agent bound to the server's URL with the admin token set. */
  api: {
    get: (path: string) => request.Test;
    post: (path: string, body?: unknown) => request.Test;
    put: (path: string, body?: unknown) => request.Test;
    patch: (path: string, body?: unknown) => request.Test;
    delete: (path: string) => request.Test;
  };
  /** Stops the server and deletes its data folder (unless keepData). */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

/** A real server over real HTTP on a free port, with a fresh data folder; silent unless given a logger. */
export async function startTestServer(overrides: Partial<ServerConfig> = {}, log: Logger = pino({ level: 'silent' })): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'mdmlab-test-'));
  const server = await startServer({ ...DEFAULT_CONFIG, port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent', adminToken: 'test-token', ...overrides }, log);
  const auth = (t: request.Test) => t.set('Authorization', `Bearer ${server.adminToken}`);
  const api = {
    get: (path: string) => auth(request(server.url).get(`/api/v1${path}`)),
    post: (path: string, body?: unknown) => auth(request(server.url).post(`/api/v1${path}`)).send(body as object),
    put: (path: string, body?: unknown) => auth(request(server.url).put(`/api/v1${path}`)).send(body as object),
    patch: (path: string, body?: unknown) => auth(request(server.url).patch(`/api/v1${path}`)).send(body as object),
    delete: (path: string) => auth(request(server.url).delete(`/api/v1${path}`)),
  };
  return {
    ...server,
    dataDir,
    api,
    stop: async (opts = {}) => {
      await server.close();
      if (!opts.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
