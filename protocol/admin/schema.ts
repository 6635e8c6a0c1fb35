/**
 * A deliberately small subset of JSON Schema, used for two things at once: validating admin-API
 * bodies (with the exact path of the first offending field) and describing them in openapi.json.
 * One source for both keeps the documentation from drifting away from what the server accepts.
 * Every string is also checked for characters XML cannot carry, whatever its schema says.
 */
import { firstUncarriableCharacter } from './xml-characters.js';

export type Schema =
  | StringSchema
  | IntegerSchema
  | BooleanSchema
  | ArraySchema
  | ObjectSchema
  | OneOfSchema;

interface Common {
  description?: string;
  /** `null` is accepted and means "clear this optional value" (PATCH bodies). */
  nullable?: boolean;
}
export interface StringSchema extends Common {
  type: 'string';
  minLength?: number;
  maxLength?: number;
  enum?: readonly string[];
  pattern?: string;
  format?: string;
}
export interface IntegerSchema extends Common {
  type: 'integer';
  minimum?: number;
  maximum?: number;
  enum?: readonly number[];
}
export interface BooleanSchema extends Common {
  type: 'boolean';
}
export interface ArraySchema extends Common {
  type: 'array';
  items: Schema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
}
export interface ObjectSchema extends Common {
  type: 'object';
  properties: Record<string, Schema>;
  required?: readonly string[];
  /** Unknown keys are an error unless this is true. */
  additionalProperties?: boolean;
}
export interface OneOfSchema extends Common {
  oneOf: readonly Schema[];
}

export interface SchemaViolation {
  /** Dotted path of the offending value, `groupIds[2]` style for arrays; '' is the body itself. */
  field: string;
  /** `character`: a string holds a character XML cannot carry (xml-characters.ts). */
  reason: 'type' | 'required' | 'unknown' | 'value' | 'character';
  message: string;
}

const join = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

function describeType(s: Schema): string {
  if ('oneOf' in s) return s.oneOf.map(describeType).join(' or ');
  if (s.type === 'string' && s.enum) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if (s.type === 'integer' && s.enum) return `one of ${s.enum.join(', ')}`;
  return s.type === 'integer' ? 'an integer' : s.type === 'array' ? 'an array' : s.type === 'object' ? 'an object' : `a ${s.type}`;
}

/** Returns the first violation found, or undefined when `value` matches `schema`. */
export function checkSchema(schema: Schema, value: unknown, path = ''): SchemaViolation | undefined {
  if (value === null && schema.nullable) return undefined;
  if ('oneOf' in schema) {
    for (const option of schema.oneOf) if (!checkSchema(option, value, path)) return undefined;
    return { field: path, reason: 'value', message: `${path || 'body'} must be ${describeType(schema)}` };
  }
  const must = (what: string, reason: SchemaViolation['reason'] = 'type'): SchemaViolation => ({
    field: path,
    reason,
    message: `${path || 'body'} must be ${what}`,
  });
  switch (schema.type) {
    case 'string': {
      if (typeof value !== 'string') return must(describeType(schema), schema.enum ? 'value' : 'type');
      const bad = firstUncarriableCharacter(value);
      if (bad) {
        return {
          field: path,
          reason: 'character',
          message: `${path || 'body'} holds the character ${bad.codePoint} (at index ${bad.index}), which XML cannot carry to a device`,
        };
      }
      if (schema.enum && !schema.enum.includes(value)) return must(describeType(schema), 'value');
      if (schema.minLength !== undefined && value.length < schema.minLength)
        return must(schema.minLength === 1 ? 'a non-empty string' : `at least ${schema.minLength} characters`, 'value');
      if (schema.maxLength !== undefined && value.length > schema.maxLength)
        return must(`at most ${schema.maxLength} characters`, 'value');
      if (schema.pattern && !new RegExp(schema.pattern).test(value))
        return must(schema.format ? `a valid ${schema.format}` : `a string matching ${schema.pattern}`, 'value');
      return undefined;
    }
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return must(describeType(schema));
      if (schema.enum && !schema.enum.includes(value)) return must(describeType(schema), 'value');
      if (schema.minimum !== undefined && value < schema.minimum) return must(`at least ${schema.minimum}`, 'value');
      if (schema.maximum !== undefined && value > schema.maximum) return must(`at most ${schema.maximum}`, 'value');
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : must('a boolean');
    case 'array': {
      if (!Array.isArray(value)) return must('an array');
      if (schema.minItems !== undefined && value.length < schema.minItems)
        return must(`an array of at least ${schema.minItems} item(s)`, 'value');
      if (schema.maxItems !== undefined && value.length > schema.maxItems)
        return must(`an array of at most ${schema.maxItems} items`, 'value');
      for (let i = 0; i < value.length; i++) {
        const v = checkSchema(schema.items, value[i], join(path, i));
        if (v) return v;
      }
      if (schema.uniqueItems) {
        const seen = new Set<string>();
        for (let i = 0; i < value.length; i++) {
          const key = JSON.stringify(value[i]);
          if (seen.has(key)) return { field: join(path, i), reason: 'value', message: `${join(path, i)} repeats an earlier item` };
          seen.add(key);
        }
      }
      return undefined;
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return must('an object');
      const record = value as Record<string, unknown>;
      if (!schema.additionalProperties) {
        for (const key of Object.keys(record)) {
          if (!Object.hasOwn(schema.properties, key))
            return { field: join(path, key), reason: 'unknown', message: `${join(path, key)} is not a known field` };
        }
      }
      for (const key of schema.required ?? []) {
        if (record[key] === undefined || record[key] === null)
          return { field: join(path, key), reason: 'required', message: `${join(path, key)} is required` };
      }
      for (const [key, sub] of Object.entries(schema.properties)) {
        if (record[key] === undefined) continue;
        const v = checkSchema(sub, record[key], join(path, key));
        if (v) return v;
      }
      return undefined;
    }
  }
}

/** The schema as OpenAPI 3.1 / JSON Schema (nullable becomes a type union). */
export function toJsonSchema(schema: Schema): Record<string, unknown> {
  const { nullable, ...rest } = schema as Schema & Record<string, unknown>;
  let out: Record<string, unknown>;
  if ('oneOf' in schema) {
    out = { ...rest, oneOf: schema.oneOf.map(toJsonSchema) };
  } else if (schema.type === 'array') {
    out = { ...rest, items: toJsonSchema(schema.items) };
  } else if (schema.type === 'object') {
    const properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, toJsonSchema(v)]));
    out = { ...rest, properties, additionalProperties: schema.additionalProperties ?? false };
  } else {
    out = { ...rest };
  }
  if (nullable) {
    if ('type' in out) out.type = [out.type, 'null'];
    else out = { oneOf: [out, { type: 'null' }] };
  }
  return out;
}
