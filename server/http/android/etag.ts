/**
 * Entity tags of policies (RFC 9110 §8.8.3): one per device and policy version, since a version's
 * document never changes once served (policy-renderer.ts). Strong tags; If-None-Match compares
 * weakly (§13.1.2), so a `W/` prefix a cache may have added still matches.
 */
export function policyEtag(deviceId: string, version: number): string {
  return `"${deviceId}.${version}"`;
}

/** Entity tags in one If-None-Match considered at most: a longer list is a client we do not serve at length. */
const MAX_TAGS = 32;

/** True when If-None-Match (`*`, or a list of entity tags) matches `etag`. */
export function etagMatches(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.trim() === '*') return true;
  let seen = 0;
  for (const raw of value.split(',')) {
    if (++seen > MAX_TAGS) return false;
    const tag = raw.trim();
    if ((tag.startsWith('W/') ? tag.slice(2) : tag) === etag) return true;
  }
  return false;
}
