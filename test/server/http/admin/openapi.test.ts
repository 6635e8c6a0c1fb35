import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startTestServer, type TestServer } from '../../../helpers/server.js';
import { ERRORS } from '../../../../server/errors/catalogue.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  matchers?: ((path: string) => unknown)[];
}

/** Every route the running app really mounts under /api/v1, as "METHOD /path/{param}". */
function mountedRoutes(): string[] {
  const appRouter = (server.app as unknown as { router: { stack: Layer[] } }).router;
  const admin = appRouter.stack.find((l) => l.handle?.stack && l.matchers?.some((m) => m('/api/v1/users')));
  if (!admin?.handle?.stack) throw new Error('admin router not found under /api/v1');
  const out: string[] = [];
  for (const layer of admin.handle.stack) {
    if (!layer.route) continue;
    for (const [method, on] of Object.entries(layer.route.methods)) {
      if (on && method !== '_all') out.push(`${method.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
    }
  }
  return out.sort();
}

describe('openapi.json', () => {
  it('is served without a token and describes every mounted route, and nothing else', async () => {
    const doc = (await request(server.url).get('/api/v1/openapi.json').expect(200)).body;
    expect(doc.openapi).toBe('3.1.0');
    const documented: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(ops)) documented.push(`${method.toUpperCase()} ${path}`);
    }
    const mounted = mountedRoutes();
    expect(mounted.length).toBeGreaterThan(20);
    expect(documented.sort()).toEqual(mounted);
  });

  it('documents request bodies (the email profile body per platform) and every catalogue code', async () => {
    const doc = (await request(server.url).get('/api/v1/openapi.json').expect(200)).body;
    const create = doc.paths['/email-profiles'].post.requestBody.content['application/json'].schema;
    expect(create.oneOf).toHaveLength(6);
    const windows = create.oneOf.find((s: { properties: { platform: { enum: string[] } } }) => s.properties.platform.enum[0] === 'windows10');
    expect(Object.keys(windows.properties)).not.toContain('authMethod');
    expect(windows.additionalProperties).toBe(false);
    for (const code of Object.keys(ERRORS)) expect(doc.info.description).toContain(code);
    const allow = doc.paths['/devices/{id}/allow-reenrollment'].post;
    expect(allow.requestBody).toMatchObject({ required: false, content: { 'application/json': { schema: { properties: { expiresInMinutes: { type: 'integer', maximum: 1440 } } } } } });
    expect(doc.paths['/email-profiles'].post.requestBody.required).toBe(true);
  });

  it('has a well-formed operation for each route', async () => {
    const doc = (await request(server.url).get('/api/v1/openapi.json').expect(200)).body;
    const ids = new Set<string>();
    for (const ops of Object.values(doc.paths as Record<string, Record<string, { operationId: string; summary: string; responses: object }>>)) {
      for (const op of Object.values(ops)) {
        expect(op.summary.length).toBeGreaterThan(3);
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        expect(Object.keys(op.responses).length).toBeGreaterThan(1);
      }
    }
  });
});


describe('the admin route table', () => {
  it('refuses two routes on one method and path instead of leaving the second unreachable', async () => {
    const { adminRouteTable } = await import('../../../../server/http/admin/router.js');
    const { pino } = await import('pino');
    const route = (summary: string) => ({ method: 'get' as const, path: '/devices/{id}/facts', tag: 'x', summary, handler: async () => ({}) });
    const options = (extra: ReturnType<typeof route>[]) => ({
      services: {} as never,
      adminToken: 't',
      bodyLimit: '1kb',
      version: '0',
      baseUrl: () => 'http://x',
      log: pino({ level: 'silent' }),
      extraRoutes: extra,
    });
    expect(() => adminRouteTable(options([route('one')]))).not.toThrow();
    expect(() => adminRouteTable(options([route('one'), { ...route('two'), path: '/devices/{deviceId}/facts' }]))).toThrow(/defined twice \("one" and "two"\)/);
  });
});
