/**
 * The path a WebSocket upgrade asks for, from the raw request-target of its HTTP/1.1 request line
 * (RFC 9112 §3.2): origin-form (`/push?x`) or absolute-form (`http://host/push`); undefined for
 * anything else, which the gateway answers 400. Parsing never throws: the target is whatever a
 * client sent, and the `upgrade` listener must not let an exception out (it would end the process).
 */
export function upgradePath(target: string | undefined): string | undefined {
  if (!target) return undefined;
  if (target.startsWith('/')) {
    // `//host/…` is not origin-form for a URL parser (it reads an authority): refuse the ambiguity.
    if (target.startsWith('//') || !ORIGIN_FORM.test(target) || BAD_PERCENT.test(target)) return undefined;
    const end = target.search(/[?#]/);
    return end < 0 ? target : target.slice(0, end);
  }
  if (!ABSOLUTE_FORM.test(target)) return undefined;
  try {
    return new URL(target).pathname;
  } catch {
    return undefined; // `http://[::1`, a port above 65535, …
  }
}

/** Visible ASCII only (RFC 3986 §2: a URI is ASCII; spaces and controls never appear in one). */
const ORIGIN_FORM = /^\/[\x21-\x7e]*$/;
/** A `%` not followed by two hex digits (RFC 3986 §2.1). */
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;
const ABSOLUTE_FORM = /^(?:https?|wss?):\/\/[\x21-\x7e]+$/i;
