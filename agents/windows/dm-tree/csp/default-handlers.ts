import type { CspHandler } from '../csp-handler.js';
import { activeSyncCsp, type ActiveSyncCspOptions } from './activesync-csp.js';
import { email2Csp } from './email2-csp.js';

/** The CSP quirks a simulated Windows device has (wrap in one CspHandlerSet per process). */
export function defaultCspHandlers(options: { activeSync?: ActiveSyncCspOptions } = {}): CspHandler[] {
  return [activeSyncCsp(options.activeSync), email2Csp()];
}
