import { PushClient } from '../push/push-client.js';
import type { PushSetting } from '../push/push-setting.js';
import type { EnrolledIdentity } from './device-state.js';
import { IosDeviceError } from './errors.js';
import type { IosRuntime } from './runtime.js';

/**
 * The iOS device's push service (Apple Developer, "Sending MDM commands to a device"). A real
 * iPhone has its APNs token before it ever meets an MDM server, so the device gets its token first
 * (pushForEnrollment), then enrolls with it: a push service that fails makes enrollment fail before
 * Authenticate, or (not asked for explicitly) leaves the device without push; it never leaves the
 * server with a half-enrolled device.
 *
 * Once enrolled, a notification wakes the device only when its topic is the enrollment's Topic and
 * its `mdm` value the PushMagic the device sent in TokenUpdate; anything else is ignored, as APNs
 * deliveries for another app would be.
 */
export interface DevicePushHandlers {
  /** A push for this enrollment: poll the server. */
  wake(): void;
  /** The gateway gave a different token than the one held: the server must hear of it. */
  tokenChanged(token: string): void;
}

export interface DevicePushOptions {
  /** The token held from an earlier connection. */
  token?: string | undefined;
  /** Reconnect backoff (PushClient's defaults otherwise). */
  backoff?: { initialMs?: number; maxMs?: number } | undefined;
  /** PEM of the CAs to trust for wss:// (default the device's trust anchors). */
  caPem?: string | undefined;
}

/** The push gateway next to the MDM server: ws(s)://<host of ServerURL>/push (mdmlab's layout). */
export function pushUrlFor(serverUrl: string): string {
  const u = new URL(serverUrl);
  return `${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}/push`;
}

/** What enrollment goes on with: a token, and the gateway connection that gave it (none without push). */
export interface EnrollmentPush {
  token: string;
  /** The connected gateway; absent when the device has no push service. */
  client?: PushClient;
  /** Why the device has no push service, for its log. */
  withoutPush?: string;
}

/**
 * The token to enroll with. `{url}`: that gateway's, or IosDeviceError('pushUnavailable') after
 * `timeoutMs`. `'none'`: a made-up one. `'auto'`: the gateway next to `serverUrl`; when that URL is
 * answered with a plain HTTP status (no gateway there: the server is not mdmlab's) or gives no token
 * within `timeoutMs`, the device goes on without push (a made-up token) and says why.
 */
export async function pushForEnrollment(
  rt: IosRuntime,
  setting: PushSetting,
  serverUrl: string,
  opts: { timeoutMs: number; backoff?: { initialMs?: number; maxMs?: number } | undefined; caPem?: string | undefined },
): Promise<EnrollmentPush> {
  if (setting === 'none') return { token: inventedToken(rt), withoutPush: 'no push service is configured' };
  const url = setting === 'auto' ? pushUrlFor(serverUrl) : setting.url;
  const client = createPushClient(rt, url, { backoff: opts.backoff, caPem: opts.caPem });
  client.setOnline(true);
  const outcome = await firstOutcome(client, opts.timeoutMs, setting === 'auto');
  if ('token' in outcome) return { token: outcome.token, client };
  client.close();
  if (setting !== 'auto') throw new IosDeviceError('pushUnavailable', `no push token from ${url}: ${outcome.reason}`);
  return { token: inventedToken(rt), withoutPush: `no push gateway at ${url} (${outcome.reason}; the server is not mdmlab's?)` };
}

/**
 * 32 random bytes, as an APNs device token is (Apple: "Registering your app with APNs"; the MDM
 * TokenUpdate `Token`). From the device's seeded stream, so a seeded run repeats it.
 */
export function inventedToken(rt: IosRuntime): string {
  return rt.random.fork('apns-token').hex(64);
}

/**
 * The token, or why not. `giveUpOnRefusal`: an HTTP answer to the WebSocket upgrade (`Unexpected
 * server response: 404`, how the `ws` package reports it) means no gateway is there at all, so
 * waiting longer would not help; network errors are retried by the client until the time is up.
 */
function firstOutcome(client: PushClient, timeoutMs: number, giveUpOnRefusal: boolean): Promise<{ token: string } | { reason: string }> {
  return new Promise((resolve) => {
    let lastError = '';
    const done = (v: { token: string } | { reason: string }) => {
      clearTimeout(timer);
      client.off('token', onToken);
      client.off('connectionError', onError);
      resolve(v);
    };
    const onToken = (token: string) => done({ token });
    const onError = (err: Error) => {
      lastError = err.message;
      const refused = /Unexpected server response: (\d+)/.exec(err.message);
      if (refused && giveUpOnRefusal) done({ reason: `it answered HTTP ${refused[1]}` });
    };
    const timer = setTimeout(() => done({ reason: `no token within ${timeoutMs} ms${lastError ? `; last error: ${lastError}` : ''}` }), timeoutMs);
    client.on('token', onToken);
    client.on('connectionError', onError);
  });
}

function createPushClient(rt: IosRuntime, url: string, opts: Omit<DevicePushOptions, 'token'> & { token?: string | undefined }): PushClient {
  const caPem = opts.caPem ?? rt.trust.pem();
  return new PushClient({
    url,
    ...(opts.token ? { token: opts.token } : {}),
    ...(caPem ? { caPem } : {}),
    ...(opts.backoff?.initialMs !== undefined ? { initialBackoffMs: opts.backoff.initialMs } : {}),
    ...(opts.backoff?.maxMs !== undefined ? { maxBackoffMs: opts.backoff.maxMs } : {}),
    random: rt.random.fork('push'),
  });
}

/** A gateway connection for an enrolled device (a restarted one: `url` from its enrollment). */
export function connectDevicePush(rt: IosRuntime, e: EnrolledIdentity, url: string, opts: DevicePushOptions, on: DevicePushHandlers): PushClient {
  // Started (online or not) by the device shell it is attached to.
  return bindDevicePush(rt, e, createPushClient(rt, url, opts), on);
}

/** Routes a gateway connection's notifications and token changes to the enrolled device. */
export function bindDevicePush(rt: IosRuntime, e: EnrolledIdentity, push: PushClient, on: DevicePushHandlers): PushClient {
  push.on('notification', (topic, payload) => {
    if (topic !== e.enrollment.topic || payload.mdm !== rt.state.getPush().pushMagic) {
      rt.log.debug({ topic }, 'push ignored: not for this enrollment');
      return;
    }
    on.wake();
  });
  push.on('token', (newToken, changed) => {
    if (changed) on.tokenChanged(newToken);
  });
  push.on('connectionError', (err) => rt.log.debug({ err }, 'push connection error'));
  return push;
}
