import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { DEVICE_REPORT_LIMITS, decodeDeviceReport } from '../../../protocol/android/amapi/device.js';
import { ANDROID_CHANNEL_PATHS } from '../../../protocol/android/channel.js';
import { decodeRegistrationRequest, encodeRegistrationResponse, REGISTRATION_LIMITS } from '../../../protocol/android/registration.js';
import type { DeviceAuthenticator } from '../../android/device-auth.js';
import type { LastSeen } from '../../android/last-seen.js';
import type { PolicyRenderer } from '../../android/policy-renderer.js';
import type { RegistrationService } from '../../android/registration-service.js';
import type { ReportService } from '../../android/report-service.js';
import { AndroidChannelError } from '../../errors/android-error.js';
import type { NodeHandler } from '../../platform/platform-module.js';
import { undecodableDocument, writeChannelError } from './channel-errors.js';
import { etagMatches, policyEtag } from './etag.js';
import { checkJsonHeaders, drain, readBody } from './request-body.js';

export interface AndroidEndpointDeps {
  auth: DeviceAuthenticator;
  registration: RegistrationService;
  reports: ReportService;
  renderer: PolicyRenderer;
  lastSeen: LastSeen;
  /** Reads a device row (the policy path needs it only to render). */
  device: (id: string) => Promise<import('../../store/records.js').DeviceRecord | undefined>;
  log: Logger;
}

/**
 * The device-facing endpoints of the Android channel, as plain node:http handlers ahead of express
 * (the policy sync is the channel's hot path). Each refusal is Google's JSON error model
 * (channel-errors.ts). Order of checks: headers (type, coding, declared size, the signature's
 * presence), the body within its limit, the device proven (device-auth.ts), the document decoded
 * strictly (protocol/android), and only then the service.
 */
export function androidEndpoints(deps: AndroidEndpointDeps): ReadonlyMap<string, NodeHandler> {
  const wrap = (handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>): NodeHandler => (req, res) => {
    handle(req, res).catch((err: unknown) => {
      drain(req);
      writeChannelError(res, err, deps.log, req.url);
    });
  };
  return new Map<string, NodeHandler>([
    [`POST ${ANDROID_CHANNEL_PATHS.register}`, wrap((req, res) => register(deps, req, res))],
    [`GET ${ANDROID_CHANNEL_PATHS.policy}`, wrap((req, res) => policy(deps, req, res))],
    [`POST ${ANDROID_CHANNEL_PATHS.report}`, wrap((req, res) => report(deps, req, res))],
  ]);
}

async function register(deps: AndroidEndpointDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  checkJsonHeaders(req, REGISTRATION_LIMITS.maxBytes);
  const body = await readBody(req, REGISTRATION_LIMITS.maxBytes);
  if (body.length === 0) throw new AndroidChannelError('emptyBody');
  const decoded = decodeRegistrationRequest(body);
  if (!decoded.ok) throw undecodableDocument(decoded.error);
  const answer = encodeRegistrationResponse(await deps.registration.register(decoded.value));
  res.writeHead(201, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(answer), 'cache-control': 'no-store' });
  res.end(answer);
}

async function policy(deps: AndroidEndpointDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  drain(req);
  deps.auth.precheck(req);
  const auth = await deps.auth.authenticate(req, Buffer.alloc(0));
  deps.lastSeen.touch(auth.deviceId);
  const etag = policyEtag(auth.deviceId, auth.android.policyVersion);
  // RFC 9110 §13.1.2: If-None-Match with a current ETag (weak comparison) → 304 Not Modified, no body.
  if (etagMatches(req.headers['if-none-match'], etag)) {
    res.writeHead(304, { etag, 'cache-control': 'no-store' });
    res.end();
    return;
  }
  const device = await deps.device(auth.deviceId);
  if (!device) throw new AndroidChannelError('deviceNotEnrolled');
  const rendered = await deps.renderer.render(device, auth.android);
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(rendered.body),
    etag: policyEtag(auth.deviceId, rendered.version),
    // It holds key-store passwords: no cache keeps it; the device revalidates with its ETag.
    'cache-control': 'no-store',
  });
  res.end(rendered.body);
}

async function report(deps: AndroidEndpointDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  checkJsonHeaders(req, DEVICE_REPORT_LIMITS.maxBytes);
  deps.auth.precheck(req);
  const body = await readBody(req, DEVICE_REPORT_LIMITS.maxBytes);
  if (body.length === 0) throw new AndroidChannelError('emptyBody');
  const auth = await deps.auth.authenticate(req, body);
  const decoded = decodeDeviceReport(body);
  if (!decoded.ok) throw undecodableDocument(decoded.error);
  await deps.reports.handle(auth, decoded.value);
  res.writeHead(204, { 'cache-control': 'no-store' });
  res.end();
}
