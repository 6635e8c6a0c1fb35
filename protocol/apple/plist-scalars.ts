/**
 * Text content of plist elements → values (Apple "PropertyList-1.0.dtd"; XML 1.0 §4.1 character
 * and entity references). Only XML's five predefined entities and numeric character references
 * exist here: nothing else is ever expanded.
 */

import { AppleProtocolError } from './errors.js';

const INTEGER_RE = /^[+-]?[0-9]+$/;
const REAL_RE = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const REAL_SPECIAL_RE = /^([+-]?)(inf|infinity|nan)$/i;
const DATE_RE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?Z$/;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
const XML_WS_RE = /[\t\n\r ]+/g;
const ENTITY_RE = /&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|([A-Za-z]+))?;?/g;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function fail(code: 'malformed' | 'invalidValue', what: string, at: number): never {
  throw new AppleProtocolError(code, `${what} (offset ${at})`);
}

/** Decode `&lt;`-style references in raw text found at offset `at`. */
export function decodeText(raw: string, at: number): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(ENTITY_RE, (m: string, hex?: string, dec?: string, named?: string) => {
    if (!m.endsWith(';') || m.length < 3) fail('malformed', 'bare "&" in text', at);
    if (named !== undefined) {
      const v = PREDEFINED[named];
      if (v === undefined) fail('malformed', `undefined entity &${named}; (only XML's predefined entities are allowed)`, at);
      return v;
    }
    const cp = hex !== undefined ? parseInt(hex, 16) : parseInt(dec ?? '', 10);
    const valid =
      cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
    if (!valid) fail('malformed', `character reference ${m} is not a valid XML character`, at);
    return String.fromCodePoint(cp);
  });
}

/** `<integer>`: decimal only; beyond ±(2^53 − 1) is refused rather than rounded. */
export function integerValue(text: string, at: number): number {
  const t = text.trim();
  if (!INTEGER_RE.test(t)) fail('malformed', `<integer> holds "${t.slice(0, 40)}"`, at);
  const n = Number(t);
  if (!Number.isSafeInteger(n)) fail('invalidValue', `<integer> ${t.slice(0, 40)} is outside the safe integer range`, at);
  return n === 0 ? 0 : n; // no -0
}

/** `<real>`: decimal/exponent notation, plus CoreFoundation's nan / inf / infinity. */
export function realValue(text: string, at: number): number {
  const t = text.trim();
  if (REAL_RE.test(t)) return Number(t);
  const special = REAL_SPECIAL_RE.exec(t);
  if (special) {
    if (special[2]?.toLowerCase() === 'nan') return Number.NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  return fail('malformed', `<real> holds "${t.slice(0, 40)}"`, at);
}

/** `<date>`: ISO 8601 in UTC (`YYYY-MM-DDTHH:MM:SSZ`, optional fraction), a real calendar date. */
export function dateValue(text: string, at: number): Date {
  const t = text.trim();
  const m = DATE_RE.exec(t);
  if (!m) return fail('malformed', `<date> "${t.slice(0, 40)}" is not YYYY-MM-DDTHH:MM:SSZ`, at);
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d); // setUTCFullYear: years 0–99 are not shifted to 19xx
  date.setUTCHours(h, mi, sec, ms);
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || sec > 59) {
    fail('malformed', `<date> "${t}" is not a valid date`, at);
  }
  return date;
}

/** `<data>`: base64, whitespace allowed anywhere (Apple wraps long lines). */
export function dataValue(text: string, at: number): Buffer {
  const b64 = text.includes(' ') || text.includes('\n') || text.includes('\t') || text.includes('\r') ? text.replace(XML_WS_RE, '') : text;
  if (!BASE64_RE.test(b64) || b64.length % 4 === 1) fail('malformed', '<data> is not base64', at);
  return Buffer.from(b64, 'base64');
}
