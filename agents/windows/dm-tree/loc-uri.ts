import { DmStatus } from './dm-command.js';

/**
 * LocURI syntax as the Windows client reads it (OMA-TS-DM_TND-V1_2, "The Management Tree": URI rules; Microsoft "OMA DM
 * protocol support": "LocURI can't start with /", node names can't be empty or only `*`, and "if the
 * address contains a non-alphanumeric character, it must be properly escaped according to the URL
 * encoding standard"; Unicode is UTF-8 then percent-encoded). So `{` and `}` of an account GUID must
 * arrive as %7B and %7D (ActiveSync CSP page); a literal brace, space or non-ASCII character is a
 * malformed URI.
 *
 * Scope (same page, "User targeted vs. Device targeted configuration"): `./User/…` is the user
 * scope; `./Device/Vendor/…` names the same device-scope node as `./Vendor/…` (no prefix means the
 * device); the page writes the prefixes in lower case (`./user/vendor/MSFT/…`), and node names are
 * matched without regard to case (see dm-schema.ts), so `./device/vendor/msft/…` is that node too.
 */

export interface LocUriLimits {
  /** Whole URI, in characters as sent. */
  maxLength: number;
  /** One decoded segment. */
  maxSegmentLength: number;
  /** Number of segments below the root. */
  maxDepth: number;
}

export type ParsedLocUri =
  | {
      ok: true;
      /** Decoded node names below the root, `./Device` alias removed (`[]` for the root `.`). */
      segments: string[];
      scope: 'device' | 'user';
    }
  | { ok: false; code: number; reason: string };

// RFC 3986 §3.3 pchar: unreserved / pct-encoded / sub-delims / ":" / "@" (and "/" between segments).
const PCHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
const PCT = /%(?![0-9A-Fa-f]{2})/;

export function parseLocUri(raw: string | undefined, limits: LocUriLimits): ParsedLocUri {
  const bad = (reason: string, code: number = DmStatus.badRequest): ParsedLocUri => ({ ok: false, code, reason });
  const uri = (raw ?? '').trim();
  if (uri === '') return bad('the item has no Target LocURI');
  if (uri.length > limits.maxLength) return bad(`the LocURI is longer than ${limits.maxLength} characters`, DmStatus.uriTooLong);
  if (uri.startsWith('/')) return bad('a LocURI cannot start with "/"');
  // TND 1.2 ?list= and ?prop= queries; not a feature the Windows client documents.
  if (uri.includes('?')) return bad('LocURI queries (?list=, ?prop=) are not supported', DmStatus.optionalFeatureNotSupported);
  if (uri === '.') return { ok: true, segments: [], scope: 'device' };
  const parts = uri.split('/');
  if (parts[0] === '.') parts.shift();
  if (parts.length > limits.maxDepth) return bad(`the LocURI is deeper than ${limits.maxDepth} nodes`, DmStatus.uriTooLong);
  const plain = PCHARS.test(uri);
  const segments: string[] = [];
  for (const part of parts) {
    if (part === '') return bad('a LocURI cannot hold an empty node name or end with "/"');
    if (part === '.' || part === '..') return bad('"." is only allowed as the first segment of a LocURI');
    if (!plain && !PCHARS.test(part)) return bad(`"${part.slice(0, 64)}" holds characters that must be percent-encoded (e.g. { as %7B, } as %7D)`);
    let name = part;
    if (part.includes('%')) {
      try {
        if (PCT.test(part)) throw new URIError();
        name = decodeURIComponent(part);
      } catch {
        return bad(`"${part.slice(0, 64)}" is not valid percent-encoded UTF-8`);
      }
    }
    if (name === '*') return bad('a node name cannot be only "*"');
    if (name.includes('/')) return bad('a node name cannot hold "/"');
    if (name.length > limits.maxSegmentLength) return bad(`a node name is longer than ${limits.maxSegmentLength} characters`, DmStatus.uriTooLong);
    segments.push(name);
  }
  const first = segments[0]!.toLowerCase();
  if (first === 'user') return { ok: true, segments, scope: 'user' };
  if (first === 'device' && segments[1]?.toLowerCase() === 'vendor') return { ok: true, segments: segments.slice(1), scope: 'device' };
  return { ok: true, segments, scope: 'device' };
}

/** The LocURI of decoded segments: `./User/Vendor/MSFT/ActiveSync/Accounts/%7B…%7D`. */
export function formatLocUri(segments: readonly string[]): string {
  return segments.length === 0 ? '.' : `./${segments.map(encodeSegment).join('/')}`;
}

/** One node name as a URI segment (also how an interior node lists its children in a Get). */
export function encodeSegment(name: string): string {
  return encodeURIComponent(name);
}

/**
 * A LocURI in canonical spelling (`./Device/Vendor/…` → `./Vendor/…`, names decoded and re-encoded
 * the one way formatLocUri writes them), for comparing URIs; undefined when malformed.
 */
export function canonicalLocUri(uri: string): string | undefined {
  const parsed = parseLocUri(uri, { maxLength: 8192, maxSegmentLength: 1024, maxDepth: 128 });
  return parsed.ok ? formatLocUri(parsed.segments) : undefined;
}
