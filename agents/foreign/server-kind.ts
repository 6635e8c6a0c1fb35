import { sharedHttpClient, type HttpClient } from '../transport/http.js';

/**
 * Is the server at a URL an mdmlab server? The runners that drive a server through mdmlab's admin
 * API (scenario, fleet) ask before anything else, so that a server that is not mdmlab's gets one
 * clear sentence instead of the first error its 404 page would cause further on (JSON.parse of
 * "404 page not found"). mdmlab's answer: `GET /api/v1/openapi.json` is public and describes the
 * "mdmlab admin API" (server/http/admin/openapi.ts).
 */
export type ServerKind =
  | { kind: 'mdmlab'; version: string }
  | { kind: 'other'; url: string; evidence: string }
  | { kind: 'unreachable'; url: string; reason: string };

const MDMLAB_API_TITLE = 'mdmlab admin API';

export async function identifyServer(url: string, opts: { caPem?: string | undefined; http?: HttpClient; timeoutMs?: number } = {}): Promise<ServerKind> {
  const base = url.replace(/\/+$/, '');
  const probe = `${base}/api/v1/openapi.json`;
  let res;
  try {
    res = await (opts.http ?? sharedHttpClient()).request({
      method: 'GET',
      url: probe,
      headers: { accept: 'application/json' },
      timeoutMs: opts.timeoutMs ?? 10_000,
      ...(opts.caPem ? { caPem: opts.caPem } : {}),
    });
  } catch (err) {
    return { kind: 'unreachable', url: base, reason: (err as Error).message };
  }
  const type = String(res.headers['content-type'] ?? 'no content type');
  const text = res.body.subarray(0, 200).toString('utf8').replace(/\s+/g, ' ').trim();
  const evidence = `GET ${probe} answered ${res.status} (${type.split(';')[0]})${text ? `: "${text.slice(0, 80)}${text.length > 80 ? '…' : ''}"` : ''}`;
  if (res.status !== 200 || !type.includes('json')) return { kind: 'other', url: base, evidence };
  try {
    const doc = JSON.parse(res.body.toString('utf8')) as { info?: { title?: unknown; version?: unknown } };
    if (doc.info?.title === MDMLAB_API_TITLE) return { kind: 'mdmlab', version: String(doc.info.version ?? 'unknown') };
  } catch {
    // JSON in name only: not ours either.
  }
  return { kind: 'other', url: base, evidence };
}

/** One sentence for a server that is not mdmlab's (or did not answer), and what to do instead. */
export function notMdmlabMessage(k: Exclude<ServerKind, { kind: 'mdmlab' }>, foreignHint: string): string {
  if (k.kind === 'unreachable') return `${k.url} did not answer (${k.reason})`;
  return `${k.url} is not an mdmlab server (${k.evidence}); ${foreignHint}`;
}
