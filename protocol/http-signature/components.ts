/**
 * Component values of a request for HTTP message signatures (RFC 9421 §2): HTTP fields (§2.1) and
 * the derived components @method, @target-uri, @authority, @scheme, @request-target, @path, @query
 * and @query-param (§2.2). @status belongs to responses and is refused, as are the field parameters
 * sf, key, bs, req and tr, which mdmlab's signatures do not use.
 */

import { HttpSignatureError } from './errors.js';
import { serializeItem, type Item, type Parameters } from './structured-fields.js';

export type HeaderValue = string | number | readonly string[] | undefined;

/** Field names as node:http gives them (lower case), or in any case: lookups ignore case. */
export type RequestHeaders = Readonly<Record<string, HeaderValue>>;

/** What a request signature covers. */
export interface HttpRequestParts {
  method: string;
  /**
   * The absolute target URI (RFC 9110 §7.1), e.g. `http://mdm.lab:8080/android/v1/policy?x=1`.
   * A server rebuilds it from its own configured base URL and the request target, so a signature
   * made for another server never verifies here.
   */
  targetUri: string;
  headers: RequestHeaders;
}

export interface ComponentIdentifier {
  /** `@method`, `content-digest` … (lower case). */
  name: string;
  params: Parameters;
}

export const DERIVED_COMPONENTS = ['@method', '@target-uri', '@authority', '@scheme', '@request-target', '@path', '@query', '@query-param'] as const;

/** `"@query-param";name="Pet"` — the identifier as it appears in the signature base (RFC 9421 §2.5). */
export function serializeComponentIdentifier(id: ComponentIdentifier): string {
  const item: Item = { kind: 'item', value: { type: 'string', value: id.name }, params: id.params };
  return serializeItem(item);
}

export function componentIdentifier(name: string, params: Parameters = new Map()): ComponentIdentifier {
  return { name, params };
}

interface TargetUri {
  scheme: string;
  authority: string;
  path: string;
  /** Without the leading "?"; undefined when the URI has no query. */
  query: string | undefined;
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443' };

/** Split an absolute http(s) URI without normalizing its path or query (RFC 3986 §3). */
export function parseTargetUri(uri: string): TargetUri {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#\s]+)([^?#\s]*)(?:\?([^#\s]*))?$/.exec(uri);
  if (!m) throw new HttpSignatureError('invalidComponentValue', 'the target URI is not an absolute URI without fragment');
  const [, scheme = '', rawAuthority = '', path = '', query] = m;
  if (rawAuthority.includes('@')) throw new HttpSignatureError('invalidComponentValue', 'the target URI carries user information');
  // RFC 9421 §2.2.3: the authority is normalized as HTTP does (RFC 9110 §4.2.3): lower case, no default port.
  let authority = rawAuthority.toLowerCase();
  const port = /:(\d*)$/.exec(authority);
  if (port && (port[1] === '' || port[1] === DEFAULT_PORTS[scheme.toLowerCase()])) authority = authority.slice(0, port.index);
  return { scheme: scheme.toLowerCase(), authority, path, query };
}

/** application/x-www-form-urlencoded percent-encode set, without turning spaces into "+" (RFC 9421 §2.2.8). */
function formEncode(s: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(s);
  } catch {
    throw new HttpSignatureError('invalidComponentValue', 'a query parameter is not valid Unicode');
  }
  return encoded.replace(/[!'()~]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

function queryParamValue(query: string | undefined, name: string): string {
  const values: string[] = [];
  for (const [k, v] of new URLSearchParams(query ?? '')) if (formEncode(k) === name) values.push(formEncode(v));
  if (values.length === 0) throw new HttpSignatureError('componentNotInMessage', `the query has no parameter ${name}`);
  // RFC 9421 §2.2.8: a parameter that occurs more than once cannot be covered by name.
  if (values.length > 1) throw new HttpSignatureError('invalidComponentValue', `the query has parameter ${name} more than once`);
  return values[0] as string;
}

/** Look up a field by name whatever the case of the keys; undefined when absent. */
export function headerValue(headers: RequestHeaders, name: string): HeaderValue {
  if (Object.hasOwn(headers, name)) return headers[name];
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return headers[key];
  return undefined;
}

/** RFC 9421 §2.1: each field line's value trimmed, lines joined with ", ". */
function fieldValue(headers: RequestHeaders, name: string): string {
  const raw = headerValue(headers, name);
  if (raw === undefined) throw new HttpSignatureError('componentNotInMessage', `the request has no ${name} field`);
  const lines = typeof raw === 'string' ? [raw] : typeof raw === 'number' ? [String(raw)] : raw;
  if (lines.length === 0) throw new HttpSignatureError('componentNotInMessage', `the request has no ${name} field`);
  return lines.map((l) => l.trim()).join(', ');
}

/** The value of one covered component of the request. Throws HttpSignatureError. */
export function componentValue(request: HttpRequestParts, id: ComponentIdentifier): string {
  const paramKeys = [...id.params.keys()];
  if (id.name.startsWith('@')) {
    const allowed = id.name === '@query-param' ? ['name'] : [];
    const extra = paramKeys.find((k) => !allowed.includes(k));
    if (extra) throw new HttpSignatureError('unsupportedComponent', `${id.name} does not take the parameter ${extra}`);
    return derivedValue(request, id);
  }
  if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(id.name)) {
    throw new HttpSignatureError('unsupportedComponent', `"${id.name}" is not a lower-case field name`);
  }
  if (paramKeys.length > 0) throw new HttpSignatureError('unsupportedComponent', `field parameters (${paramKeys.join(', ')}) are not supported`);
  return checked(fieldValue(request.headers, id.name), id.name);
}

function derivedValue(request: HttpRequestParts, id: ComponentIdentifier): string {
  const uri = () => parseTargetUri(request.targetUri);
  switch (id.name) {
    case '@method':
      return checked(request.method, id.name);
    case '@target-uri':
      uri();
      return checked(request.targetUri, id.name);
    case '@authority':
      return uri().authority;
    case '@scheme':
      return uri().scheme;
    case '@request-target': {
      const u = uri();
      return (u.path || '/') + (u.query === undefined ? '' : `?${u.query}`);
    }
    case '@path':
      return uri().path || '/';
    case '@query': {
      const q = uri().query;
      return `?${q ?? ''}`;
    }
    case '@query-param': {
      const name = id.params.get('name');
      if (name?.type !== 'string') throw new HttpSignatureError('invalidParameter', '@query-param needs a name="…" parameter');
      return queryParamValue(uri().query, name.value);
    }
    default:
      throw new HttpSignatureError('unsupportedComponent', `${id.name} is not a request component mdmlab derives`);
  }
}

/** A component value must fit on one line of the signature base, as bytes (ISO-8859-1 field octets). */
function checked(value: string, name: string): string {
  if (/[\r\n]|[^\u0000-\u00ff]/.test(value)) throw new HttpSignatureError('invalidComponentValue', `${name} has a value the signature base cannot carry`);
  return value;
}
