import { describe, expect, it } from 'vitest';
import { decodeEnrollmentToken, encodeEnrollmentToken } from '../../../../protocol/android/amapi/enrollment-token.js';
import { durationSeconds, formatDuration, formatTimestamp, parseResourceName, parseTimestamp, resourceName } from '../../../../protocol/android/amapi/values.js';
import { fullEnrollmentToken } from '../fixtures.js';

const base = { name: 'enterprises/mdmlab/enrollmentTokens/t1', value: 'ABCDEFGHIJKLMNOP', expirationTimestamp: '2024-05-01T13:00:00Z' };

describe('decodeEnrollmentToken / encodeEnrollmentToken', () => {
  it('round-trips a token with every field', () => {
    const token = fullEnrollmentToken();
    expect(decodeEnrollmentToken(encodeEnrollmentToken(token))).toEqual({ ok: true, value: token });
    expect(decodeEnrollmentToken(JSON.stringify(base))).toEqual({ ok: true, value: base });
  });

  it.each([
    ['no value', { name: base.name, expirationTimestamp: base.expirationTimestamp }, 'missingField', 'value'],
    ['a short value', { ...base, value: 'abc' }, 'invalidValue', 'value'],
    ['a value with URL-unsafe characters', { ...base, value: 'abc/def+ghi=jkl' }, 'invalidValue', 'value'],
    ['a duration in hours', { ...base, duration: '1h' }, 'invalidValue', 'duration'],
    ['a negative duration', { ...base, duration: '-5s' }, 'invalidValue', 'duration'],
    ['oneTimeOnly as a string', { ...base, oneTimeOnly: 'true' }, 'wrongType', 'oneTimeOnly'],
    ['additionalData over 1,024 characters', { ...base, additionalData: 'x'.repeat(1025) }, 'tooLong', 'additionalData'],
    ['a policy name of another collection', { ...base, policyName: 'enterprises/e/devices/d' }, 'invalidValue', 'policyName'],
    ['an unknown field', { ...base, user: { accountIdentifier: 'a' } }, 'unknownField', 'user'],
    ['an expiration that is not a time', { ...base, expirationTimestamp: 'tomorrow' }, 'invalidValue', 'expirationTimestamp'],
  ])('refuses %s', (_what, doc, code, path) => {
    const r = decodeEnrollmentToken(JSON.stringify(doc));
    expect(r.ok).toBe(false);
    if (!r.ok) expect({ code: r.error.code, path: r.error.path }).toEqual({ code, path });
  });
});

describe('enrollment token bounds', () => {
  it('refuses an oversized or deeply nested document before reading it', () => {
    const big = decodeEnrollmentToken(JSON.stringify({ ...base, qrCode: 'x'.repeat(20_000) }));
    expect(big.ok || big.error.code).toBe('tooLarge');
    const deep = decodeEnrollmentToken(`{"name":${'['.repeat(5)}1${']'.repeat(5)}}`);
    expect(deep.ok || deep.error.code).toBe('tooDeep');
    const qr = decodeEnrollmentToken(JSON.stringify({ ...base, qrCode: 'x'.repeat(4097) }));
    expect(qr.ok || [qr.error.code, qr.error.path]).toEqual(['tooLong', 'qrCode']);
  });
});

describe('AMAPI scalar formats', () => {
  it('reads RFC 3339 timestamps with offsets and fractions, and refuses impossible ones', () => {
    expect(parseTimestamp('2024-05-01T12:00:00Z')).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseTimestamp('2024-05-01T14:00:00.123456789+02:00')).toBe(Date.UTC(2024, 4, 1, 12, 0, 0, 123));
    expect(parseTimestamp('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    for (const bad of ['2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-05-01T12:60:00Z', '2024-05-01T12:00:00', '2024-05-01', '0000-01-01T00:00:00Z']) {
      expect(parseTimestamp(bad), bad).toBeUndefined();
    }
    expect(formatTimestamp(new Date(Date.UTC(2024, 4, 1)))).toBe('2024-05-01T00:00:00.000Z');
  });

  it('reads and writes durations', () => {
    expect(durationSeconds('3600s')).toBe(3600);
    expect(durationSeconds('1.5s')).toBe(1.5);
    expect(formatDuration(600)).toBe('600s');
    expect(() => formatDuration(-1)).toThrow(RangeError);
    expect(() => durationSeconds('10m')).toThrow(RangeError);
  });

  it('builds and parses resource names, refusing ids that would change the path', () => {
    expect(resourceName('devices', 'mdmlab', 'dev_01')).toBe('enterprises/mdmlab/devices/dev_01');
    expect(parseResourceName('devices', 'enterprises/mdmlab/devices/dev_01')).toEqual({ enterpriseId: 'mdmlab', id: 'dev_01' });
    expect(parseResourceName('policies', 'enterprises/mdmlab/devices/dev_01')).toBeUndefined();
    expect(() => resourceName('devices', 'mdmlab', 'a/b')).toThrow(RangeError);
    expect(() => resourceName('devices', 'mdmlab', '..')).toThrow(RangeError);
    expect(parseResourceName('devices', 'enterprises/mdmlab/devices/..')).toBeUndefined();
    expect(parseResourceName('devices', 'enterprises/./devices/d1')).toBeUndefined();
    expect(parseResourceName('devices', 'enterprises/mdmlab/devices/v1..2')).toEqual({ enterpriseId: 'mdmlab', id: 'v1..2' });
  });
});
