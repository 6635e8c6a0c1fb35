import { AdminApiError } from '../admin/admin-client.js';
import { isDeviceError } from '../core/device-error.js';
import { isHttpError } from '../transport/http.js';

/**
 * Whether an enrollment that failed was refused (asking again the same way would be refused
 * again: a 4xx, a SCEP FAILURE, a profile that does not verify) rather than failed on the way (no
 * answer, a 5xx, 408 / 429, no push token yet), which is worth another try after a backoff
 * (RFC 9110 §15.5 / §15.6: 4xx is the client's request, 5xx the server's trouble).
 */
export function isRefusal(err: unknown): boolean {
  if (isHttpError(err)) return false;
  if (err instanceof AdminApiError) return !isTransientStatus(err.status);
  if (isDeviceError(err)) {
    if (err.code === 'network' || err.code === 'pushUnavailable' || err.code === 'stopped') return false;
    return err.status === undefined || !isTransientStatus(err.status);
  }
  return false; // anything else (a bug of ours, a JSON page that is not JSON) is counted, not judged
}

function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}
