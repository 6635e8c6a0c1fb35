/**
 * Writes Apple XML property lists (Apple "PropertyList-1.0.dtd"), in the layout CFPropertyList
 * writes: XML declaration, the Apple DOCTYPE, `<plist version="1.0">`, tab indentation.
 *
 * Type mapping: string → <string>, safe integer → <integer>, other finite number or PlistReal →
 * <real> (so a decoded whole-number <real>, a PlistReal, stays one), boolean → <true/>/<false/>, Date → <date> (ISO 8601, whole seconds, UTC), Buffer /
 * Uint8Array → <data> (base64), array → <array>, object → <dict> (insertion order; undefined
 * members are left out). Anything else (null, NaN, ±Infinity, an invalid Date, a string holding a
 * character XML cannot carry) is an AppleProtocolError('invalidValue'): a plist we could not read
 * back is never produced.
 */

import { AppleProtocolError } from './errors.js';
import { PlistReal, type PlistInput } from './plist-types.js';

export const PLIST_HEADER =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n' +
  '<plist version="1.0">\n';
const PLIST_FOOTER = '</plist>\n';

const UNREPRESENTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const NEEDS_ESCAPE = /[&<>\r]/;
const MAX_ENCODE_DEPTH = 64;

/** The whole document for `value` (normally a dict). */
export function encodePlistXml(value: PlistInput): string {
  const out: string[] = [PLIST_HEADER];
  writeValue(out, value, '', '', 1);
  out.push(PLIST_FOOTER);
  return out.join('');
}

function escapeText(s: string, path: string): string {
  if (UNREPRESENTABLE.test(s)) {
    throw new AppleProtocolError('invalidValue', `${path || 'value'}: string holds a character XML 1.0 cannot represent`, { key: path });
  }
  if (!NEEDS_ESCAPE.test(s)) return s;
  // CR as a character reference: a literal CR would be read back as LF (XML 1.0 §2.11).
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

function formatReal(n: number, path: string): string {
  if (!Number.isFinite(n)) throw new AppleProtocolError('invalidValue', `${path || 'value'}: ${n} cannot be written as <real>`, { key: path });
  const t = Object.is(n, -0) ? '-0' : String(n);
  // Keep a decimal point so a reader sees a real even for integral values ("1.0", not "1").
  return /[.eE]/.test(t) ? t : `${t}.0`;
}

/** ISO 8601 without milliseconds (Apple writes whole seconds). */
export function formatPlistDate(d: Date, path = ''): string {
  const t = d.getTime();
  if (Number.isNaN(t)) throw new AppleProtocolError('invalidValue', `${path || 'value'}: invalid Date`, { key: path });
  return new Date(t - (((t % 1000) + 1000) % 1000)).toISOString().replace(/\.000Z$/, 'Z');
}

function writeValue(out: string[], v: PlistInput | undefined, indent: string, path: string, depth: number): void {
  switch (typeof v) {
    case 'string':
      out.push(indent, v === '' ? '<string></string>\n' : `<string>${escapeText(v, path)}</string>\n`);
      return;
    case 'boolean':
      out.push(indent, v ? '<true/>\n' : '<false/>\n');
      return;
    case 'number':
      if (Number.isSafeInteger(v)) out.push(indent, `<integer>${v === 0 ? 0 : v}</integer>\n`);
      else out.push(indent, `<real>${formatReal(v, path)}</real>\n`);
      return;
    case 'object':
      break;
    default:
      throw new AppleProtocolError('invalidValue', `${path || 'value'}: ${v === undefined ? 'undefined' : typeof v} cannot be written to a plist`, { key: path });
  }
  if (v === null) throw new AppleProtocolError('invalidValue', `${path || 'value'}: null cannot be written to a plist`, { key: path });
  if (v instanceof PlistReal) {
    out.push(indent, `<real>${formatReal(v.value, path)}</real>\n`);
    return;
  }
  if (v instanceof Date) {
    out.push(indent, `<date>${formatPlistDate(v, path)}</date>\n`);
    return;
  }
  if (v instanceof Uint8Array) {
    const b64 = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
    out.push(indent, `<data>${b64}</data>\n`);
    return;
  }
  if (depth > MAX_ENCODE_DEPTH) throw new AppleProtocolError('tooDeep', `${path}: nesting deeper than ${MAX_ENCODE_DEPTH}`, { key: path });
  const inner = `${indent}\t`;
  if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push(indent, '<array/>\n');
      return;
    }
    out.push(indent, '<array>\n');
    const arr = v as readonly PlistInput[];
    for (let i = 0; i < arr.length; i++) {
      const item = arr[i];
      if (item === undefined) throw new AppleProtocolError('invalidValue', `${path}[${i}]: undefined cannot be written to a plist`, { key: `${path}[${i}]` });
      writeValue(out, item, inner, `${path}[${i}]`, depth + 1);
    }
    out.push(indent, '</array>\n');
    return;
  }
  const entries = Object.entries(v);
  let wrote = false;
  for (const [key, item] of entries) {
    if (item === undefined) continue;
    if (!wrote) {
      out.push(indent, '<dict>\n');
      wrote = true;
    }
    const childPath = path ? `${path}.${key}` : key;
    out.push(inner, `<key>${escapeText(key, childPath)}</key>\n`);
    writeValue(out, item, inner, childPath, depth + 1);
  }
  out.push(indent, wrote ? '</dict>\n' : '<dict/>\n');
}
