/**
 * Structured Field Values for HTTP (RFC 8941): the Dictionary, Inner List, Item and Parameters
 * parsing and serialization that Signature-Input, Signature (RFC 9421 §4) and Content-Digest
 * (RFC 9530 §2) are made of. Parsing follows RFC 8941 §4.2 step by step and fails the whole field on
 * any error; serialization follows §4.1, which is also how RFC 9421 §2.3 serializes
 * `@signature-params`. RFC 9651's Date and Display String items are not accepted.
 */

import { HttpSignatureError } from './errors.js';

export type BareItem =
  | { type: 'integer'; value: number }
  | { type: 'decimal'; value: number }
  | { type: 'string'; value: string }
  | { type: 'token'; value: string }
  | { type: 'byteSequence'; value: Uint8Array }
  | { type: 'boolean'; value: boolean };

/** Parameters in order; a repeated key keeps its first position and takes the last value (RFC 8941 §4.2.3.2). */
export type Parameters = Map<string, BareItem>;

export interface Item {
  kind: 'item';
  value: BareItem;
  params: Parameters;
}

export interface InnerList {
  kind: 'innerList';
  items: Item[];
  params: Parameters;
}

export type Dictionary = Map<string, Item | InnerList>;

export interface SfLimits {
  maxMembers: number;
  maxInnerListItems: number;
  maxParameters: number;
}

const MAX_INTEGER = 999_999_999_999_999;

/** A field refused because it has more members, inner-list items or parameters than the caller allows. */
export class SfLimitError extends HttpSignatureError {
  readonly limit: keyof SfLimits;

  constructor(limit: keyof SfLimits, message: string) {
    super('malformedHeader', message);
    this.limit = limit;
  }
}

function fail(message: string): never {
  throw new HttpSignatureError('malformedHeader', message);
}

class Cursor {
  i = 0;
  constructor(
    readonly s: string,
    readonly limits: SfLimits,
  ) {}
  get empty(): boolean {
    return this.i >= this.s.length;
  }
  peek(): string {
    return this.s[this.i] ?? '';
  }
  skipSp(): void {
    while (this.s[this.i] === ' ') this.i++;
  }
  skipOws(): void {
    while (this.s[this.i] === ' ' || this.s[this.i] === '\t') this.i++;
  }
}

/** RFC 8941 §4.2 with a Dictionary top-level type; throws HttpSignatureError('malformedHeader'). */
export function parseDictionary(field: string, limits: SfLimits): Dictionary {
  // §4.2 step 1: a field value with anything outside ASCII is not a Structured Field.
  if (!/^[\x20-\x7e\t]*$/.test(field)) fail('the field has characters outside printable ASCII');
  const c = new Cursor(field, limits);
  c.skipSp();
  const dict: Dictionary = new Map();
  while (!c.empty) {
    const key = parseKey(c);
    let member: Item | InnerList;
    if (c.peek() === '=') {
      c.i++;
      member = parseItemOrInnerList(c);
    } else {
      member = { kind: 'item', value: { type: 'boolean', value: true }, params: parseParameters(c) };
    }
    dict.set(key, member);
    if (dict.size > limits.maxMembers) throw new SfLimitError('maxMembers', `more than ${limits.maxMembers} members`);
    c.skipOws();
    if (c.empty) return dict;
    if (c.peek() !== ',') fail(`expected "," at position ${c.i}`);
    c.i++;
    c.skipOws();
    if (c.empty) fail('trailing comma');
  }
  return dict;
}

function parseItemOrInnerList(c: Cursor): Item | InnerList {
  return c.peek() === '(' ? parseInnerList(c) : parseItem(c);
}

function parseInnerList(c: Cursor): InnerList {
  c.i++; // "("
  const items: Item[] = [];
  while (!c.empty) {
    c.skipSp();
    if (c.peek() === ')') {
      c.i++;
      return { kind: 'innerList', items, params: parseParameters(c) };
    }
    items.push(parseItem(c));
    if (items.length > c.limits.maxInnerListItems) {
      throw new SfLimitError('maxInnerListItems', `an inner list with more than ${c.limits.maxInnerListItems} items`);
    }
    const next = c.peek();
    if (next !== ' ' && next !== ')') fail(`expected " " or ")" at position ${c.i}`);
  }
  return fail('an inner list is not closed');
}

function parseItem(c: Cursor): Item {
  return { kind: 'item', value: parseBareItem(c), params: parseParameters(c) };
}

function parseParameters(c: Cursor): Parameters {
  const params: Parameters = new Map();
  while (c.peek() === ';') {
    c.i++;
    c.skipSp();
    const key = parseKey(c);
    let value: BareItem = { type: 'boolean', value: true };
    if (c.peek() === '=') {
      c.i++;
      value = parseBareItem(c);
    }
    params.set(key, value);
    if (params.size > c.limits.maxParameters) throw new SfLimitError('maxParameters', `more than ${c.limits.maxParameters} parameters`);
  }
  return params;
}

function parseKey(c: Cursor): string {
  const start = c.i;
  if (!/[a-z*]/.test(c.peek())) fail(`a key must start with a lowercase letter or "*" at position ${c.i}`);
  while (/[a-z0-9_\-.*]/.test(c.peek())) c.i++;
  return c.s.slice(start, c.i);
}

function parseBareItem(c: Cursor): BareItem {
  const ch = c.peek();
  if (ch === '-' || /[0-9]/.test(ch)) return parseNumber(c);
  if (ch === '"') return parseString(c);
  if (/[A-Za-z*]/.test(ch)) return parseToken(c);
  if (ch === ':') return parseByteSequence(c);
  if (ch === '?') return parseBoolean(c);
  return fail(`no item at position ${c.i}`);
}

function parseNumber(c: Cursor): BareItem {
  const m = /^(-?)([0-9]+)(?:\.([0-9]*))?/.exec(c.s.slice(c.i, c.i + 20));
  if (!m) return fail(`a number must have digits at position ${c.i}`);
  const [text, , int = '', frac] = m;
  if (frac === undefined) {
    if (int.length > 15) fail('an integer with more than 15 digits');
    c.i += text.length;
    return { type: 'integer', value: Number(text) };
  }
  if (int.length > 12 || frac.length < 1 || frac.length > 3) fail('a decimal needs 1–12 integer and 1–3 fraction digits');
  c.i += text.length;
  return { type: 'decimal', value: Number(text) };
}

function parseString(c: Cursor): BareItem {
  c.i++; // opening quote
  let out = '';
  while (!c.empty) {
    const ch = c.s[c.i++] as string;
    if (ch === '\\') {
      const next = c.s[c.i++];
      if (next !== '"' && next !== '\\') fail('a string escapes something other than " or \\');
      out += next;
    } else if (ch === '"') {
      return { type: 'string', value: out };
    } else {
      const code = ch.charCodeAt(0);
      if (code < 0x20 || code > 0x7e) fail('a string holds a character outside printable ASCII');
      out += ch;
    }
  }
  return fail('a string is not closed');
}

function parseToken(c: Cursor): BareItem {
  const start = c.i;
  c.i++;
  while (/[A-Za-z0-9!#$%&'*+\-.^_`|~:/]/.test(c.peek())) c.i++;
  return { type: 'token', value: c.s.slice(start, c.i) };
}

function parseByteSequence(c: Cursor): BareItem {
  const end = c.s.indexOf(':', c.i + 1);
  if (end < 0) fail('a byte sequence is not closed');
  const b64 = c.s.slice(c.i + 1, end);
  // Standard alphabet; "=" only as final padding (RFC 8941 §4.2.7 lets the padding be absent).
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.replace(/=+$/, '').length % 4 === 1 || (b64.includes('=') && b64.length % 4 !== 0)) {
    fail('a byte sequence is not base64');
  }
  c.i = end + 1;
  return { type: 'byteSequence', value: new Uint8Array(Buffer.from(b64, 'base64')) };
}

function parseBoolean(c: Cursor): BareItem {
  const v = c.s[c.i + 1];
  if (v !== '0' && v !== '1') fail('a boolean must be ?0 or ?1');
  c.i += 2;
  return { type: 'boolean', value: v === '1' };
}

/** RFC 8941 §4.1.3.1. Throws RangeError for a value Structured Fields cannot carry (a caller's bug). */
export function serializeBareItem(item: BareItem): string {
  switch (item.type) {
    case 'integer':
      if (!Number.isInteger(item.value) || Math.abs(item.value) > MAX_INTEGER) throw new RangeError(`${item.value} is not an sf-integer`);
      return String(item.value);
    case 'decimal': {
      const rounded = Math.round(item.value * 1000) / 1000;
      if (!Number.isFinite(rounded) || Math.abs(Math.trunc(rounded)) >= 1e12) throw new RangeError(`${item.value} is not an sf-decimal`);
      const s = String(rounded);
      return s.includes('.') ? s : `${s}.0`;
    }
    case 'string':
      if (!/^[\x20-\x7e]*$/.test(item.value)) throw new RangeError('an sf-string holds only printable ASCII');
      return `"${item.value.replace(/[\\"]/g, (m) => `\\${m}`)}"`;
    case 'token':
      if (!/^[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*$/.test(item.value)) throw new RangeError(`${item.value} is not an sf-token`);
      return item.value;
    case 'byteSequence':
      return `:${Buffer.from(item.value).toString('base64')}:`;
    case 'boolean':
      return item.value ? '?1' : '?0';
  }
}

export function serializeKey(key: string): string {
  if (!/^[a-z*][a-z0-9_\-.*]*$/.test(key)) throw new RangeError(`${key} is not an sf-key`);
  return key;
}

export function serializeParameters(params: Parameters): string {
  let out = '';
  for (const [key, value] of params) {
    out += `;${serializeKey(key)}`;
    if (!(value.type === 'boolean' && value.value)) out += `=${serializeBareItem(value)}`;
  }
  return out;
}

export function serializeItem(item: Item): string {
  return serializeBareItem(item.value) + serializeParameters(item.params);
}

export function serializeInnerList(list: InnerList): string {
  return `(${list.items.map(serializeItem).join(' ')})${serializeParameters(list.params)}`;
}

export function serializeDictionary(dict: Dictionary): string {
  return [...dict]
    .map(([key, member]) => {
      if (member.kind === 'item' && member.value.type === 'boolean' && member.value.value) return serializeKey(key) + serializeParameters(member.params);
      return `${serializeKey(key)}=${member.kind === 'innerList' ? serializeInnerList(member) : serializeItem(member)}`;
    })
    .join(', ');
}
