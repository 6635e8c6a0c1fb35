import { describe, expect, it } from 'vitest';
import {
  compileAllowedValues,
  isDmBase64,
  parseDmBool,
  parseDmInt,
  parseFlagNumber,
  parseRange,
  readDmValue,
  type DdfAllowedValues,
} from '../../../../protocol/windows/ddf/index.js';

const enumOf = (...values: string[]): DdfAllowedValues => ({ kind: 'enum', values: values.map((value) => ({ value })) });

describe('node values in their DDF format', () => {
  it('reads int as a 32-bit word, signed or unsigned, decimal only', () => {
    expect(parseDmInt('0')).toBe(0);
    expect(parseDmInt('-1')).toBe(-1);
    expect(parseDmInt('+15')).toBe(15);
    expect(parseDmInt('4294967295')).toBe(4294967295);
    expect(parseDmInt('-2147483648')).toBe(-2147483648);
    for (const bad of ['4294967296', '-2147483649', '1.5', '0x10', '', ' 1', '1e3', '12345678901']) expect(parseDmInt(bad)).toBeUndefined();
    expect(readDmValue('int', ' 007 ')).toEqual({ ok: true, value: '7' });
    expect(readDmValue('int', 'seven')).toMatchObject({ ok: false, reason: expect.stringContaining('not a 32-bit integer') });
  });

  it('reads bool as true/false (any case) or 1/0, kept as true/false', () => {
    expect(['true', 'TRUE', '1'].map(parseDmBool)).toEqual([true, true, true]);
    expect(['false', 'False', '0'].map(parseDmBool)).toEqual([false, false, false]);
    expect(parseDmBool('yes')).toBeUndefined();
    expect(readDmValue('bool', '1')).toEqual({ ok: true, value: 'true' });
    expect(readDmValue('bool', 'maybe').ok).toBe(false);
  });

  it('checks b64 and float, takes chr/xml/bin/date/time as sent, and gives interior nodes no data', () => {
    expect(isDmBase64('TUlJ\r\nQ0tR')).toBe(true);
    expect(isDmBase64('TUk=')).toBe(true);
    expect(isDmBase64('not base64!')).toBe(false);
    expect(isDmBase64('abc')).toBe(false);
    expect(readDmValue('b64', '%%%').ok).toBe(false);
    expect(readDmValue('float', '1.5e3')).toEqual({ ok: true, value: '1.5e3' });
    expect(readDmValue('float', 'x').ok).toBe(false);
    expect(readDmValue('chr', ' keep  spaces ')).toEqual({ ok: true, value: ' keep  spaces ' });
    expect(readDmValue('xml', '<a/>')).toEqual({ ok: true, value: '<a/>' });
    expect(readDmValue('node', '')).toEqual({ ok: true, value: '' });
    expect(readDmValue('node', 'x').ok).toBe(false);
  });

  it('never echoes a whole value in a reason', () => {
    const long = 'x'.repeat(500);
    const r = readDmValue('int', long);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason.length).toBeLessThan(100);
  });
});

describe('MSFT:AllowedValues checks', () => {
  it('compares enumerations exactly for chr, numerically for int, as booleans for bool', () => {
    const chr = compileAllowedValues(enumOf('HTML', 'plain'), 'chr');
    expect(chr('HTML')).toBeUndefined();
    expect(chr('html')).toContain('not one of the allowed values (HTML, plain)');
    const int = compileAllowedValues(enumOf('0', '1'), 'int');
    expect(int('1')).toBeUndefined();
    expect(int('2')).toBeDefined();
    // A bool node listing 0/1 (DMAcc UseHwDevID) accepts the stored form true/false.
    const bool = compileAllowedValues(enumOf('0', '1'), 'bool');
    expect(bool('true')).toBeUndefined();
    expect(bool('false')).toBeUndefined();
    // …and one listing non-boolean values as well (DMClient ForceAadToken: 0,1,2,4,8) keeps the boolean ones.
    expect(compileAllowedValues(enumOf('0', '1', '2', '4', '8'), 'bool')('true')).toBeUndefined();
    expect(compileAllowedValues(enumOf('true'), 'bool')('false')).toBeDefined();
  });

  it('accepts any combination of Flag values (hex or decimal) and nothing outside them', () => {
    const flags = compileAllowedValues({ kind: 'flag', values: ['0x1', '0x2', '0x4'].map((value) => ({ value })) }, 'chr');
    expect(flags('0x0')).toBeUndefined();
    expect(flags('7')).toBeUndefined();
    expect(flags('0x3')).toBeUndefined();
    expect(flags('8')).toContain('outside 0x7');
    expect(flags('x')).toContain('not a flag value');
    const all = compileAllowedValues({ kind: 'flag', values: [{ value: '0xffffffff' }] }, 'chr');
    expect(all('4294967295')).toBeUndefined();
    expect(parseFlagNumber('0x100000000')).toBeUndefined();
  });

  it('reads ranges with negative bounds and checks integers against them', () => {
    expect(parseRange('[(-1)-4294967295]')).toEqual({ min: -1, max: 4294967295 });
    expect(parseRange('[1-1000]')).toEqual({ min: 1, max: 1000 });
    expect(parseRange('[5-1]')).toBeUndefined();
    expect(parseRange('1-5')).toBeUndefined();
    const schedule = compileAllowedValues({ kind: 'range', min: -1, max: 4294967295, text: '[(-1)-4294967295]' }, 'chr');
    expect(schedule('-1')).toBeUndefined();
    expect(schedule('4294967295')).toBeUndefined();
    expect(schedule('-2')).toContain('outside [(-1)-4294967295]');
    expect(schedule('soon')).toContain('not an integer');
  });

  it('matches a RegEx against the whole value', () => {
    const guid = compileAllowedValues({ kind: 'regex', pattern: '\\{[0-9A-Fa-f]{8}\\-[0-9A-Fa-f]{4}\\-[0-9A-Fa-f]{4}\\-[0-9A-Fa-f]{4}\\-[0-9A-Fa-f]{12}\\}' }, 'chr');
    expect(guid('{C556E16F-56C4-4EDB-9C64-D9469EE1FBE0}')).toBeUndefined();
    expect(guid('x{C556E16F-56C4-4EDB-9C64-D9469EE1FBE0}')).toBeDefined();
    expect(guid('C556E16F-56C4-4EDB-9C64-D9469EE1FBE0')).toBeDefined();
  });

  it('checks each item of a list, and lets unchecked kinds through', () => {
    const list = compileAllowedValues({ ...enumOf('a', 'b'), list: { delimiter: ';' } }, 'chr');
    expect(list('a;b;a')).toBeUndefined();
    expect(list('a;c')).toContain('"c"');
    expect(compileAllowedValues({ kind: 'unchecked', valueType: 'XSD' }, 'chr')('anything')).toBeUndefined();
  });
});
