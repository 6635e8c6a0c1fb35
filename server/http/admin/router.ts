import { timingSafeEqual } from 'node:crypto';
import express, { type Request, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import { checkSchema } from '../../../protocol/admin/schema.js';
import { MdmlabError } from '../../errors/mdmlab-error.js';
import type { AdminServices } from '../../domain/services.js';
import { jsonErrorHandler, sendError } from '../error-handler.js';
import { buildOpenApi } from './openapi.js';
import { routePattern, type ApiRequest, type RouteSpec } from './route.js';
import { directoryRoutes } from './routes/directory.js';
import { fleetRoutes } from './routes/fleet.js';
import { profileRoutes } from './routes/profiles.js';

export interface AdminApiOptions {
  services: AdminServices;
  adminToken: string;
  bodyLimit: string;
  version: string;
  baseUrl: () => string;
  log: Logger;
  /** Routes added by platform modules (enrollment tokens, command queues, …). */
  extraRoutes?: RouteSpec[];
}

export function adminRouteTable(options: AdminApiOptions): RouteSpec[] {
  const routes: RouteSpec[] = [
    ...directoryRoutes(options.services),
    ...profileRoutes(options.services),
    ...fleetRoutes(options.services),
    ...(options.extraRoutes ?? []),
  ];
  // The router answers the first route that matches: two routes on one method and path would leave
  // the second unreachable without a word, so a clash between modules stops the server at start.
  const seen = new Map<string, RouteSpec>();
  for (const r of routes) {
    const key = `${r.method} ${r.path.replace(/\{\w+\}/g, '{}')}`;
    const first = seen.get(key);
    if (first) throw new Error(`admin route ${r.method.toUpperCase()} ${r.path} is defined twice ("${first.summary}" and "${r.summary}")`);
    seen.set(key, r);
  }
  let doc: Record<string, unknown> | undefined;
  routes.push({
    method: 'get',
    path: '/openapi.json',
    tag: 'meta',
    summary: 'This document',
    public: true,
    handler: async () => (doc ??= buildOpenApi(routes, { version: options.version, serverUrl: `${options.baseUrl()}/api/v1` })),
  });
  return routes;
}

const toExpressPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

/** The admin API under /api/v1: bearer auth, strict JSON bodies, the route table, JSON errors. */
export function adminApiRouter(options: AdminApiOptions): Router {
  const routes = adminRouteTable(options);
  const router = express.Router();
  const token = Buffer.from(options.adminToken);
  const authorised = (req: Request): boolean => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (!m) return false;
    const given = Buffer.from(m[1]!);
    return given.length === token.length && timingSafeEqual(given, token);
  };
  // Compiled once: the token check and the 405 answer run on every request that reaches them.
  const patterns = new Map(routes.map((r) => [r, routePattern(r.path)]));
  const matching = (path: string) => routes.filter((r) => patterns.get(r)!.test(path));

  router.use((req, res, next) => {
    const method = req.method.toLowerCase();
    if (matching(req.path).some((r) => r.public && r.method === method)) return next();
    if (!authorised(req)) {
      res.set('WWW-Authenticate', 'Bearer realm="mdmlab"');
      return sendError(res, 'unauthorized');
    }
    next();
  });
  router.use(requireJsonBodies);
  router.use(express.json({ limit: options.bodyLimit, strict: true }));

  for (const route of routes) {
    router[route.method](toExpressPath(route.path), async (req, res) => {
      const query = checkQuery(route, req);
      const result = await route.handler({ params: req.params as Record<string, string>, query, body: req.body } satisfies ApiRequest);
      if (result === undefined || route.status === 204) res.status(204).end();
      else res.status(route.status ?? 200).json(result);
    });
  }

  router.use((req, res) => {
    const allowed = matching(req.path).map((r) => r.method.toUpperCase());
    if (allowed.length > 0) {
      res.set('Allow', [...new Set(allowed)].join(', '));
      return sendError(res, 'methodNotAllowed', `${req.method} is not supported on ${req.path}; use ${[...new Set(allowed)].join(', ')}`);
    }
    sendError(res, 'routeNotFound', `no route ${req.method} /api/v1${req.path}`);
  });
  router.use(jsonErrorHandler(options.log));
  return router;
}

/** A body that is not JSON is refused before it is read (415), instead of silently ignored. */
const requireJsonBodies: RequestHandler = (req, res, next) => {
  const hasBody = req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0;
  if (hasBody && !req.is('application/json')) {
    return sendError(res, 'unsupportedMediaType', `the body must be application/json, not ${req.get('content-type') ?? 'untyped'}`);
  }
  next();
};

function checkQuery(route: RouteSpec, req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.query)) {
    if (!route.query || !Object.hasOwn(route.query, key)) throw new MdmlabError('invalidQuery', `unknown query parameter ${key}`, key);
    if (typeof value !== 'string') throw new MdmlabError('invalidQuery', `query parameter ${key} must be given once`, key);
    const violation = checkSchema(route.query[key]!, value, key);
    if (violation) throw new MdmlabError('invalidQuery', violation.message, key);
    out[key] = value;
  }
  return out;
}
