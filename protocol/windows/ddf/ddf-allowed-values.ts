import { attr, childElements, rawText, type XmlElement } from '../../xml/index.js';
import type { DdfAllowedValue, DdfAllowedValues, DdfFormat } from './ddf-types.js';
import { clip, parseDmBool, parseDmInt, parseFlagNumber } from './ddf-values.js';

/**
 * MSFT:AllowedValues (DDF v2 `MSFT` schema: attribute ValueType ENUM | Flag | Range | RegEx | None |
 * XSD | ADMX | JSON | SDDL; children MSFT:Enum (Value, ValueDescription), a single MSFT:Value, and
 * MSFT:List Delimiter="…").
 */
export function parseAllowedValues(el: XmlElement, warn: (message: string) => void): DdfAllowedValues | undefined {
  const valueType = (attr(el, 'ValueType') ?? '').trim();
  const list = listOf(el);
  const withList = (rule: DdfAllowedValues): DdfAllowedValues => (list ? { ...rule, list } : rule);
  const single = childElements(el, 'Value')[0];
  const singleText = single ? rawText(single).trim() : undefined;
  switch (valueType.toLowerCase()) {
    case 'enum':
    case 'flag': {
      const values = childElements(el, 'Enum').map(enumValue);
      if (values.length === 0) {
        warn(`${valueType} allowed values list no <Enum>`);
        return withList({ kind: 'unchecked', valueType });
      }
      return withList({ kind: valueType.toLowerCase() === 'enum' ? 'enum' : 'flag', values });
    }
    case 'range': {
      const range = singleText === undefined ? undefined : parseRange(singleText);
      if (!range) {
        warn(`unreadable Range "${singleText ?? ''}"`);
        return withList({ kind: 'unchecked', valueType, ...(singleText ? { text: singleText } : {}) });
      }
      return withList({ kind: 'range', ...range, text: singleText! });
    }
    case 'regex': {
      if (!singleText || compileRegex(singleText) === undefined) {
        warn(`RegEx "${singleText ?? ''}" does not compile as a JavaScript regular expression`);
        return withList({ kind: 'unchecked', valueType, ...(singleText ? { text: singleText } : {}) });
      }
      return withList({ kind: 'regex', pattern: singleText });
    }
    default:
      // None, XSD, ADMX, JSON, SDDL: no rule this codec checks. An empty `None` is simply no rule.
      if (valueType.toLowerCase() === 'none' && !singleText && !list) return undefined;
      return withList({ kind: 'unchecked', valueType: valueType || 'None', ...(singleText ? { text: singleText } : {}) });
  }
}

function enumValue(e: XmlElement): DdfAllowedValue {
  const value = childElements(e, 'Value')[0];
  const description = childElements(e, 'ValueDescription')[0];
  const d = description ? rawText(description).trim() : '';
  // The value is kept exactly: " " or "" may be a legitimate enumerated string.
  return { value: value ? rawText(value) : '', ...(d ? { description: d } : {}) };
}

function listOf(el: XmlElement): { delimiter: string } | undefined {
  const list = childElements(el, 'List')[0];
  if (!list) return undefined;
  const raw = attr(list, 'Delimiter') ?? '';
  // Microsoft writes non-printing delimiters as C-style escapes: Delimiter="\xF000" is U+F000.
  const delimiter = raw.replace(/\\x([0-9A-Fa-f]{1,4})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return { delimiter: delimiter || ',' };
}

/** `[1-1000]`, `[(-1)-4294967295]`: inclusive bounds, negatives in parentheses. */
export function parseRange(text: string): { min: number; max: number } | undefined {
  const m = /^\[\s*\(?\s*([+-]?\d+)\s*\)?\s*-\s*\(?\s*([+-]?\d+)\s*\)?\s*\]$/.exec(text.trim());
  if (!m) return undefined;
  const min = Number(m[1]);
  const max = Number(m[2]);
  return Number.isSafeInteger(min) && Number.isSafeInteger(max) && min <= max ? { min, max } : undefined;
}

/**
 * A DDF regex describes the whole value (Microsoft's patterns are written unanchored, e.g. the
 * account GUID `\{[0-9A-Fa-f]{8}\-…\}`), so it is matched against the entire value. Compiled without
 * the `u` flag: the patterns escape characters (`\-`, `\{`) that Unicode mode refuses.
 */
export function compileRegex(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return undefined;
  }
}

/** Checks a value (or a dynamic node's name) against its rule: undefined when allowed, otherwise why not. */
export type AllowedValuesCheck = (value: string) => string | undefined;

/**
 * Builds the check for one node once (regexes compiled here, not per value). `format` decides how
 * values compare: ints numerically, bools as booleans, everything else as exact strings.
 */
export function compileAllowedValues(rule: DdfAllowedValues, format: DdfFormat): AllowedValuesCheck {
  const one = compileOne(rule, format);
  const list = rule.list;
  if (!list) return one;
  return (value) => {
    for (const item of value.split(list.delimiter)) {
      const why = one(item);
      if (why) return why;
    }
    return undefined;
  };
}

function compileOne(rule: DdfAllowedValues, format: DdfFormat): AllowedValuesCheck {
  switch (rule.kind) {
    case 'enum': {
      const same = sameValue(format, rule.values.map((v) => v.value));
      const shown = rule.values.map((v) => v.value).join(', ');
      return (value) => (same(value) ? undefined : `"${clip(value)}" is not one of the allowed values (${shown})`);
    }
    case 'flag': {
      let mask = 0;
      for (const v of rule.values) mask = (mask | (parseFlagNumber(v.value) ?? 0)) >>> 0;
      return (value) => {
        const n = parseFlagNumber(value);
        if (n === undefined) return `"${clip(value)}" is not a flag value`;
        return (n & ~mask) >>> 0 === 0 ? undefined : `"${clip(value)}" sets flags outside 0x${mask.toString(16)}`;
      };
    }
    case 'range':
      return (value) => {
        const n = parseDmInt(value.trim());
        if (n === undefined) return `"${clip(value)}" is not an integer`;
        return n >= rule.min && n <= rule.max ? undefined : `${n} is outside ${rule.text}`;
      };
    case 'regex': {
      const re = compileRegex(rule.pattern)!;
      return (value) => (re.test(value) ? undefined : `"${clip(value)}" does not match ${rule.pattern}`);
    }
    case 'unchecked':
      return () => undefined;
  }
}

/** Equality with the allowed values in the node's format. */
function sameValue(format: DdfFormat, allowed: readonly string[]): (value: string) => boolean {
  if (format === 'int') {
    const nums = allowed.map((a) => parseDmInt(a.trim())).filter((n): n is number => n !== undefined);
    if (nums.length === allowed.length) return (value) => nums.includes(parseDmInt(value.trim()) as number);
  }
  if (format === 'bool') {
    const bools = allowed.map((a) => parseDmBool(a.trim())).filter((b): b is boolean => b !== undefined);
    // Some files list non-boolean values on bool nodes (DMClient ForceAadToken: 0,1,2,4,8); the
    // boolean reading of the ones that are booleans is what a bool node can hold.
    if (bools.length > 0) return (value) => bools.includes(parseDmBool(value.trim()) as boolean);
  }
  const set = new Set(allowed);
  return (value) => set.has(value);
}
