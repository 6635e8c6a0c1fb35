/**
 * Checks JSON documents against the Android Management API discovery document
 * (../shared/specs/android/amapi-androidmanagement-v1.discovery.json, read at test time, never
 * copied into the project): every field exists in its schema, has the schema's JSON type (int64 as
 * a decimal string, int32 within range, google-datetime and google-duration formats), and enum
 * values are among the schema's. mdmlab's vendor field `mdmlab` is the one key skipped: it is
 * documented as not being Google's.
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const discoveryPath = path.resolve(here, '../../../..', '../shared/specs/android/amapi-androidmanagement-v1.discovery.json');

export interface PropertyDef {
  type?: string;
  $ref?: string;
  format?: string;
  enum?: string[];
  items?: PropertyDef;
  additionalProperties?: PropertyDef;
  properties?: Record<string, PropertyDef>;
}

export interface SchemaDef {
  id: string;
  type: string;
  properties: Record<string, PropertyDef>;
}

interface Discovery {
  schemas: Record<string, SchemaDef>;
}

export const discovery = JSON.parse(readFileSync(discoveryPath, 'utf8')) as Discovery;

export function schema(name: string): SchemaDef {
  const s = discovery.schemas[name];
  if (!s) throw new Error(`no schema ${name} in the discovery document`);
  return s;
}

/** The property definition of `schemaName.field`, or undefined when the schema has no such field. */
export function propertyOf(schemaName: string, field: string): PropertyDef | undefined {
  return schema(schemaName).properties[field];
}

export const VENDOR_FIELD = 'mdmlab';

const join = (p: string, k: string | number): string => (typeof k === 'number' ? `${p}[${k}]` : p ? `${p}.${k}` : k);

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** Every problem of `value` against the named schema ([] when it conforms). */
export function checkAgainstSchema(value: unknown, schemaName: string, at = ''): string[] {
  return checkObject(value, schema(schemaName), at);
}

function checkObject(value: unknown, s: SchemaDef, at: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at || '(document)'}: ${s.id} must be an object, found ${describe(value)}`];
  const problems: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (key === VENDOR_FIELD) continue;
    const def = s.properties[key];
    if (!def) {
      problems.push(`${join(at, key)}: ${s.id} has no field ${key}`);
      continue;
    }
    problems.push(...checkValue(v, def, join(at, key)));
  }
  return problems;
}

function checkValue(v: unknown, def: PropertyDef, at: string): string[] {
  if (def.$ref) return checkObject(v, schema(def.$ref), at);
  switch (def.type) {
    case 'any':
      return [];
    case 'string': {
      if (typeof v !== 'string') return [`${at}: must be a string, found ${describe(v)}`];
      if (def.enum && !def.enum.includes(v)) return [`${at}: ${v} is not one of ${def.enum.join(', ')}`];
      if (def.format === 'int64' && !/^-?\d{1,19}$/.test(v)) return [`${at}: int64 must be a decimal string`];
      if (def.format === 'google-datetime' && (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) || Number.isNaN(Date.parse(v)))) {
        return [`${at}: ${v} is not an RFC 3339 timestamp`];
      }
      if (def.format === 'google-duration' && !/^\d+(\.\d{1,9})?s$/.test(v)) return [`${at}: ${v} is not a duration`];
      return [];
    }
    case 'boolean':
      return typeof v === 'boolean' ? [] : [`${at}: must be a boolean, found ${describe(v)}`];
    case 'integer': {
      if (typeof v !== 'number' || !Number.isInteger(v)) return [`${at}: must be an integer, found ${describe(v)}`];
      if (def.format === 'int32' && (v < -(2 ** 31) || v >= 2 ** 31)) return [`${at}: outside int32`];
      return [];
    }
    case 'number':
      return typeof v === 'number' ? [] : [`${at}: must be a number, found ${describe(v)}`];
    case 'array': {
      if (!Array.isArray(v)) return [`${at}: must be an array, found ${describe(v)}`];
      return v.flatMap((item, i) => checkValue(item, def.items ?? { type: 'any' }, join(at, i)));
    }
    case 'object': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return [`${at}: must be an object, found ${describe(v)}`];
      const inner = def.additionalProperties;
      return inner ? Object.entries(v).flatMap(([k, x]) => checkValue(x, inner, join(at, k))) : [];
    }
    default:
      return [`${at}: the checker does not know type ${String(def.type)}`];
  }
}
