/**
 * The managed-configuration value model (Android app restrictions, as AMAPI types them in JSON:
 * BOOL → true/false, STRING → string, INTEGER → number, CHOICE → one of the declared strings;
 * discovery document, ApplicationPolicy.managedConfiguration; developer.android.com "Set up
 * managed configurations"). An app reads its restrictions by key and type; this module does the
 * same for the simulated apps, and never throws: a value of the wrong type, an out-of-range value,
 * a missing required key or a key the app does not know becomes a `ConfigProblem`, which the
 * device reports as an INVALID_VALUE non-compliance (non-compliance.ts).
 */

import { isJsonObject, jsonTypeOf, type JsonValue } from '../json.js';

export type ManagedConfigValue = string | number | boolean;

/** A managed configuration as mdmlab builds it: flat, one value per key. */
export type ManagedConfiguration = Record<string, ManagedConfigValue>;

export type KeySpec =
  | {
      type: 'string';
      required?: boolean;
      maxLength?: number;
      /** Returns why the value is unusable, or undefined when it is fine. */
      check?: (value: string) => string | undefined;
    }
  | {
      type: 'bool';
      required?: boolean;
      /** Also accept "true"/"false" strings (apps documented as reading booleans from string values). */
      acceptsStringForm?: boolean;
    }
  | { type: 'integer'; required?: boolean; min: number; max: number; values?: readonly number[] }
  | { type: 'choice'; required?: boolean; values: readonly string[] };

export interface KeyDefinition {
  spec: KeySpec;
  description: string;
  /**
   * Whether a public source confirms the key name. Where none does, mdmlab picked the name, and it is
   * written only in the app's key table so server and device agree.
   */
  verified: boolean;
}

export type KeyTable = Readonly<Record<string, KeyDefinition>>;

export type ConfigProblemReason = 'notAnObject' | 'wrongType' | 'invalidValue' | 'missing' | 'unknownKey';

export interface ConfigProblem {
  /** The key at fault; '' for the configuration as a whole. */
  key: string;
  reason: ConfigProblemReason;
  message: string;
  /** The value the device holds, when there is one. */
  currentValue?: JsonValue;
}

export interface ConfigReading {
  /** The usable values, by key (a key with a problem is absent). */
  values: Partial<Record<string, ManagedConfigValue>>;
  problems: ConfigProblem[];
}

const DEFAULT_MAX_STRING = 1024;

/**
 * Reads a configuration against an app's key table. Empty strings count as absent (Gmail treats an
 * empty certificate alias as none, and activates only when every required key is non-empty).
 */
export function readManagedConfiguration(table: KeyTable, config: unknown): ConfigReading {
  const values: Partial<Record<string, ManagedConfigValue>> = {};
  const problems: ConfigProblem[] = [];
  if (!isJsonObject(config)) {
    return { values, problems: [{ key: '', reason: 'notAnObject', message: `the managed configuration must be an object, found ${jsonTypeOf(config)}` }] };
  }
  for (const [key, def] of Object.entries(table)) {
    const present = Object.hasOwn(config, key);
    const raw = present ? config[key] : undefined;
    if (!present || raw === '') {
      if (def.spec.required) {
        problems.push(present ? { key, reason: 'missing', message: `${key} is required and must not be empty`, currentValue: '' } : { key, reason: 'missing', message: `${key} is required` });
      }
      continue;
    }
    const result = readValue(key, def.spec, raw as JsonValue);
    if ('problem' in result) problems.push(result.problem);
    else values[key] = result.value;
  }
  for (const key of Object.keys(config)) {
    if (!Object.hasOwn(table, key)) {
      problems.push({ key, reason: 'unknownKey', message: `${key} is not a key of this app's configuration`, currentValue: config[key] as JsonValue });
    }
  }
  return { values, problems };
}

type ValueResult = { value: ManagedConfigValue } | { problem: ConfigProblem };

function readValue(key: string, spec: KeySpec, raw: JsonValue): ValueResult {
  const wrong = (want: string): ValueResult => ({
    problem: { key, reason: 'wrongType', message: `${key} must be ${want}, found ${jsonTypeOf(raw)}`, currentValue: raw },
  });
  const invalid = (why: string): ValueResult => ({ problem: { key, reason: 'invalidValue', message: `${key} ${why}`, currentValue: raw } });
  switch (spec.type) {
    case 'string': {
      if (typeof raw !== 'string') return wrong('a string');
      const max = spec.maxLength ?? DEFAULT_MAX_STRING;
      if (raw.length > max) return invalid(`is longer than ${max} characters`);
      const why = spec.check?.(raw);
      return why ? invalid(why) : { value: raw };
    }
    case 'bool': {
      if (typeof raw === 'boolean') return { value: raw };
      if (spec.acceptsStringForm && typeof raw === 'string') {
        const lower = raw.toLowerCase();
        if (lower === 'true' || lower === 'false') return { value: lower === 'true' };
      }
      return wrong(spec.acceptsStringForm ? 'a boolean (or "true"/"false")' : 'a boolean');
    }
    case 'integer': {
      if (typeof raw !== 'number') return wrong('an integer');
      if (!Number.isInteger(raw) || raw < spec.min || raw > spec.max) return invalid(`must be an integer from ${spec.min} to ${spec.max}`);
      if (spec.values && !spec.values.includes(raw)) return invalid(`must be one of ${spec.values.join(', ')}`);
      return { value: raw };
    }
    case 'choice': {
      if (typeof raw !== 'string') return wrong('a string');
      return spec.values.includes(raw) ? { value: raw } : invalid(`must be one of ${spec.values.join(', ')}`);
    }
  }
}

/** The JSON type AMAPI gives a key's values (for documentation and the schema checks in tests). */
export function jsonTypeOfSpec(spec: KeySpec): 'string' | 'boolean' | 'integer' {
  return spec.type === 'bool' ? 'boolean' : spec.type === 'integer' ? 'integer' : 'string';
}
