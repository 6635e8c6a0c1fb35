import { ScenarioFileError } from './scenario-error.js';

/**
 * Reads a parsed YAML value strictly, tracking the path of every value so an error can name it
 * (`steps[3].deploy.groups[1]`). Unknown keys are errors: docs/scenarios.md makes the format a
 * contract, and a typo silently ignored would make a scenario test nothing.
 */
export class ValueReader {
  constructor(private readonly lineOf: (path: (string | number)[]) => number | undefined) {}

  fail(path: (string | number)[], reason: string): never {
    throw new ScenarioFileError(formatPath(path), reason, this.lineOf(path));
  }

  object(v: unknown, path: (string | number)[], allowed: readonly string[], required: readonly string[] = []): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'must be a mapping');
    const o = v as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (!allowed.includes(key)) this.fail([...path, key], `unknown key "${key}" (allowed here: ${allowed.join(', ')})`);
    }
    for (const key of required) if (o[key] === undefined || o[key] === null) this.fail([...path, key], 'is required');
    return o;
  }

  string(v: unknown, path: (string | number)[]): string {
    if (typeof v !== 'string' || v.length === 0) this.fail(path, 'must be a non-empty string');
    return v;
  }

  optString(v: unknown, path: (string | number)[]): string | undefined {
    return v === undefined ? undefined : this.string(v, path);
  }

  oneOf<T extends string>(v: unknown, path: (string | number)[], values: readonly T[]): T {
    if (typeof v !== 'string' || !values.includes(v as T)) this.fail(path, `must be one of ${values.join(', ')}`);
    return v as T;
  }

  integer(v: unknown, path: (string | number)[], min = Number.MIN_SAFE_INTEGER): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) this.fail(path, min === 0 ? 'must be a whole number, 0 or more' : 'must be a whole number');
    return v;
  }

  boolean(v: unknown, path: (string | number)[]): boolean {
    if (typeof v !== 'boolean') this.fail(path, 'must be true or false');
    return v;
  }

  list(v: unknown, path: (string | number)[]): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(path, 'must be a list');
    return v;
  }

  stringList(v: unknown, path: (string | number)[]): string[] {
    return this.list(v, path).map((item, i) => this.string(item, [...path, i]));
  }
}

export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}
