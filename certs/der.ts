/**
 * Minimal ASN.1 DER writer and BER-tolerant reader (ITU-T X.690).
 *
 * Why not node-forge: forge converts everything to binary strings and builds an object tree,
 * which costs more than the RSA verification itself on the Apple check-in hot path. This walker
 * works on Buffer views without copying. It reads BER too (indefinite lengths, constructed
 * OCTET STRINGs) because real SCEP clients and `openssl cms -stream` emit them (RFC 5652 §1.1
 * requires receivers to accept BER).
 */
import { CertsError } from './errors.js';

/** Universal tags (X.690 §8) and the composite identifier octets we use. */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  NUMERIC_STRING: 0x12,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  VISIBLE_STRING: 0x1a,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** One decoded TLV: offsets into `buf`, never a copy. */
export interface Tlv {
  readonly buf: Buffer;
  /** First identifier octet (class, constructed bit and low tag number). */
  readonly tag: number;
  /** Tag number (also for the high-tag-number form). */
  readonly tagNumber: number;
  readonly constructed: boolean;
  /** 0 universal, 1 application, 2 context-specific, 3 private. */
  readonly tagClass: number;
  readonly start: number;
  readonly contentStart: number;
  /** Exclusive end of the contents (before the end-of-contents octets for indefinite lengths). */
  readonly contentEnd: number;
  /** Exclusive end of the whole element. */
  readonly end: number;
}

const MAX_DEPTH = 64;

function bad(message: string): never {
  throw new CertsError('badDer', message);
}

/** Read one TLV at `offset` within `buf[..limit]`; X.690 §8.1. */
export function readTlv(buf: Buffer, offset = 0, limit = buf.length, depth = 0): Tlv {
  if (depth > MAX_DEPTH) bad('ASN.1 nesting too deep');
  let p = offset;
  if (p >= limit) bad(`truncated ASN.1 at offset ${offset}`);
  const tag = buf[p++]!;
  let tagNumber = tag & 0x1f;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    let b: number;
    do {
      if (p >= limit) bad('truncated high tag number');
      b = buf[p++]!;
      tagNumber = tagNumber * 128 + (b & 0x7f);
    } while (b & 0x80);
  }
  if (p >= limit) bad('truncated length');
  const lenByte = buf[p++]!;
  const constructed = (tag & 0x20) !== 0;
  const tagClass = tag >> 6;
  if (lenByte === 0x80) {
    // Indefinite length (BER only): contents are TLVs up to an end-of-contents 00 00.
    if (!constructed) bad('indefinite length on a primitive element');
    const contentStart = p;
    for (;;) {
      if (p + 1 < limit && buf[p] === 0 && buf[p + 1] === 0) {
        return { buf, tag, tagNumber, constructed, tagClass, start: offset, contentStart, contentEnd: p, end: p + 2 };
      }
      p = readTlv(buf, p, limit, depth + 1).end;
    }
  }
  let len = lenByte;
  if (lenByte & 0x80) {
    const n = lenByte & 0x7f;
    if (n > 4) bad('length too large');
    if (p + n > limit) bad('truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
  }
  const end = p + len;
  if (end > limit) bad(`element at offset ${offset} overruns its container`);
  return { buf, tag, tagNumber, constructed, tagClass, start: offset, contentStart: p, contentEnd: end, end };
}

/** Parse a buffer that must hold exactly one element (trailing bytes are an error). */
export function parseDer(buf: Buffer): Tlv {
  const t = readTlv(buf, 0, buf.length);
  if (t.end !== buf.length) bad(`${buf.length - t.end} trailing bytes after ASN.1 element`);
  return t;
}

/** The elements inside a constructed TLV. */
export function children(t: Tlv): Tlv[] {
  if (!t.constructed) bad(`expected a constructed element, got tag 0x${t.tag.toString(16)}`);
  const out: Tlv[] = [];
  let p = t.contentStart;
  while (p < t.contentEnd) {
    const c = readTlv(t.buf, p, t.contentEnd);
    out.push(c);
    p = c.end;
  }
  return out;
}

/** The full encoding (identifier + length + contents) as a view. */
export function rawOf(t: Tlv): Buffer {
  return t.buf.subarray(t.start, t.end);
}

/** The contents octets as a view. */
export function contentOf(t: Tlv): Buffer {
  return t.buf.subarray(t.contentStart, t.contentEnd);
}

/** Throw badDer unless `t` has identifier octet `tag`. */
export function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t) bad(`missing ${what}`);
  if (t.tag !== tag) bad(`${what}: expected tag 0x${tag.toString(16)}, got 0x${t.tag.toString(16)}`);
  return t;
}

/** A context-specific element (narrowing type for isContext). */
export interface ContextTlv extends Tlv {
  readonly tagClass: 2;
}

/** True if `t` is context-specific [n] (either primitive or constructed). */
export function isContext(t: Tlv | undefined, n: number): t is ContextTlv {
  return t !== undefined && t.tagClass === 2 && t.tagNumber === n;
}

/** OCTET STRING value, joining the segments of a BER constructed string (X.690 §8.7). */
export function octetsOf(t: Tlv): Buffer {
  if (!t.constructed) return contentOf(t);
  return Buffer.concat(children(t).map(octetsOf));
}

const oidCache = new Map<string, string>();

/** Decode an OBJECT IDENTIFIER to dotted form (X.690 §8.19). */
export function readOid(t: Tlv): string {
  if (t.tag !== Tag.OID) bad(`expected OBJECT IDENTIFIER, got tag 0x${t.tag.toString(16)}`);
  const c = contentOf(t);
  const key = c.toString('latin1');
  const hit = oidCache.get(key);
  if (hit !== undefined) return hit;
  if (c.length === 0) bad('empty OBJECT IDENTIFIER');
  const parts: number[] = [];
  let v = 0;
  for (let i = 0; i < c.length; i++) {
    const b = c[i]!;
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (parts.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        parts.push(first, v - first * 40);
      } else parts.push(v);
      v = 0;
    }
  }
  const s = parts.join('.');
  if (oidCache.size < 10_000) oidCache.set(key, s);
  return s;
}

/** INTEGER contents as unsigned big-endian bytes (leading sign 0x00 removed). */
export function readUnsignedInteger(t: Tlv): Buffer {
  if (t.tag !== Tag.INTEGER) bad(`expected INTEGER, got tag 0x${t.tag.toString(16)}`);
  let c = contentOf(t);
  if (c.length === 0) bad('empty INTEGER');
  while (c.length > 1 && c[0] === 0) c = c.subarray(1);
  return c;
}

/** Small non-negative INTEGER (versions, enumerations). */
export function readSmallInt(t: Tlv): number {
  const c = readUnsignedInteger(t);
  if (c.length > 6) bad('INTEGER too large');
  return c.readUIntBE(0, c.length);
}

/** Any ASN.1 character string as a JS string (DirectoryString and friends, RFC 5280 §4.1.2.4). */
export function readString(t: Tlv): string {
  const c = t.constructed ? octetsOf(t) : contentOf(t);
  switch (t.tag & ~0x20) {
    case Tag.UTF8_STRING:
      return c.toString('utf8');
    case Tag.PRINTABLE_STRING:
    case Tag.IA5_STRING:
    case Tag.NUMERIC_STRING:
    case Tag.VISIBLE_STRING:
      return c.toString('latin1');
    case Tag.T61_STRING:
      // TeletexString: in practice Latin-1 (what OpenSSL and Windows produce).
      return c.toString('latin1');
    case Tag.BMP_STRING: {
      const swapped = Buffer.from(c);
      if (swapped.length % 2) bad('odd-length BMPString');
      return swapped.swap16().toString('utf16le');
    }
    case Tag.UNIVERSAL_STRING: {
      if (c.length % 4) bad('bad UniversalString length');
      let s = '';
      for (let i = 0; i < c.length; i += 4) s += String.fromCodePoint(c.readUInt32BE(i));
      return s;
    }
    default:
      bad(`expected a character string, got tag 0x${t.tag.toString(16)}`);
  }
}

/** UTCTime or GeneralizedTime as a Date (RFC 5280 §4.1.2.5 profiles both as Zulu times). */
export function readTime(t: Tlv): Date {
  const s = contentOf(t).toString('latin1');
  let m: RegExpMatchArray | null;
  if (t.tag === Tag.UTC_TIME) {
    m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?(Z|[+-]\d{4})$/.exec(s);
    if (!m) bad(`bad UTCTime ${JSON.stringify(s)}`);
    const yy = Number(m[1]);
    const year = yy >= 50 ? 1900 + yy : 2000 + yy;
    return buildDate(year, m[2]!, m[3]!, m[4]!, m[5]!, m[6] ?? '00', '', m[7]!);
  }
  if (t.tag === Tag.GENERALIZED_TIME) {
    m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?(\.\d+)?(Z|[+-]\d{4})?$/.exec(s);
    if (!m) bad(`bad GeneralizedTime ${JSON.stringify(s)}`);
    return buildDate(Number(m[1]), m[2]!, m[3]!, m[4]!, m[5]!, m[6] ?? '00', m[7] ?? '', m[8] ?? 'Z');
  }
  bad(`expected a time, got tag 0x${t.tag.toString(16)}`);
}

function buildDate(year: number, mo: string, d: string, h: string, mi: string, s: string, frac: string, zone: string): Date {
  let ms = Date.UTC(year, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (frac) ms += Math.round(Number(`0${frac}`) * 1000);
  if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
  }
  if (Number.isNaN(ms)) bad('invalid date');
  return new Date(ms);
}

/** BIT STRING contents without the unused-bits octet (X.690 §8.6). */
export function readBitString(t: Tlv): { unusedBits: number; bytes: Buffer } {
  if (t.tag !== Tag.BIT_STRING) bad(`expected BIT STRING, got tag 0x${t.tag.toString(16)}`);
  const c = contentOf(t);
  if (c.length === 0) bad('empty BIT STRING');
  return { unusedBits: c[0]!, bytes: c.subarray(1) };
}

// ---------------------------------------------------------------------------------------------
// Writer. Every function returns a complete DER encoding.

function lengthOctets(len: number): Buffer {
  if (len < 0x80) return Buffer.from([len]);
  const bytes: number[] = [];
  for (let n = len; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** Encode identifier octet `tag` (low tag numbers only) with the given contents. */
export function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = contents.length === 1 ? contents[0]! : Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), lengthOctets(body.length), body]);
}

/** SEQUENCE of already-encoded elements. */
export function seq(...items: Buffer[]): Buffer {
  return tlv(Tag.SEQUENCE, ...items);
}

/** SET OF with the elements sorted by encoding, as DER requires (X.690 §11.6). */
export function setOf(items: Buffer[], tag: number = Tag.SET): Buffer {
  return tlv(tag, ...[...items].sort(Buffer.compare));
}

/** [n] EXPLICIT wrapper (constructed context tag). */
export function explicit(n: number, inner: Buffer): Buffer {
  return tlv(0xa0 | n, inner);
}

/** Re-tag an encoded element as [n] IMPLICIT, keeping its constructed bit. */
export function implicit(n: number, encoded: Buffer): Buffer {
  const t = readTlv(encoded);
  return tlv((t.constructed ? 0xa0 : 0x80) | n, contentOf(t));
}

const oidEncCache = new Map<string, Buffer>();

/** OBJECT IDENTIFIER from dotted form. */
export function oid(dotted: string): Buffer {
  const hit = oidEncCache.get(dotted);
  if (hit) return hit;
  const parts = dotted.split('.').map((p) => {
    if (!/^\d+$/.test(p)) throw new CertsError('badDer', `bad OID ${dotted}`);
    return Number(p);
  });
  if (parts.length < 2) throw new CertsError('badDer', `bad OID ${dotted}`);
  const arcs = [parts[0]! * 40 + parts[1]!, ...parts.slice(2)];
  const bytes: number[] = [];
  for (const arc of arcs) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  const enc = tlv(Tag.OID, Buffer.from(bytes));
  oidEncCache.set(dotted, enc);
  return enc;
}

/** INTEGER from a non-negative number or unsigned big-endian bytes. */
export function integer(value: number | Buffer): Buffer {
  let bytes: Buffer;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new CertsError('badDer', `bad INTEGER ${value}`);
    const arr: number[] = [];
    for (let v = value; v > 0; v = Math.floor(v / 256)) arr.unshift(v & 0xff);
    bytes = Buffer.from(arr.length ? arr : [0]);
  } else {
    let i = 0;
    while (i < value.length - 1 && value[i] === 0) i++;
    bytes = value.length ? value.subarray(i) : Buffer.from([0]);
  }
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(Tag.INTEGER, bytes);
}

export function octetString(value: Buffer): Buffer {
  return tlv(Tag.OCTET_STRING, value);
}

export function bitString(value: Buffer, unusedBits = 0): Buffer {
  return tlv(Tag.BIT_STRING, Buffer.from([unusedBits]), value);
}

export const NULL = Buffer.from([Tag.NULL, 0]);

export function boolean(value: boolean): Buffer {
  return Buffer.from([Tag.BOOLEAN, 1, value ? 0xff : 0]);
}

export function utf8String(s: string): Buffer {
  return tlv(Tag.UTF8_STRING, Buffer.from(s, 'utf8'));
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/** True if `s` fits PrintableString (X.680 §41.4). */
export function isPrintable(s: string): boolean {
  return PRINTABLE.test(s);
}

export function printableString(s: string): Buffer {
  if (!isPrintable(s)) throw new CertsError('badDer', `not a PrintableString: ${JSON.stringify(s)}`);
  return tlv(Tag.PRINTABLE_STRING, Buffer.from(s, 'latin1'));
}

export function ia5String(s: string): Buffer {
  // eslint-disable-next-line no-control-regex
  if (!/^[\x00-\x7f]*$/.test(s)) throw new CertsError('badDer', `not an IA5String: ${JSON.stringify(s)}`);
  return tlv(Tag.IA5_STRING, Buffer.from(s, 'latin1'));
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 §4.1.2.5, RFC 5652 §11.3). */
export function time(d: Date): Buffer {
  const y = d.getUTCFullYear();
  const rest = `${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(Tag.UTC_TIME, Buffer.from(`${pad2(y % 100)}${rest}`, 'latin1'));
  return tlv(Tag.GENERALIZED_TIME, Buffer.from(`${String(y).padStart(4, '0')}${rest}`, 'latin1'));
}
