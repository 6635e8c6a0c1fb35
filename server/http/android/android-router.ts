import express, { type Router } from 'express';
import type { Logger } from 'pino';
import { ANDROID_CHANNEL_PATHS } from '../../../protocol/android/channel.js';
import { AndroidChannelError } from '../../errors/android-error.js';
import { writeChannelError } from './channel-errors.js';

/** The method each channel path takes (the handlers themselves are fast paths, android-endpoints.ts). */
const METHODS: ReadonlyMap<string, string> = new Map([
  [ANDROID_CHANNEL_PATHS.register, 'POST'],
  [ANDROID_CHANNEL_PATHS.policy, 'GET'],
  [ANDROID_CHANNEL_PATHS.report, 'POST'],
]);

/**
 * Everything under /android that the fast paths did not take: answered in the channel's own error
 * form, 405 with Allow for a known path and another method, 404 for any other path.
 */
export function androidFallbackRouter(log: Logger): Router {
  const router = express.Router();
  router.use((req, res) => {
    req.resume();
    const path = req.originalUrl.split('?')[0]!;
    const allowed = METHODS.get(path);
    const err = allowed
      ? new AndroidChannelError('methodNotAllowed', `${req.method} is not supported on ${path}; use ${allowed}`, { headers: { allow: allowed } })
      : new AndroidChannelError('routeNotFound', `no route ${req.method} ${path}`);
    writeChannelError(res, err, log, req.originalUrl);
  });
  return router;
}
