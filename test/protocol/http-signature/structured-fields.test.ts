import { describe, expect, it } from 'vitest';
import { HttpSignatureError } from '../../../protocol/http-signature/errors.js';
import {
  parseDictionary,
  serializeBareItem,
  serializeDictionary,
  serializeInnerList,
  type InnerList,
  type Item,
} from '../../../protocol/http-signature/structured-fields.js';

const limits = { maxMembers: 8, maxInnerListItems: 8, maxParameters: 8 };
const parse = (s: string) => parseDictionary(s, limits);

function malformed(s: string, l = limits): string {
  try {
    parseDictionary(s, l);
  } catch (err) {
    if (err instanceof HttpSignatureError) return err.code;
    throw err;
  }
  return 'parsed';
}

describe('RFC 8941 dictionaries', () => {
  it('parses items, inner lists, parameters and bare booleans, and serializes them back canonically', () => {
    const d = parse('a=?0,   b, c; foo=bar, d=(1 2.5 "x\\"y" tok/en:x);p=:aGVsbG8=:, e=-42');
    expect(d.get('a')).toEqual({ kind: 'item', value: { type: 'boolean', value: false }, params: new Map() });
    expect(d.get('b')).toEqual({ kind: 'item', value: { type: 'boolean', value: true }, params: new Map() });
    expect((d.get('c') as Item).params.get('foo')).toEqual({ type: 'token', value: 'bar' });
    const list = d.get('d') as InnerList;
    expect(list.items.map((i) => i.value)).toEqual([
      { type: 'integer', value: 1 },
      { type: 'decimal', value: 2.5 },
      { type: 'string', value: 'x"y' },
      { type: 'token', value: 'tok/en:x' },
    ]);
    expect(Buffer.from((list.params.get('p') as { value: Uint8Array }).value).toString()).toBe('hello');
    expect(serializeDictionary(d)).toBe('a=?0, b, c;foo=bar, d=(1 2.5 "x\\"y" tok/en:x);p=:aGVsbG8=:, e=-42');
  });

  it('serializes the signature parameters of RFC 9421 B.2.2 exactly', () => {
    const d = parse('sig-b22=("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa-pss";tag="header-example"');
    expect(serializeInnerList(d.get('sig-b22') as InnerList)).toBe(
      '("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa-pss";tag="header-example"',
    );
  });

  it('lets a repeated key take the last value (RFC 8941 §4.2.2)', () => {
    expect(serializeDictionary(parse('a=1, b=2, a=3'))).toBe('a=3, b=2');
  });

  it('accepts unpadded byte sequences, as RFC 8941 §4.2.7 asks', () => {
    expect(Buffer.from((parse('a=:aGVsbG8:').get('a') as Item).value.value as Uint8Array).toString()).toBe('hello');
  });

  it.each([
    'A=1', // keys are lower case
    'a=1,', // trailing comma
    'a=1 b=2', // missing comma
    'a=(1 2', // unclosed inner list
    'a=(1,2)', // inner list items are separated by spaces
    'a="unterminated',
    'a="bad \\n escape"',
    'a=1234567890123456', // 16-digit integer
    'a=1.2345', // 4 fraction digits
    'a=1234567890123.5', // 13 integer digits in a decimal
    'a=1.', // decimal without fraction
    'a=-', // sign alone
    'a=:not base64!:',
    'a=:aGVsbG8=x:', // "=" before the end
    'a=:a:', // one base64 character is no byte
    'a=?2',
    'a=@1659578233', // RFC 9651 dates are not accepted
    'a=%"display"', // nor display strings
    'a="é"', // non-ASCII
    'a=1;P=2', // parameter keys are lower case
  ])('refuses %s', (field) => {
    expect(malformed(field)).toBe('malformedHeader');
  });

  it('bounds members, inner list items and parameters', () => {
    expect(malformed('a=1, b=2, c=3', { ...limits, maxMembers: 2 })).toBe('malformedHeader');
    expect(malformed('a=(1 2 3)', { ...limits, maxInnerListItems: 2 })).toBe('malformedHeader');
    expect(malformed('a=1;x;y;z', { ...limits, maxParameters: 2 })).toBe('malformedHeader');
  });

  it('refuses to serialize what Structured Fields cannot carry', () => {
    expect(() => serializeBareItem({ type: 'integer', value: 1e16 })).toThrow(RangeError);
    expect(() => serializeBareItem({ type: 'string', value: 'line\nbreak' })).toThrow(RangeError);
    expect(() => serializeBareItem({ type: 'token', value: '1abc' })).toThrow(RangeError);
    expect(serializeBareItem({ type: 'decimal', value: 1 })).toBe('1.0');
    expect(serializeBareItem({ type: 'decimal', value: 0.12345 })).toBe('0.123');
  });
});
