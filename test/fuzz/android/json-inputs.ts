import fc from 'fast-check';
import { hostileString } from '../harness/mutations.js';

/**
 * Structural mutations of a JSON document (RFC 8259) that was valid: one value replaced (by another
 * of any type, a hostile string, a huge one), removed, given an unknown sibling (`__proto__` too),
 * nested deep, repeated many times, or set to a value chosen by the family when the document is
 * built (another device's name, a policy version from the future). The document is then encoded
 * again, so the result is still JSON and reaches the decoder's field checks, not just its parser.
 */
export type JsonChange =
  | { op: 'none' }
  | { op: 'replace'; pick: number; value: unknown }
  | { op: 'delete'; pick: number }
  | { op: 'add'; pick: number; key: string; value: unknown }
  | { op: 'nest'; pick: number; depth: number; array: boolean }
  | { op: 'many'; pick: number; count: number }
  /** The family's own values at a named field (`set`: the field, `value`: an index into its candidates). */
  | { op: 'set'; field: string; value: number };

/** Values of every JSON type and then some: what a field of the wrong type or value gets. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  hostileString,
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, '', '0', '-1', '1e400', '99999999999999999999999', 'DELETED', 'ACTIVE', 'INSTALLED', [], {}, [null], { '': '' }),
);

export function jsonChange(fields: readonly string[]): fc.Arbitrary<JsonChange> {
  return fc.oneof(
    { arbitrary: fc.constant<JsonChange>({ op: 'none' }), weight: 6 },
    { arbitrary: fc.record({ op: fc.constant('replace' as const), pick: fc.nat(), value: anyValue }), weight: 5 },
    { arbitrary: fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }), weight: 2 },
    {
      arbitrary: fc.record({ op: fc.constant('add' as const), pick: fc.nat(), key: fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '@type', 'name', '')), value: anyValue }),
      weight: 2,
    },
    { arbitrary: fc.record({ op: fc.constant('nest' as const), pick: fc.nat(), depth: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constantFrom(7, 8, 9, 23, 24, 25, 200, 900)), array: fc.boolean() }), weight: 1 },
    { arbitrary: fc.record({ op: fc.constant('many' as const), pick: fc.nat(), count: fc.constantFrom(2, 101, 201, 501, 5000) }), weight: 1 },
    { arbitrary: fc.record({ op: fc.constant('set' as const), field: fc.constantFrom(...fields), value: fc.nat() }), weight: 5 },
  );
}

type Path = (string | number)[];

function pathsOf(doc: unknown): Path[] {
  const paths: Path[] = [];
  const walk = (v: unknown, path: Path) => {
    paths.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(doc, []);
  return paths;
}

/** Sets an own property, even `__proto__` (an assignment would set the prototype instead). */
function put(target: Record<string | number, unknown>, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * `doc` (a plain JSON value) with `change` made; `candidates` gives the family's values of a
 * dotted field name for `set` (a field absent from the document is added).
 */
export function changeJson(doc: unknown, change: JsonChange, candidates: (field: string) => readonly unknown[]): unknown {
  if (change.op === 'none') return doc;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  if (change.op === 'set') {
    const values = candidates(change.field);
    if (values.length === 0) return copy;
    const keys = change.field.split('.');
    let parent = copy;
    for (const k of keys.slice(0, -1)) {
      if (!parent[k] || typeof parent[k] !== 'object') put(parent, k, {});
      parent = parent[k] as Record<string, unknown>;
    }
    put(parent, keys[keys.length - 1]!, values[change.value % values.length]);
    return copy;
  }
  const paths = pathsOf(copy);
  const path = paths[change.pick % paths.length]!;
  const at = (root: unknown): unknown => path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], root);
  const changed = (old: unknown): unknown => {
    switch (change.op) {
      case 'replace':
        return change.value;
      case 'nest': {
        let v = old;
        for (let i = 0; i < change.depth; i++) v = change.array ? [v] : { nested: v };
        return v;
      }
      case 'many':
        return Array.from({ length: change.count }, () => old);
      default:
        return old;
    }
  };
  if (change.op === 'add') {
    const target = at(copy);
    if (target && typeof target === 'object' && !Array.isArray(target)) put(target as Record<string, unknown>, change.key, change.value);
    else if (Array.isArray(target)) target.push(change.value);
    return copy;
  }
  if (path.length === 0) return change.op === 'delete' ? undefined : changed(copy);
  const parent = path.slice(0, -1).reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], copy) as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (change.op === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else put(parent, last, changed(parent[last]));
  return copy;
}

/** The JSON text of a changed document (`undefined`, the whole document deleted, is an empty body). */
export const jsonText = (doc: unknown): string => (doc === undefined ? '' : JSON.stringify(doc));
