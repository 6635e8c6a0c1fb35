import { describe, expect, it } from 'vitest';
import { DEVICE_REPORT_LIMITS, decodeDeviceReport, encodeDeviceReport, type DeviceReport } from '../../../../protocol/android/amapi/device.js';
import { KEYED_APP_STATE_LIMITS } from '../../../../protocol/android/amapi/device-parts.js';
import { GMAIL_PACKAGE } from '../../../../protocol/android/apps.js';
import type { DecodeResult } from '../../../../protocol/android/errors.js';
import { DEVICE_NAME, fullDeviceReport } from '../fixtures.js';

const decode = (doc: unknown): DecodeResult<DeviceReport> => decodeDeviceReport(JSON.stringify(doc));

function refused<T>(r: DecodeResult<T>): { code: string; path: string } {
  if (r.ok) throw new Error('expected the report to be refused');
  return { code: r.error.code, path: r.error.path };
}

const minimal = { managementMode: 'DEVICE_OWNER' };
const app = (over: Record<string, unknown>) => ({ ...minimal, applicationReports: [{ packageName: GMAIL_PACKAGE, ...over }] });
const keyed = (over: Record<string, unknown>) => app({ keyedAppStates: [{ key: 'k', severity: 'INFO', ...over }] });
const detail = (over: Record<string, unknown>) => ({ ...minimal, nonComplianceDetails: [{ settingName: 'applications', nonComplianceReason: 'PENDING', ...over }] });

describe('decodeDeviceReport / encodeDeviceReport', () => {
  it('round-trips a report with every supported field', () => {
    const report = fullDeviceReport();
    expect(decodeDeviceReport(encodeDeviceReport(report))).toEqual({ ok: true, value: report });
  });

  it('accepts the smallest report, and any JSON as a current value', () => {
    expect(decode(minimal)).toEqual({ ok: true, value: minimal });
    const r = decode(detail({ currentValue: { nested: [1, 'two', null, true] } }));
    expect(r.ok && r.value.nonComplianceDetails?.[0]?.currentValue).toEqual({ nested: [1, 'two', null, true] });
  });

  it.each([
    ['an array', [], 'wrongType', ''],
    ['no management mode', {}, 'missingField', 'managementMode'],
    ['an unknown management mode', { managementMode: 'DEVICE_ADMIN' }, 'invalidValue', 'managementMode'],
    ['an unknown top-level field', { ...minimal, imei: '123' }, 'unknownField', 'imei'],
    ['a name of another collection', { ...minimal, name: 'enterprises/mdmlab/policies/p' }, 'invalidValue', 'name'],
    ['a name with a path', { ...minimal, name: `${DEVICE_NAME}/../d2` }, 'invalidValue', 'name'],
    ['a name whose id is a dot-segment', { ...minimal, name: 'enterprises/mdmlab/devices/..' }, 'invalidValue', 'name'],
    ['an applied version as a number', { ...minimal, appliedPolicyVersion: 3 }, 'wrongType', 'appliedPolicyVersion'],
    ['an applied version that is not a number', { ...minimal, appliedPolicyVersion: 'latest' }, 'invalidValue', 'appliedPolicyVersion'],
    ['policyCompliant as a string', { ...minimal, policyCompliant: 'true' }, 'wrongType', 'policyCompliant'],
    ['a fractional API level', { ...minimal, apiLevel: 33.5 }, 'invalidValue', 'apiLevel'],
    ['an unknown device state', { ...minimal, appliedState: 'ENROLLED' }, 'invalidValue', 'appliedState'],
    ['a detail without a reason', { ...minimal, nonComplianceDetails: [{ settingName: 'applications' }] }, 'missingField', 'nonComplianceDetails[0].nonComplianceReason'],
    ['an unknown reason', detail({ nonComplianceReason: 'DEVICE_INCOMPATIBLE' }), 'invalidValue', 'nonComplianceDetails[0].nonComplianceReason'],
    ['an unknown detail field', detail({ specificNonComplianceReason: 'X' }), 'unknownField', 'nonComplianceDetails[0].specificNonComplianceReason'],
    ['an empty field path', detail({ fieldPath: '' }), 'invalidValue', 'nonComplianceDetails[0].fieldPath'],
    ['a report without a package', { ...minimal, applicationReports: [{ state: 'INSTALLED' }] }, 'missingField', 'applicationReports[0].packageName'],
    ['a negative version code', app({ versionCode: -1 }), 'invalidValue', 'applicationReports[0].versionCode'],
    ['a version code past int32', app({ versionCode: 2 ** 31 }), 'invalidValue', 'applicationReports[0].versionCode'],
    ['an unknown app state', app({ state: 'RUNNING' }), 'invalidValue', 'applicationReports[0].state'],
    ['an unknown app report field', app({ events: [] }), 'unknownField', 'applicationReports[0].events'],
    ['a keyed state without severity', app({ keyedAppStates: [{ key: 'k' }] }), 'missingField', 'applicationReports[0].keyedAppStates[0].severity'],
    ['an unknown severity', keyed({ severity: 'WARNING' }), 'invalidValue', 'applicationReports[0].keyedAppStates[0].severity'],
    ['a key over 100 characters', keyed({ key: 'k'.repeat(KEYED_APP_STATE_LIMITS.key + 1) }), 'tooLong', 'applicationReports[0].keyedAppStates[0].key'],
    ['data over 1,000 characters', keyed({ data: 'd'.repeat(KEYED_APP_STATE_LIMITS.data + 1) }), 'tooLong', 'applicationReports[0].keyedAppStates[0].data'],
    ['a time that is not RFC 3339', keyed({ createTime: '2024-05-01 12:00:00' }), 'invalidValue', 'applicationReports[0].keyedAppStates[0].createTime'],
    ['a date that does not exist', keyed({ lastUpdateTime: '2023-02-29T00:00:00Z' }), 'invalidValue', 'applicationReports[0].keyedAppStates[0].lastUpdateTime'],
    ['an hour 24', { ...minimal, lastPolicySyncTime: '2024-05-01T24:00:00Z' }, 'invalidValue', 'lastPolicySyncTime'],
    ['an unknown hardware field', { ...minimal, hardwareInfo: { imei: '1' } }, 'unknownField', 'hardwareInfo.imei'],
    ['an empty model', { ...minimal, hardwareInfo: { model: '' } }, 'invalidValue', 'hardwareInfo.model'],
    ['a model of the wrong type', { ...minimal, hardwareInfo: { model: 7 } }, 'wrongType', 'hardwareInfo.model'],
    ['an unknown software field', { ...minimal, softwareInfo: { androidDevicePolicyVersionCode: 1 } }, 'unknownField', 'softwareInfo.androidDevicePolicyVersionCode'],
    ['a Knox version that is not one', { ...minimal, mdmlab: { knoxVersion: 'four' } }, 'invalidValue', 'mdmlab.knoxVersion'],
    ['an unknown extension field', { ...minimal, mdmlab: { rooted: false } }, 'unknownField', 'mdmlab.rooted'],
    ['a push token with spaces', { ...minimal, mdmlab: { pushToken: 'a b' } }, 'invalidValue', 'mdmlab.pushToken'],
  ])('refuses %s, naming the path', (_what, doc, code, path) => {
    expect(refused(decode(doc))).toMatchObject({ code, path });
  });

  it('bounds sizes, counts and nesting', () => {
    const many = Array.from({ length: DEVICE_REPORT_LIMITS.nonComplianceDetails + 1 }, () => ({ settingName: 'a', nonComplianceReason: 'PENDING' }));
    expect(refused(decode({ ...minimal, nonComplianceDetails: many }))).toMatchObject({ code: 'tooMany', path: 'nonComplianceDetails' });
    const states = Array.from({ length: 101 }, (_, i) => ({ key: `k${i}`, severity: 'INFO' }));
    expect(refused(decode(app({ keyedAppStates: states })))).toMatchObject({ code: 'tooMany', path: 'applicationReports[0].keyedAppStates' });
    expect(refused(decodeDeviceReport(JSON.stringify({ ...minimal, hardwareInfo: { model: 'm'.repeat(DEVICE_REPORT_LIMITS.maxBytes) } })))).toMatchObject({ code: 'tooLarge' });
    let deep: unknown = 0;
    for (let i = 0; i < DEVICE_REPORT_LIMITS.maxDepth; i++) deep = [deep];
    expect(refused(decode(detail({ currentValue: deep })))).toMatchObject({ code: 'tooDeep' });
    expect(refused(decodeDeviceReport('['.repeat(1_000_000)))).toMatchObject({ code: 'tooLarge' });
    expect(refused(decodeDeviceReport('['.repeat(200_000)))).toMatchObject({ code: 'tooDeep' });
  });
});
