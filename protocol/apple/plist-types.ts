/**
 * Values of an XML property list (Apple "PropertyList-1.0.dtd"), as decoded and as accepted by the
 * encoder. Decoding yields only `PlistValue`; encoding also takes a few conveniences (see PlistInput).
 */

/**
 * A decoded plist value. `<integer>` decodes to number; `<real>` to number too, except when its
 * value is a whole number (a DeviceCapacity of 29.0, a PayloadVersion of 1.0): then to PlistReal,
 * since the encoder writes a whole JS number as `<integer>`. So every decoded value is written back
 * as the type it came as, and consumers that only read numbers see no difference through
 * DictReader (plist-read.ts), `Number(v)` or JSON. `<data>` decodes to Buffer.
 */
export type PlistValue = string | number | boolean | Date | Buffer | PlistReal | PlistValue[] | PlistDict;

/** A decoded `<dict>`: own enumerable keys only, in document order. */
export interface PlistDict {
  [key: string]: PlistValue;
}

/**
 * A number that is a `<real>` whatever its value: what a whole-number `<real>` decodes to, and
 * what forces `<real>` when encoding a number that would otherwise be an `<integer>`
 * (1 → `<real>1.0</real>`), e.g. TopLevel `DurationUntilRemoval`, which Apple's schema types as
 * `<real>`. Reads as its number through `valueOf` and `toJSON`.
 */
export class PlistReal {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }

  valueOf(): number {
    return this.value;
  }

  toJSON(): number {
    return this.value;
  }
}

/**
 * What the encoder accepts: decoded values plus `PlistReal`, any Uint8Array for `<data>`, readonly
 * arrays, and dicts whose `undefined` members are left out (so optional message fields can be
 * passed as they are).
 */
export type PlistInput =
  | string
  | number
  | boolean
  | Date
  | Uint8Array
  | PlistReal
  | readonly PlistInput[]
  | PlistInputDict;

export interface PlistInputDict {
  readonly [key: string]: PlistInput | undefined;
}

/** A plain dict (not an array, Date, Buffer or PlistReal). */
export function isPlistDict(v: unknown): v is PlistDict {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Date) &&
    !(v instanceof Uint8Array) &&
    !(v instanceof PlistReal)
  );
}

/** The plist type name of a decoded value, as Apple's schemas spell it (`string`, `integer`, `data`, …). */
export function plistTypeOf(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'real';
  if (v instanceof PlistReal) return 'real';
  if (v instanceof Date) return 'date';
  if (v instanceof Uint8Array) return 'data';
  if (Array.isArray(v)) return 'array';
  if (isPlistDict(v)) return 'dictionary';
  return v === null ? 'null' : typeof v;
}
