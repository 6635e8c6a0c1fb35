import { AdminApiError, type AdminClient } from '../admin/admin-client.js';
import { sharedHttpClient, type HttpClient } from '../transport/http.js';
import { FleetInputError } from './input-error.js';

/**
 * What the fleet checks before it touches a server, so that a wrong URL or token is one clear line
 * instead of a run of failures: the server answers at all, it is an mdmlab server (its admin API
 * describes itself in openapi.json, which needs no token), and it takes the admin token.
 */

export type ServerKind = { kind: 'mdmlab' } | { kind: 'other'; why: string };

export async function probeServer(baseUrl: string, caPem?: string, http: HttpClient = sharedHttpClient()): Promise<ServerKind> {
  const url = `${baseUrl}/api/v1/openapi.json`;
  let res;
  try {
    res = await http.request({ method: 'GET', url, timeoutMs: 10_000, ...(caPem ? { caPem } : {}) });
  } catch (err) {
    throw new FleetInputError(`cannot reach ${baseUrl}: ${(err as Error).message}`);
  }
  if (res.status !== 200) return { kind: 'other', why: `GET /api/v1/openapi.json answered ${res.status}` };
  try {
    const doc = JSON.parse(res.body.toString('utf8')) as { info?: { title?: unknown } };
    if (doc.info?.title === 'mdmlab admin API') return { kind: 'mdmlab' };
    return { kind: 'other', why: `its openapi.json describes ${JSON.stringify(String(doc.info?.title ?? 'something else')).slice(0, 60)}` };
  } catch {
    return { kind: 'other', why: 'GET /api/v1/openapi.json is not JSON' };
  }
}

/** The admin token is taken (a cheap read); a refusal is one line, never a stack trace. */
export async function checkAdminToken(admin: AdminClient): Promise<void> {
  try {
    await admin.status();
  } catch (err) {
    if (err instanceof AdminApiError && (err.status === 401 || err.status === 403)) {
      throw new FleetInputError(`the server refused the admin token (${err.status} ${err.code}): check --token or MDMLAB_ADMIN_TOKEN`);
    }
    throw new FleetInputError(`the server's admin API failed: ${(err as Error).message}`);
  }
}
