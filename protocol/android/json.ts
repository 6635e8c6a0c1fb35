/**
 * Bounded JSON for the Android channel (RFC 8259) and strict, path-naming readers over it.
 *
 * Cheap checks come before costly work: the byte length is checked before decoding, UTF-8 is
 * decoded fatally, and the nesting depth is measured by a linear scan of the text *before*
 * `JSON.parse` builds anything, so a megabyte of `[[[[…` is refused without allocating a tree.
 * Values keep the shape `JSON.parse` gives them (own data properties only: a `__proto__` key is an
 * ordinary key and never reaches a prototype).
 */

import { AndroidProtocolError } from './errors.js';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export type JsonObject = { [key: string]: JsonValue };

export interface JsonLimits {
  /** Longest document accepted, in bytes of UTF-8. */
  maxBytes: number;
  /** Deepest nesting of objects and arrays accepted (the top-level value is depth 1). */
  maxDepth: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parse a JSON document within the limits; throws AndroidProtocolError (path '') when it is refused. */
export function parseJsonDocument(body: string | Uint8Array, limits: JsonLimits): JsonValue {
  let text: string;
  if (typeof body === 'string') {
    // A UTF-16 code unit is one to three UTF-8 bytes: only a string between the two bounds is measured.
    if (body.length > limits.maxBytes || (body.length * 3 > limits.maxBytes && Buffer.byteLength(body, 'utf8') > limits.maxBytes)) {
      throw new AndroidProtocolError('tooLarge', '', `the document is larger than ${limits.maxBytes} bytes`);
    }
    text = body;
  } else {
    if (body.byteLength > limits.maxBytes) {
      throw new AndroidProtocolError('tooLarge', '', `the document is larger than ${limits.maxBytes} bytes`);
    }
    try {
      text = utf8.decode(body);
    } catch {
      throw new AndroidProtocolError('notUtf8', '', 'the document is not valid UTF-8');
    }
  }
  checkDepth(text, limits.maxDepth);
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    // The engine's message quotes the input; a client's bytes are not echoed back.
    throw new AndroidProtocolError('malformedJson', '', 'the document is not valid JSON');
  }
}

/** Linear scan: the deepest `{`/`[` nesting outside strings must not exceed `maxDepth`. */
function checkDepth(text: string, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) {
        throw new AndroidProtocolError('tooDeep', '', `the document nests objects and arrays deeper than ${maxDepth} levels`);
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
}

/** `path.key` or `path[3]`; '' is the document itself. */
export function jsonPath(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

export function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  return typeof v;
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const where = (path: string): string => path || 'the document';

export function wrongType(path: string, want: string, got: unknown): AndroidProtocolError {
  return new AndroidProtocolError('wrongType', path, `${where(path)} must be ${want}, found ${jsonTypeOf(got)}`);
}

export function invalidValue(path: string, why: string): AndroidProtocolError {
  return new AndroidProtocolError('invalidValue', path, `${where(path)} ${why}`);
}

export function expectObject(v: unknown, path: string): JsonObject {
  if (!isJsonObject(v)) throw wrongType(path, 'an object', v);
  return v;
}

export function expectArray(v: unknown, path: string, maxItems: number): JsonValue[] {
  if (!Array.isArray(v)) throw wrongType(path, 'an array', v);
  if (v.length > maxItems) throw new AndroidProtocolError('tooMany', path, `${where(path)} has ${v.length} items; at most ${maxItems} are accepted`);
  return v as JsonValue[];
}

export interface StringRule {
  maxLength: number;
  minLength?: number;
  pattern?: RegExp;
  /** Words for the pattern in error messages ("a package name"). */
  format?: string;
}

export function expectString(v: unknown, path: string, rule: StringRule): string {
  if (typeof v !== 'string') throw wrongType(path, 'a string', v);
  if (v.length > rule.maxLength) {
    throw new AndroidProtocolError('tooLong', path, `${where(path)} is longer than ${rule.maxLength} characters`);
  }
  if (v.length < (rule.minLength ?? 0)) throw invalidValue(path, rule.minLength === 1 ? 'must not be empty' : `must have at least ${rule.minLength} characters`);
  if (rule.pattern && !rule.pattern.test(v)) throw invalidValue(path, `must be ${rule.format ?? `a string matching ${rule.pattern.source}`}`);
  return v;
}

/** A JSON number that is an integer within [min, max] (int32 by default, as the discovery document's `format: int32`). */
export function expectInteger(v: unknown, path: string, min = -2147483648, max = 2147483647): number {
  if (typeof v !== 'number') throw wrongType(path, 'an integer', v);
  if (!Number.isInteger(v)) throw invalidValue(path, 'must be an integer');
  if (v < min || v > max) throw invalidValue(path, `must be between ${min} and ${max}`);
  return v;
}

export function expectBoolean(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw wrongType(path, 'a boolean', v);
  return v;
}

export function expectEnum<T extends string>(v: unknown, path: string, values: readonly T[]): T {
  if (typeof v !== 'string') throw wrongType(path, 'a string', v);
  if (!(values as readonly string[]).includes(v)) throw invalidValue(path, `must be one of ${values.join(', ')}`);
  return v as T;
}

/**
 * Reads one JSON object whose fields are all known: any other field is an `unknownField` error
 * naming it. Every getter names the field's full path in its error.
 */
export class FieldReader {
  readonly obj: JsonObject;

  constructor(
    value: unknown,
    readonly path: string,
    allowed: readonly string[],
  ) {
    this.obj = expectObject(value, path);
    for (const key of Object.keys(this.obj)) {
      if (!allowed.includes(key)) {
        throw new AndroidProtocolError('unknownField', jsonPath(path, key), `${jsonPath(path, key)} is not a known field`);
      }
    }
  }

  at(key: string): string {
    return jsonPath(this.path, key);
  }

  has(key: string): boolean {
    return Object.hasOwn(this.obj, key);
  }

  raw(key: string): JsonValue | undefined {
    return this.has(key) ? this.obj[key] : undefined;
  }

  private required(key: string): JsonValue {
    if (!this.has(key)) throw new AndroidProtocolError('missingField', this.at(key), `${this.at(key)} is required`);
    return this.obj[key] as JsonValue;
  }

  string(key: string, rule: StringRule): string {
    return expectString(this.required(key), this.at(key), rule);
  }

  optString(key: string, rule: StringRule): string | undefined {
    return this.has(key) ? this.string(key, rule) : undefined;
  }

  boolean(key: string): boolean {
    return expectBoolean(this.required(key), this.at(key));
  }

  optBoolean(key: string): boolean | undefined {
    return this.has(key) ? this.boolean(key) : undefined;
  }

  integer(key: string, min?: number, max?: number): number {
    return expectInteger(this.required(key), this.at(key), min, max);
  }

  optInteger(key: string, min?: number, max?: number): number | undefined {
    return this.has(key) ? this.integer(key, min, max) : undefined;
  }

  enumValue<T extends string>(key: string, values: readonly T[]): T {
    return expectEnum(this.required(key), this.at(key), values);
  }

  optEnum<T extends string>(key: string, values: readonly T[]): T | undefined {
    return this.has(key) ? this.enumValue(key, values) : undefined;
  }

  object(key: string): JsonObject {
    return expectObject(this.required(key), this.at(key));
  }

  optObject(key: string): JsonObject | undefined {
    return this.has(key) ? this.object(key) : undefined;
  }

  array<T>(key: string, maxItems: number, item: (value: JsonValue, path: string) => T): T[] {
    const path = this.at(key);
    return expectArray(this.required(key), path, maxItems).map((v, i) => item(v, jsonPath(path, i)));
  }

  optArray<T>(key: string, maxItems: number, item: (value: JsonValue, path: string) => T): T[] | undefined {
    return this.has(key) ? this.array(key, maxItems, item) : undefined;
  }

  /** A value checked by a caller-supplied reader (formats such as int64 strings and timestamps). */
  custom<T>(key: string, read: (value: JsonValue, path: string) => T): T {
    return read(this.required(key), this.at(key));
  }

  optCustom<T>(key: string, read: (value: JsonValue, path: string) => T): T | undefined {
    return this.has(key) ? this.custom(key, read) : undefined;
  }
}

/** A copy of `obj` without the properties whose value is `undefined` (for encoders: absent fields are omitted). */
export function withoutUndefined<T extends object>(obj: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  // Object.fromEntries defines own properties: a `__proto__` key stays an ordinary key.
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

/** True when `v` nests objects and arrays at most `maxDepth` deep (a scalar is depth 0); stops early. */
export function depthAtMost(v: JsonValue, maxDepth: number): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (maxDepth <= 0) return false;
  const children = Array.isArray(v) ? v : Object.values(v);
  return children.every((c) => depthAtMost(c, maxDepth - 1));
}
