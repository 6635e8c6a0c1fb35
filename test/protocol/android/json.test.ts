import { describe, expect, it } from 'vitest';
import { AndroidProtocolError } from '../../../protocol/android/errors.js';
import { depthAtMost, parseJsonDocument } from '../../../protocol/android/json.js';

const limits = { maxBytes: 1024, maxDepth: 3 };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof AndroidProtocolError ? err.code : 'other';
  }
}

describe('parseJsonDocument', () => {
  it('measures nesting outside strings only, escaped quotes included', () => {
    expect(parseJsonDocument('{"a":[{"b":"[[[[{{{{"}]}', limits)).toEqual({ a: [{ b: '[[[[{{{{' }] });
    expect(parseJsonDocument('{"a":"\\"[[[[","b":[[1]]}', limits)).toEqual({ a: '"[[[[', b: [[1]] });
    expect(parseJsonDocument('{"a":"\\\\","b":[[1]]}', limits)).toEqual({ a: '\\', b: [[1]] });
    expect(codeOf(() => parseJsonDocument('{"a":[[[1]]]}', limits))).toBe('tooDeep');
    expect(codeOf(() => parseJsonDocument('{"a":"\\\\",[[[', limits))).toBe('tooDeep');
  });

  it('checks size in bytes, not characters, for text and for bytes', () => {
    const euro = '"' + '€'.repeat(400) + '"'; // 402 characters, 1,202 bytes
    expect(codeOf(() => parseJsonDocument(euro, limits))).toBe('tooLarge');
    expect(codeOf(() => parseJsonDocument(Buffer.from(euro), limits))).toBe('tooLarge');
    expect(parseJsonDocument(Buffer.from('"€"'), limits)).toBe('€');
  });

  it('refuses bytes that are not UTF-8 and text that is not JSON', () => {
    expect(codeOf(() => parseJsonDocument(Buffer.from([0x22, 0xc3, 0x28, 0x22]), limits))).toBe('notUtf8');
    expect(codeOf(() => parseJsonDocument("{'a':1}", limits))).toBe('malformedJson');
    expect(codeOf(() => parseJsonDocument('', limits))).toBe('malformedJson');
    expect(codeOf(() => parseJsonDocument('{"a":1}}', limits))).toBe('malformedJson');
  });

  it('keeps a __proto__ key as an ordinary own key', () => {
    const v = parseJsonDocument('{"__proto__":{"x":1}}', limits) as Record<string, unknown>;
    expect(Object.hasOwn(v, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });
});

describe('depthAtMost', () => {
  it('counts object and array levels and stops at the limit', () => {
    expect(depthAtMost(1, 0)).toBe(true);
    expect(depthAtMost({ a: [1] }, 2)).toBe(true);
    expect(depthAtMost({ a: [1] }, 1)).toBe(false);
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(depthAtMost(deep as never, 8)).toBe(false);
  });
});
