/**
 * Typed reads of decoded plist dicts. Every reader names the key (with its path) in the error, so a
 * server log or a device's CommandFormatError says exactly what was wrong.
 */

import { AppleProtocolError } from './errors.js';
import { isPlistDict, PlistReal, plistTypeOf, type PlistDict, type PlistValue } from './plist-types.js';

/** Where a dict sits in the message, for error messages: '' (top level), 'Command', 'ErrorChain[0]' … */
export type DictPath = string;

export function keyPath(path: DictPath, key: string): string {
  return path ? `${path}.${key}` : key;
}

function own(d: PlistDict, key: string): PlistValue | undefined {
  return Object.hasOwn(d, key) ? d[key] : undefined;
}

function missing(path: DictPath, key: string, context: string): AppleProtocolError {
  const at = keyPath(path, key);
  return new AppleProtocolError('missingKey', `${context}: required key ${at} is missing`, { key: at });
}

function wrong(path: DictPath, key: string, want: string, got: PlistValue, context: string): AppleProtocolError {
  const at = keyPath(path, key);
  return new AppleProtocolError('wrongType', `${context}: ${at} must be ${want}, found ${plistTypeOf(got)}`, { key: at });
}

/** A reader bound to one dict, its path and a context phrase ("TokenUpdate", "InstallProfile command"). */
export class DictReader {
  constructor(
    readonly dict: PlistDict,
    readonly path: DictPath,
    readonly context: string,
  ) {}

  has(key: string): boolean {
    return own(this.dict, key) !== undefined;
  }

  raw(key: string): PlistValue | undefined {
    return own(this.dict, key);
  }

  optString(key: string): string | undefined {
    const v = own(this.dict, key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw wrong(this.path, key, 'a string', v, this.context);
    return v;
  }

  string(key: string): string {
    const v = this.optString(key);
    if (v === undefined) throw missing(this.path, key, this.context);
    return v;
  }

  /** A required string that must not be empty (identifiers: UDID, Topic, CommandUUID …). */
  nonEmptyString(key: string): string {
    const v = this.string(key);
    if (v === '') {
      const at = keyPath(this.path, key);
      throw new AppleProtocolError('invalidValue', `${this.context}: ${at} must not be empty`, { key: at });
    }
    return v;
  }

  optBoolean(key: string): boolean | undefined {
    const v = own(this.dict, key);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw wrong(this.path, key, 'a boolean', v, this.context);
    return v;
  }

  boolean(key: string): boolean {
    const v = this.optBoolean(key);
    if (v === undefined) throw missing(this.path, key, this.context);
    return v;
  }

  /**
   * An <integer>. A <real> with a whole value is accepted too (CFNumber reads either way; a device
   * may write PayloadVersion 1.0), a fractional one is not.
   */
  optInteger(key: string): number | undefined {
    const v = own(this.dict, key);
    if (v === undefined) return undefined;
    const n = v instanceof PlistReal ? v.value : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw wrong(this.path, key, 'an integer', v, this.context);
    return n;
  }

  integer(key: string): number {
    const v = this.optInteger(key);
    if (v === undefined) throw missing(this.path, key, this.context);
    return v;
  }

  /** An <integer> or a <real>, as a number. */
  optNumber(key: string): number | undefined {
    const v = own(this.dict, key);
    if (v === undefined) return undefined;
    if (v instanceof PlistReal) return v.value;
    if (typeof v !== 'number') throw wrong(this.path, key, 'a number', v, this.context);
    return v;
  }

  number(key: string): number {
    const v = this.optNumber(key);
    if (v === undefined) throw missing(this.path, key, this.context);
    return v;
  }

  optData(key: string): Buffer | undefined {
    const v = own(this.dict, key);
    if (v === undefined) return undefined;
    if (!Buffer.isBuffer(v)) throw wrong(this.path, key, 'data', v, this.context);
    return v;
  }

  data(key: string): Buffer {
    const v = this.optData(key);
    if (v === undefined) throw missing(this.path, key, this.context);
    return v;
  }

  optDict(key: string): PlistDict | undefined {
    const v = own(this.dict, key);
    if (v === undefined) return undefined;
    if (!isPlistDict(v)) throw wrong(this.path, key, 'a dict', v, this.context);
    return v;
  }

  dictAt(key: string): PlistDict {
    const v = this.optDict(key);
    if (v === undefined) throw missing(this.path, key, this.context);
    return v;
  }

  optArray(key: string): PlistValue[] | undefined {
    const v = own(this.dict, key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) throw wrong(this.path, key, 'an array', v, this.context);
    return v;
  }

  array(key: string): PlistValue[] {
    const v = this.optArray(key);
    if (v === undefined) throw missing(this.path, key, this.context);
    return v;
  }

  /** Each element of the array at `key` must be a dict; returns readers for them. */
  optDictArray(key: string): DictReader[] | undefined {
    const arr = this.optArray(key);
    if (arr === undefined) return undefined;
    return arr.map((item, i) => {
      const at = `${keyPath(this.path, key)}[${i}]`;
      if (!isPlistDict(item)) {
        throw new AppleProtocolError('wrongType', `${this.context}: ${at} must be a dict, found ${plistTypeOf(item)}`, { key: at });
      }
      return new DictReader(item, at, this.context);
    });
  }

  /** Each element of the array at `key` must be of one scalar kind. */
  optTypedArray<T extends PlistValue>(key: string, want: string, is: (v: PlistValue) => v is T): T[] | undefined {
    const arr = this.optArray(key);
    if (arr === undefined) return undefined;
    arr.forEach((item, i) => {
      if (!is(item)) {
        const at = `${keyPath(this.path, key)}[${i}]`;
        throw new AppleProtocolError('wrongType', `${this.context}: ${at} must be ${want}, found ${plistTypeOf(item)}`, { key: at });
      }
    });
    return arr as T[];
  }

  child(key: string): DictReader {
    return new DictReader(this.dictAt(key), keyPath(this.path, key), this.context);
  }

  invalid(key: string, message: string): AppleProtocolError {
    const at = keyPath(this.path, key);
    return new AppleProtocolError('invalidValue', `${this.context}: ${at} ${message}`, { key: at });
  }
}

export const isString = (v: PlistValue): v is string => typeof v === 'string';
export const isData = (v: PlistValue): v is Buffer => Buffer.isBuffer(v);
