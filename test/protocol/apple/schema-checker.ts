/**
 * Checks a decoded plist dict against Apple's device-management YAML schemas
 * (../shared/specs/apple/*.yaml, read with the `yaml` package; never copied into the project).
 *
 * For every key of the dict: the key exists in the schema, its value has the schema's type
 * (recursively into dictionaries and arrays, honouring `repetition`), it is within `rangelist` and
 * matches `format` when the schema gives them, and (with platform 'iOS') the key is not marked
 * `introduced: n/a` for iOS. Every required key is present, except keys that do not apply to an iOS
 * device enrollment (iOS n/a, or User-Enrollment-only such as EnrollmentID).
 *
 * Types are checked on decoded values, so `<real>` accepts any number (a real with an integral
 * value decodes like an integer) while `<integer>` requires an integer.
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { isPlistDict, plistTypeOf, type PlistDict, type PlistValue } from '../../../protocol/apple/plist-types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../..');
export const appleSpecs = path.resolve(repoRoot, '../shared/specs/apple');

export interface SchemaKey {
  key: string;
  type: string;
  presence?: 'required' | 'optional';
  subkeys?: SchemaKey[];
  rangelist?: unknown[];
  format?: string;
  repetition?: { min?: number; max?: number };
  supportedOS?: Record<string, { introduced?: string; userenrollment?: { mode?: string } } | undefined>;
}

export interface SchemaFile {
  title: string;
  payload: { payloadtype?: string; requesttype?: string };
  payloadkeys: SchemaKey[];
  responsekeys?: SchemaKey[];
}

export function loadSchema(file: string): SchemaFile {
  return parseYaml(readFileSync(path.join(appleSpecs, file), 'utf8')) as SchemaFile;
}

export interface CheckOptions {
  /** Also refuse keys Apple marks `introduced: n/a` on iOS. */
  platform?: 'iOS';
  /** How to check a value whose schema type is `<any>` (TopLevel PayloadContent items). */
  any?: (value: PlistValue, at: string) => string[];
}

const TYPE_NAMES: Record<string, string> = {
  '<string>': 'string',
  '<integer>': 'integer',
  '<real>': 'real',
  '<boolean>': 'boolean',
  '<data>': 'data',
  '<date>': 'date',
  '<array>': 'array',
  '<dictionary>': 'dictionary',
};

function notOnIos(k: SchemaKey): boolean {
  return k.supportedOS?.iOS?.introduced === 'n/a';
}

/** Required for an iOS device enrollment (not n/a on iOS, not a User-Enrollment-only key). */
function requiredForIosDevice(k: SchemaKey): boolean {
  if (k.presence !== 'required') return false;
  if (notOnIos(k)) return false;
  if (k.supportedOS?.iOS?.userenrollment?.mode === 'required') return false;
  return true;
}

/** Violations of `dict` against `keys`; empty when it conforms. */
export function checkDict(dict: PlistDict, keys: readonly SchemaKey[], at: string, opts: CheckOptions = {}): string[] {
  const out: string[] = [];
  const anyKey = keys.find((k) => k.key === 'ANY');
  const byName = new Map(keys.filter((k) => k.key !== 'ANY').map((k) => [k.key, k]));
  for (const [name, value] of Object.entries(dict)) {
    const where = at ? `${at}.${name}` : name;
    const k = byName.get(name) ?? anyKey;
    if (!k) {
      out.push(`${where}: key not in the schema`);
      continue;
    }
    if (opts.platform === 'iOS' && notOnIos(k)) out.push(`${where}: not available on iOS`);
    out.push(...checkValue(value, k, where, opts));
  }
  for (const k of keys) {
    if (k.key !== 'ANY' && requiredForIosDevice(k) && !Object.hasOwn(dict, k.key)) out.push(`${at ? `${at}.` : ''}${k.key}: required key missing`);
  }
  return out;
}

export function checkValue(value: PlistValue, k: SchemaKey, where: string, opts: CheckOptions): string[] {
  if (k.type === '<any>') return opts.any ? opts.any(value, where) : [];
  const want = TYPE_NAMES[k.type];
  if (want === undefined) return [`${where}: schema type ${k.type} unknown to the checker`];
  const got = plistTypeOf(value);
  const typeOk = want === got || (want === 'real' && got === 'integer');
  if (!typeOk) return [`${where}: expected ${want}, found ${got}`];
  const out: string[] = [];
  if (k.rangelist && !k.rangelist.some((r) => r === value)) out.push(`${where}: ${String(value)} not in ${JSON.stringify(k.rangelist)}`);
  if (k.format && typeof value === 'string' && !new RegExp(k.format).test(value)) out.push(`${where}: "${value}" does not match ${k.format}`);
  if (want === 'dictionary' && k.subkeys && isPlistDict(value)) out.push(...checkDict(value, k.subkeys, where, opts));
  if (want === 'array' && Array.isArray(value)) {
    const item = k.subkeys?.[0];
    if (item) {
      value.forEach((v, i) => {
        const w = `${where}[${i}]`;
        if (item.repetition) {
          // repetition applies to the item list (e.g. a SCEP subject pair: exactly 2 strings).
          if ((item.repetition.min !== undefined && value.length < item.repetition.min) || (item.repetition.max !== undefined && value.length > item.repetition.max)) {
            if (i === 0) out.push(`${where}: ${value.length} items, schema wants ${item.repetition.min ?? 0}..${item.repetition.max ?? '∞'}`);
          }
        }
        out.push(...checkValue(v, item, w, opts));
      });
    }
  }
  return out;
}
