import { toJsonSchema } from '../../../protocol/admin/schema.js';
import { ERRORS } from '../../errors/catalogue.js';
import type { RouteSpec } from './route.js';
import { ErrorBody } from './response-schemas.js';

/** openapi.json, generated from the same route table the router mounts. */
export function buildOpenApi(routes: readonly RouteSpec[], info: { version: string; serverUrl: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = Object.entries(r.query ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema: toJsonSchema(schema) }));
    const status = String(r.status ?? 200);
    const errorStatuses = new Set<number>([400, 404, 500, ...(r.public ? [] : [401]), ...(r.body ? [409, 413, 415] : [])]);
    const responses: Record<string, unknown> = {
      [status]: r.response && status !== '204'
        ? { description: 'success', content: { 'application/json': { schema: toJsonSchema(r.response) } } }
        : { description: 'success' },
    };
    for (const code of errorStatuses) {
      responses[String(code)] = { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    (paths[r.path] ??= {})[r.method] = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method}${r.path.replace(/[{}]/g, '').replace(/[/-](\w)/g, (_m, c: string) => c.toUpperCase())}`,
      ...(r.public ? { security: [] } : {}),
      parameters: [...params, ...query],
      ...(r.body ? { requestBody: { required: r.bodyOptional !== true, content: { 'application/json': { schema: toJsonSchema(r.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'mdmlab admin API',
      version: info.version,
      description: `Error codes: ${Object.keys(ERRORS).join(', ')} (server/errors/catalogue.ts).`,
    },
    servers: [{ url: info.serverUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'MDMLAB_ADMIN_TOKEN, or the token written to <data>/admin-token' } },
      schemas: { Error: toJsonSchema(ErrorBody) },
    },
    paths,
  };
}
