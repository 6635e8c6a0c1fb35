import { PushClient } from '../push/push-client.js';
import type { EnrolledIdentity } from './device-state.js';
import type { IosRuntime } from './runtime.js';

/**
 * The iOS device's push connection (notes/apple.md §2.6): a notification wakes the device only
 * when its topic is the enrollment's Topic and its `mdm` value the PushMagic the device sent in
 * TokenUpdate; anything else is ignored, as APNs deliveries for another app would be.
 */
export interface DevicePushHandlers {
  /** A push for this enrollment: poll the server. */
  wake(): void;
  /** The gateway gave a different token than the one held: the server must hear of it. */
  tokenChanged(token: string): void;
}

export interface DevicePushOptions {
  /** The token held from an earlier connection. */
  token: string | undefined;
  /** Reconnect backoff (PushClient's defaults otherwise). */
  backoff?: { initialMs?: number; maxMs?: number } | undefined;
}

export function connectDevicePush(rt: IosRuntime, e: EnrolledIdentity, opts: DevicePushOptions, on: DevicePushHandlers): PushClient {
  const caPem = rt.trust.pem();
  const push = new PushClient({
    url: e.enrollment.pushUrl,
    ...(opts.token ? { token: opts.token } : {}),
    ...(caPem ? { caPem } : {}),
    ...(opts.backoff?.initialMs !== undefined ? { initialBackoffMs: opts.backoff.initialMs } : {}),
    ...(opts.backoff?.maxMs !== undefined ? { maxBackoffMs: opts.backoff.maxMs } : {}),
    random: rt.random.fork('push'),
  });
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
  // Started (online or not) by the device shell it is attached to.
  return push;
}
