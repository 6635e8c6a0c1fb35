/**
 * Where a simulated device gets its push service, a setting of its own, apart from the MDM server
 * (a real iPhone gets its token from APNs, never from the MDM server; Apple Developer, "Sending MDM
 * commands to a device"):
 *
 * - `'auto'` (default): the mdmlab push gateway next to the MDM server (`ws(s)://<host of
 *   ServerURL>/push`). A server that answers that URL with a plain HTTP status (a 404 page: it is
 *   not mdmlab's), or gives no token in time, leaves the device without push, as `'none'`.
 * - `{ url }`: that gateway, which must give a token during enrollment.
 * - `'none'`: no push service: the device makes up a token as APNs tokens look (32 random bytes),
 *   sends it in TokenUpdate, and learns of commands only when it checks in (its check-in timer, or
 *   its user).
 */
export type PushSetting = 'auto' | 'none' | { url: string };

/** `--push` as the CLIs take it: `auto`, `none` or a ws:// / wss:// URL. Throws a message for anything else. */
export function parsePushSetting(value: string | undefined): PushSetting {
  if (value === undefined || value === 'auto') return 'auto';
  if (value === 'none') return 'none';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`--push must be auto, none or a ws:// or wss:// URL, not "${value}"`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error(`--push must be auto, none or a ws:// or wss:// URL, not "${value}"`);
  return { url: url.href };
}

export function describePushSetting(p: PushSetting): string {
  return p === 'auto' ? "mdmlab's push gateway next to the MDM server when there is one" : p === 'none' ? 'no push service (devices poll)' : `push gateway ${p.url}`;
}
