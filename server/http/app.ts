import express, { type Router } from 'express';
import type { Logger } from 'pino';
import type { AdminServices } from '../domain/services.js';
import { redactUrl } from '../log-redaction.js';
import type { ServerIdentity } from '../pki/server-identity.js';
import { adminApiRouter } from './admin/router.js';
import type { RouteSpec } from './admin/route.js';
import { requestLog } from './request-log.js';

export interface AppDependencies {
  services: AdminServices;
  identity: ServerIdentity;
  adminToken: string;
  log: Logger;
  version: string;
  /** The URL devices and clients reach the server at (known only after listen when the port is 0). */
  baseUrl: () => string;
  bodyLimit: string;
  /** Protocol endpoints of the platform modules (Apple MDM, SCEP, push gateway, …). */
  mounts?: { path: string; router: Router }[];
  adminRoutes?: RouteSpec[];
}

/** Builds the express app from its dependencies: no module state, so tests build as many as they like. */
export function createApp(deps: AppDependencies): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLog(deps.log));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version: deps.version });
  });
  app.get('/ca.pem', (_req, res) => {
    res.type('application/x-pem-file').send(deps.identity.ca.certPem);
  });
  app.use(
    '/api/v1',
    adminApiRouter({
      services: deps.services,
      adminToken: deps.adminToken,
      bodyLimit: deps.bodyLimit,
      version: deps.version,
      baseUrl: deps.baseUrl,
      log: deps.log,
      extraRoutes: deps.adminRoutes ?? [],
    }),
  );
  for (const m of deps.mounts ?? []) app.use(m.path, m.router);

  app.use((req, res) => {
    res.status(404).type('text/plain').send(`no route ${req.method} ${req.path}\n`);
  });
  // Last resort for protocol routers that did not answer an error themselves: never a stack trace.
  app.use((err: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    deps.log.error({ err, method: req.method, url: redactUrl(req.originalUrl) }, 'unhandled error');
    if (!res.headersSent) res.status(500).type('text/plain').send('internal error\n');
  });
  return app;
}
