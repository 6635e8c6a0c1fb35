import type { DdfFormat } from './ddf-types.js';

/**
 * Reading a node value in its DDF format (OMA DM TND 1.2 DFFormat; OMA SyncML Meta Information,
 * Format): what a Windows client accepts as an `int`, a `bool`, `b64` data. A value that does not
 * read in the node's format is what the client answers 415 (unsupported type or format) for.
 */

/**
 * `int` is a 32-bit word. OMA DM leaves the sign to the node and Windows CSPs hold both kinds
 * (ActiveSync Schedule runs −1…4294967295; DMClient intervals are DWORDs), so anything that fits in
 * 32 bits either way is accepted: −2147483648…4294967295. Decimal digits only, an optional sign.
 */
export const DM_INT_MIN = -2147483648;
export const DM_INT_MAX = 4294967295;

export function parseDmInt(text: string): number | undefined {
  if (!/^[+-]?\d{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= DM_INT_MIN && n <= DM_INT_MAX ? n : undefined;
}

/**
 * `bool`: the TND spells it `true` / `false`; Windows DDFs also describe bool nodes whose values are
 * 0 and 1 (DMAcc …/Ext/Microsoft/UseHwDevID, default 0), so 1 and 0 read as booleans too. Case is
 * ignored.
 */
export function parseDmBool(text: string): boolean | undefined {
  switch (text.toLowerCase()) {
    case 'true':
    case '1':
      return true;
    case 'false':
    case '0':
      return false;
    default:
      return undefined;
  }
}

/** RFC 4648 §4 base64, line breaks and spaces allowed between characters (PEM-style wrapping is common). */
export function isDmBase64(text: string): boolean {
  const compact = text.replace(/\s+/g, '');
  return compact.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(compact);
}

const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A number written as decimal or 0x-prefixed hexadecimal (Flag allowed values use both). Undefined beyond 32 bits. */
export function parseFlagNumber(text: string): number | undefined {
  const t = text.trim();
  const n = /^0x[0-9a-f]{1,8}$/i.test(t) ? parseInt(t.slice(2), 16) : /^\d{1,10}$/.test(t) ? Number(t) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 0xffffffff ? n : undefined;
}

export type DmValueReading = { ok: true; value: string } | { ok: false; reason: string };

/**
 * Reads `data` as a value of `format`, giving the value the node keeps: ints in plain decimal, bools
 * as `true` / `false`, everything else as sent. Interior (`node`) formats take no data.
 */
export function readDmValue(format: DdfFormat, data: string): DmValueReading {
  switch (format) {
    case 'int': {
      const n = parseDmInt(data.trim());
      return n === undefined ? { ok: false, reason: `"${clip(data)}" is not a 32-bit integer` } : { ok: true, value: String(n) };
    }
    case 'bool': {
      const b = parseDmBool(data.trim());
      return b === undefined ? { ok: false, reason: `"${clip(data)}" is not a boolean (true/false)` } : { ok: true, value: String(b) };
    }
    case 'b64':
      return isDmBase64(data) ? { ok: true, value: data } : { ok: false, reason: 'data is not base64' };
    case 'float':
      return FLOAT.test(data.trim()) ? { ok: true, value: data.trim() } : { ok: false, reason: `"${clip(data)}" is not a number` };
    case 'node':
      return data.trim() === '' ? { ok: true, value: '' } : { ok: false, reason: 'an interior node holds no data' };
    default:
      // chr, xml, bin, date, time, null: Windows stores what it is given.
      return { ok: true, value: data };
  }
}

/** A short, single-line excerpt of a value for a status reason (never the whole value). */
export function clip(text: string, max = 40): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}
