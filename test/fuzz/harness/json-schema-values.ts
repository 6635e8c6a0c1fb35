import fc from 'fast-check';
import { hostileString } from './mutations.js';

/**
 * Values for a JSON Schema (the subset openapi.json uses: type, enum, min/max, pattern, nullable
 * as a type list, oneOf, required, additionalProperties), from the documented schema rather than a
 * copy of it, so a new route or field is fuzzed the day it is documented. `valid` values follow the
 * schema (a string field is given something that fits its name); `hostile` ones break one rule.
 */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  items?: JsonSchema;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  oneOf?: JsonSchema[];
}

/** How a string field named `name` gets a plausible value (an id from what exists, an address, …). */
export type StringFor = (name: string, schema: JsonSchema) => fc.Arbitrary<string> | undefined;

export function validValue(schema: JsonSchema, name: string, stringFor: StringFor): fc.Arbitrary<unknown> {
  if (schema.oneOf) return fc.oneof(...schema.oneOf.map((s) => validValue(s, name, stringFor)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? 'object'];
  const nonNull = types.filter((t) => t !== 'null');
  const value = valueOfType(nonNull[0] ?? 'null', schema, name, stringFor);
  return types.includes('null') ? fc.oneof({ arbitrary: value, weight: 4 }, { arbitrary: fc.constant(null), weight: 1 }) : value;
}

function valueOfType(type: string, schema: JsonSchema, name: string, stringFor: StringFor): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string':
      return stringFor(name, schema) ?? fc.string({ unit: 'grapheme-ascii', minLength: Math.max(1, schema.minLength ?? 0), maxLength: Math.min(24, schema.maxLength ?? 24) }).map((s) => `fz ${s}`.slice(0, schema.maxLength ?? 1e9));
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validValue(schema.items ?? {}, name, stringFor), { maxLength: Math.min(4, schema.maxItems ?? 4) }).map((a) => [...new Set(a)]);
    case 'object': {
      const props = schema.properties ?? {};
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, s] of Object.entries(props)) model[key] = validValue(s, key, stringFor);
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in props) });
    }
    default:
      return fc.constant(null);
  }
}

/** Any JSON value, nested a little; or one nested very deep. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 5 },
  { arbitrary: fc.constantFrom(null, true, 0, -1, 1.5, 1e308, -0, '', [], {}), weight: 2 },
  { arbitrary: hostileString, weight: 2 },
  { arbitrary: fc.integer({ min: 100, max: 1000 }).map((depth) => JSON.parse(`${'{"a":['.repeat(depth)}${']}'.repeat(depth)}`) as unknown), weight: 1 },
);

/** One rule of the schema broken: a required field gone, an unknown one, a value of the wrong kind. */
export function hostileBody(schema: JsonSchema, valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const props = Object.keys(schema.oneOf ? Object.assign({}, ...schema.oneOf.map((s) => s.properties ?? {})) : (schema.properties ?? {}));
  const field = props.length > 0 ? fc.constantFrom(...props) : fc.constant('x');
  const asObject = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {});
  return fc.oneof(
    fc.tuple(valid, field).map(([v, f]) => {
      const o = asObject(v);
      delete o[f];
      return o;
    }),
    fc.tuple(valid, field, fc.oneof(anyJson, hostileString)).map(([v, f, x]) => ({ ...asObject(v), [f]: x })),
    fc.tuple(valid, fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '', ' ', 'id', 'createdAt', 'status'), hostileString), anyJson).map(([v, k, x]) => {
      const o = asObject(v);
      Object.defineProperty(o, k, { value: x, enumerable: true, configurable: true, writable: true });
      return o;
    }),
    anyJson,
  );
}
