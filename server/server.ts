import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Express } from 'express';
import { pino, type Logger } from 'pino';
import { resolveAdminToken } from './admin-token.js';
import type { ServerConfig } from './config.js';
import { bindCaToDatabase, DATABASE_FILE, prepareDataFolder, requireCaOfDatabase, requireDatabase } from './data-folder.js';
import { randomId, type DomainContext, type IdPrefix } from './domain/context.js';
import { Reconciler } from './domain/reconciler.js';
import { wakeDevicesWithQueuedWork, type StartupWake } from './domain/startup-wake.js';
import { createAdminServices, type AdminServices } from './domain/services.js';
import { EnrollmentTokenService } from './domain/enrollment-tokens.js';
import { ProfileOutcomes } from './domain/profile-outcomes.js';
import { createApp } from './http/app.js';
import { deviceActionRoutes } from './http/admin/routes/device-actions.js';
import { pushRouter } from './http/push-router.js';
import { redactingLogger } from './log-redaction.js';
import { caFilesPresent, loadOrCreateIdentity, type ServerIdentity } from './pki/server-identity.js';
import { PushGateway } from './push/gateway.js';
import { loadOrCreatePushTokens } from './push/push-tokens.js';
import type { Store } from './store/port.js';
import { createSqliteStore } from './store/sqlite/sqlite-store.js';
import { packageVersion } from './version.js';
import type { NodeHandler, PlatformModule } from './platform/platform-module.js';
import { PLATFORM_MODULES } from './platforms.js';

export interface RunningServer {
  /** Base URL devices and clients use. */
  url: string;
  port: number;
  adminToken: string;
  identity: ServerIdentity;
  store: Store;
  services: AdminServices;
  push: PushGateway;
  /** The background wake of devices left with queued work by the previous run (started after listen). */
  startupWake: StartupWake;
  /** The express app, for tests that inspect what is mounted. */
  app: Express;
  log: Logger;
  /** Stops accepting, lets in-flight requests finish, then closes the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  /**
   * Where the ids of the records the server creates (`usr_…`, `eml_…`, `dev_…`) come from; default
   * random. The scenario runner passes a seeded source to its embedded server so a scenario with a
   * `seed` gets the same ids on every run (docs/scenarios.md, `seed`: "every generated id, hardware id, key
   * choice and timing repeats").
   * Ids must stay unique within the store: a source that repeats itself makes inserts fail.
   */
  newId?: (prefix: IdPrefix) => string;
}

/**
 * The composition root: data folder, certificates, store, services, HTTP(S) listener. A data
 * folder the server cannot run on (server/data-folder.ts) rejects with a DataFolderError before
 * anything listens; `mdmlab serve` prints its one line.
 */
export async function startServer(config: ServerConfig, parentLog: Logger = pino({ level: config.logLevel }), options: StartOptions = {}): Promise<RunningServer> {
  if (!(config.startupWakesPerSecond > 0)) throw new RangeError(`startupWakesPerSecond must be above 0, not ${config.startupWakesPerSecond}`);
  const log = redactingLogger(parentLog);
  const dataDir = resolve(config.dataDir);
  prepareDataFolder(dataDir, log);
  const caPresent = caFilesPresent(dataDir);
  requireDatabase(dataDir, caPresent);
  const store = createSqliteStore(join(dataDir, DATABASE_FILE));
  try {
    return await startOnStore(config, log, options, dataDir, store, caPresent);
  } catch (err) {
    await store.close();
    throw err;
  }
}

async function startOnStore(config: ServerConfig, log: Logger, options: StartOptions, dataDir: string, store: Store, caPresent: boolean): Promise<RunningServer> {
  const recordedCa = await requireCaOfDatabase(store, dataDir, caPresent);
  const configuredHost = config.baseUrl ? new URL(config.baseUrl).hostname : undefined;
  const identity = await loadOrCreateIdentity(dataDir, configuredHost ? [configuredHost] : []);
  await bindCaToDatabase(store, dataDir, identity.ca.fingerprintSha256, recordedCa);
  const admin = resolveAdminToken(dataDir, config.adminToken ?? process.env.MDMLAB_ADMIN_TOKEN);

  const ctx: DomainContext = { store, now: () => new Date(), newId: options.newId ?? randomId, log };
  const reconciler = new Reconciler();
  let baseUrl = config.baseUrl?.replace(/\/$/, '') ?? '';
  const push = new PushGateway({ log, tokens: await loadOrCreatePushTokens(store.settings), limits: config.push });
  const enrollmentTokens = new EnrollmentTokenService(ctx);
  const platform = { ...ctx, ca: identity.ca, baseUrl: () => baseUrl, push, reconciler, outcomes: new ProfileOutcomes(ctx), enrollmentTokens };
  const modules: PlatformModule[] = [];
  for (const create of PLATFORM_MODULES) {
    const m = await create(platform);
    reconciler.register(m.channel);
    enrollmentTokens.register(m.platforms, (t) => m.enrollmentInfo(t));
    modules.push(m);
  }
  const services = createAdminServices(
    ctx,
    reconciler,
    async (device) => {
      const m = modules.find((x) => (x.platforms as readonly string[]).includes(device.platform));
      const facts = m ? await m.deviceFacts(device.id) : undefined;
      return m && facts ? { [m.name]: facts } : {};
    },
    modules.flatMap((m) => (m.reviewDeployment ? [m.reviewDeployment] : [])),
  );
  const fastPaths = new Map<string, NodeHandler>(modules.flatMap((m) => [...(m.fastPaths ?? new Map<string, NodeHandler>())]));
  const app = createApp({
    services,
    identity,
    adminToken: admin.token,
    log,
    version: packageVersion(),
    baseUrl: () => baseUrl,
    bodyLimit: config.bodyLimit,
    mounts: [...modules.flatMap((m) => m.mounts), { path: '/push', router: pushRouter(push, { providerToken: admin.token }) }],
    adminRoutes: [...deviceActionRoutes(ctx, enrollmentTokens, modules), ...modules.flatMap((m) => m.adminRoutes ?? [])],
  });

  // Device hot paths (Apple check-ins, …) take a plain node:http path ahead of express; everything else is the app.
  const dispatch: http.RequestListener = (req, res) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const fast = fastPaths.get(`${req.method} ${q < 0 ? url : url.slice(0, q)}`);
    if (fast) return fast(req, res);
    app(req, res);
  };
  // With TLS the server asks every client for a certificate but requires none, and lets the
  // protocols judge it: Windows devices present their enrollment certificate (the identity of their
  // OMA-DM sessions), Android devices theirs (mutual TLS, a certificate from this CA), Apple devices
  // and admin clients present none (Apple devices sign their messages instead). Who a certificate
  // stands for is judged by the endpoint that reads it, never by the handshake.
  const tlsOptions = { cert: identity.tls.certPem, key: identity.tls.keyPem, requestCert: true, rejectUnauthorized: false, ca: identity.ca.certPem };
  const server = config.tls ? https.createServer(tlsOptions, dispatch) : http.createServer(dispatch);
  server.keepAliveTimeout = 65_000;
  push.attach(server, '/push');
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(config.port, config.host, () => {
      server.off('error', fail);
      ok();
    });
  }).catch((err: unknown) => {
    push.close();
    throw err;
  });
  const port = (server.address() as AddressInfo).port;
  if (!baseUrl) baseUrl = `${config.tls ? 'https' : 'http'}://localhost:${port}`;
  if (baseUrl.startsWith('http://')) {
    log.warn({ url: baseUrl }, 'devices are served over plain HTTP (lab mode): mdmlab\'s simulated devices accept it, real iOS needs --tls and an https --base-url');
  }
  // Housekeeping: challenges are one-time and short-lived; drop the expired ones hourly.
  const housekeeping = setInterval(() => {
    store.scepChallenges.deleteExpired(new Date().toISOString()).catch((err: unknown) => log.warn({ err }, 'housekeeping failed'));
  }, 3600_000);
  housekeeping.unref();
  const startupWake = wakeDevicesWithQueuedWork({ store, reconciler, log, perSecond: config.startupWakesPerSecond });
  log.info({ url: baseUrl, dataDir, adminTokenFrom: admin.source === 'env' ? 'MDMLAB_ADMIN_TOKEN' : admin.file, caFingerprint: identity.ca.fingerprintSha256 }, 'mdmlab listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      log.info('shutting down: finishing in-flight requests');
      const done = new Promise<void>((ok) => server.close(() => ok()));
      clearInterval(housekeeping);
      await startupWake.stop();
      for (const m of modules) await m.close?.();
      push.close();
      // Keep-alive connections become idle once their in-flight request is answered: close them
      // as they do, so shutdown takes as long as the slowest request, not the keep-alive timeout.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const force = setTimeout(() => server.closeAllConnections(), config.shutdownGraceSeconds * 1000);
      force.unref();
      await done;
      clearInterval(sweep);
      clearTimeout(force);
      await store.close();
      log.info('stopped');
    })());

  return { url: baseUrl, port, adminToken: admin.token, identity, store, services, push, startupWake, app, log, close };
}
