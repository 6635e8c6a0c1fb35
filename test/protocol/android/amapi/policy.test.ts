import { describe, expect, it } from 'vitest';
import {
  applicationPolicyFor,
  decodePolicy,
  encodePolicy,
  POLICY_LIMITS,
  type Policy,
} from '../../../../protocol/android/amapi/policy.js';
import { compareInt64Strings, int64String } from '../../../../protocol/android/amapi/values.js';
import { keyPairAliasFor } from '../../../../protocol/android/amapi/mdmlab-extension.js';
import { GMAIL_PACKAGE } from '../../../../protocol/android/apps.js';
import type { DecodeResult } from '../../../../protocol/android/errors.js';
import { fullPolicy, POLICY_NAME } from '../fixtures.js';

function refused<T>(r: DecodeResult<T>): { code: string; path: string; message: string } {
  if (r.ok) throw new Error('expected the document to be refused');
  return { code: r.error.code, path: r.error.path, message: r.error.message };
}

const minimal = { name: POLICY_NAME, version: '1' };
const decode = (doc: unknown): DecodeResult<Policy> => decodePolicy(JSON.stringify(doc));

describe('decodePolicy / encodePolicy', () => {
  it('round-trips a policy with every supported field, and encodes equal policies to equal bytes', () => {
    const policy = fullPolicy();
    const text = encodePolicy(policy);
    const back = decodePolicy(text);
    expect(back).toEqual({ ok: true, value: policy });
    expect(encodePolicy(fullPolicy())).toBe(text);
    expect(decodePolicy(Buffer.from(text, 'utf8'))).toEqual({ ok: true, value: policy });
  });

  it('accepts the smallest policy: a name and a version', () => {
    expect(decode(minimal)).toEqual({ ok: true, value: minimal });
  });

  it('finds the application policy of a package', () => {
    const policy = fullPolicy();
    expect(applicationPolicyFor(policy, GMAIL_PACKAGE)?.index).toBe(0);
    expect(applicationPolicyFor(policy, 'com.example.absent')).toBeUndefined();
    expect(applicationPolicyFor(minimal, GMAIL_PACKAGE)).toBeUndefined();
  });

  it('keeps a managed configuration of any JSON shape: the app on the device type-checks it', () => {
    const text =
      `{"name":"${POLICY_NAME}","version":"1","applications":[{"packageName":"${GMAIL_PACKAGE}",` +
      '"managedConfiguration":{"__proto__":{"polluted":true},"exchange_ssl_required":"yes","nested":{"a":[1,{"b":null}]}}}]}';
    const r = decodePolicy(text);
    expect(r.ok).toBe(true);
    const got = r.ok ? r.value.applications?.[0]?.managedConfiguration : undefined;
    expect(got?.exchange_ssl_required).toBe('yes');
    expect(got?.nested).toEqual({ a: [1, { b: null }] });
    expect(Object.hasOwn(got ?? {}, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['not an object', [], 'wrongType', ''],
    ['missing name', { version: '1' }, 'missingField', 'name'],
    ['missing version', { name: POLICY_NAME }, 'missingField', 'version'],
    ['name of another collection', { ...minimal, name: 'enterprises/mdmlab/devices/d1' }, 'invalidValue', 'name'],
    ['version as a number', { ...minimal, version: 1 }, 'wrongType', 'version'],
    ['version with leading zeros', { ...minimal, version: '01' }, 'invalidValue', 'version'],
    ['negative version', { ...minimal, version: '-1' }, 'invalidValue', 'version'],
    ['version past int64', { ...minimal, version: '9223372036854775808' }, 'invalidValue', 'version'],
    ['unknown top-level field', { ...minimal, passwordPolicies: [] }, 'unknownField', 'passwordPolicies'],
    ['applications not an array', { ...minimal, applications: {} }, 'wrongType', 'applications'],
    ['application without package', { ...minimal, applications: [{ installType: 'AVAILABLE' }] }, 'missingField', 'applications[0].packageName'],
    ['bad package name', { ...minimal, applications: [{ packageName: 'gmail' }] }, 'invalidValue', 'applications[0].packageName'],
    ['unknown install type', { ...minimal, applications: [{ packageName: GMAIL_PACKAGE, installType: 'KIOSK' }] }, 'invalidValue', 'applications[0].installType'],
    ['unknown application field', { ...minimal, applications: [{ packageName: GMAIL_PACKAGE, lockTaskAllowed: true }] }, 'unknownField', 'applications[0].lockTaskAllowed'],
    ['managed configuration not an object', { ...minimal, applications: [{ packageName: GMAIL_PACKAGE, managedConfiguration: 'x' }] }, 'wrongType', 'applications[0].managedConfiguration'],
    [
      'two entries for one package',
      { ...minimal, applications: [{ packageName: GMAIL_PACKAGE }, { packageName: GMAIL_PACKAGE }] },
      'invalidValue',
      'applications[1].packageName',
    ],
    ['status setting of the wrong type', { ...minimal, statusReportingSettings: { applicationReportsEnabled: 'true' } }, 'wrongType', 'statusReportingSettings.applicationReportsEnabled'],
    ['unknown status setting', { ...minimal, statusReportingSettings: { applicationReportingSettings: {} } }, 'unknownField', 'statusReportingSettings.applicationReportingSettings'],
    ['unknown extension field', { ...minimal, mdmlab: { wifi: [] } }, 'unknownField', 'mdmlab.wifi'],
    ['knox account not an object', { ...minimal, mdmlab: { knoxExchangeAccounts: ['x'] } }, 'wrongType', 'mdmlab.knoxExchangeAccounts[0]'],
    ['certificate not base64', { ...minimal, mdmlab: { caCertificates: [{ alias: 'ca', certificate: 'not base64!' }] } }, 'invalidValue', 'mdmlab.caCertificates[0].certificate'],
    ['unpadded base64', { ...minimal, mdmlab: { caCertificates: [{ alias: 'ca', certificate: 'MIIBAA' }] } }, 'invalidValue', 'mdmlab.caCertificates[0].certificate'],
    ['bad alias', { ...minimal, mdmlab: { caCertificates: [{ alias: 'a/b', certificate: 'MIIB' }] } }, 'invalidValue', 'mdmlab.caCertificates[0].alias'],
    [
      'duplicate key pair alias',
      { ...minimal, mdmlab: { keyPairs: [{ alias: 'k', pkcs12: 'MIIB', password: '' }, { alias: 'k', pkcs12: 'MIIB', password: '' }] } },
      'invalidValue',
      'mdmlab.keyPairs[1].alias',
    ],
    ['key pair without password', { ...minimal, mdmlab: { keyPairs: [{ alias: 'k', pkcs12: 'MIIB' }] } }, 'missingField', 'mdmlab.keyPairs[0].password'],
    ['null where a string belongs', { ...minimal, name: null }, 'wrongType', 'name'],
  ])('refuses %s, naming the path', (_what, doc, code, path) => {
    expect(refused(decode(doc))).toMatchObject({ code, path });
  });

  it('bounds what a document can make the device hold', () => {
    const apps = Array.from({ length: POLICY_LIMITS.applications + 1 }, (_, i) => ({ packageName: `com.example.app${i}` }));
    expect(refused(decode({ ...minimal, applications: apps }))).toMatchObject({ code: 'tooMany', path: 'applications' });
    const config = Object.fromEntries(Array.from({ length: POLICY_LIMITS.managedConfigurationKeys + 1 }, (_, i) => [`k${i}`, i]));
    expect(refused(decode({ ...minimal, applications: [{ packageName: GMAIL_PACKAGE, managedConfiguration: config }] }))).toMatchObject({
      code: 'tooMany',
      path: 'applications[0].managedConfiguration',
    });
    const big = JSON.stringify({ ...minimal, applications: [{ packageName: GMAIL_PACKAGE, managedConfiguration: { x: 'a'.repeat(POLICY_LIMITS.maxBytes) } }] });
    expect(refused(decodePolicy(big))).toMatchObject({ code: 'tooLarge', path: '' });
    expect(refused(decodePolicy(JSON.stringify(minimal), { limits: { maxBytes: 10 } }))).toMatchObject({ code: 'tooLarge' });
    let deep: unknown = 1;
    for (let i = 0; i < POLICY_LIMITS.maxDepth; i++) deep = { d: deep };
    expect(refused(decode({ ...minimal, applications: [{ packageName: GMAIL_PACKAGE, managedConfiguration: deep }] }))).toMatchObject({ code: 'tooDeep' });
    expect(refused(decodePolicy('{"name": '))).toMatchObject({ code: 'malformedJson', path: '' });
    expect(refused(decodePolicy(Buffer.from([0x7b, 0xff, 0x7d])))).toMatchObject({ code: 'notUtf8' });
  });

  it('does not echo the client\'s bytes in the error for malformed JSON', () => {
    expect(refused(decodePolicy('{"name": "secret-value" ')).message).not.toContain('secret-value');
  });
});

describe('policy versions and key pair aliases', () => {
  it('orders int64 versions numerically, past 2^53', () => {
    expect(compareInt64Strings('9', '10')).toBeLessThan(0);
    expect(compareInt64Strings('9007199254740993', '9007199254740992')).toBeGreaterThan(0);
    expect(compareInt64Strings('7', '7')).toBe(0);
    expect(int64String(12n)).toBe('12');
    expect(() => int64String(-1)).toThrow(RangeError);
  });

  it('names the keystore alias of a certificate profile in one place', () => {
    expect(keyPairAliasFor('crt_01')).toBe('mdmlab-crt_01');
    expect(() => keyPairAliasFor('a/b')).toThrow(RangeError);
  });
});
