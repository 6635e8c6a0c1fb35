/**
 * Every AMAPI-named field protocol/android emits or accepts, checked against the Android Management
 * API discovery document: the field exists in its schema, its JSON type matches, and every enum
 * value the codecs know is one of the schema's. The checker is tested first so this suite can fail.
 */

import { describe, expect, it } from 'vitest';
import {
  APPLICATION_REPORT_FIELDS,
  HARDWARE_INFO_FIELDS,
  KEYED_APP_STATE_FIELDS,
  NON_COMPLIANCE_DETAIL_FIELDS,
  SOFTWARE_INFO_FIELDS,
} from '../../../../protocol/android/amapi/device-parts.js';
import { DEVICE_REPORT_FIELDS, deviceReportJson, encodeDeviceReport } from '../../../../protocol/android/amapi/device.js';
import { ENROLLMENT_TOKEN_FIELDS, encodeEnrollmentToken } from '../../../../protocol/android/amapi/enrollment-token.js';
import {
  APPLICATION_STATES,
  DEVICE_STATES,
  INSTALL_TYPES,
  INSTALLATION_FAILURE_REASONS,
  KEYED_APP_STATE_SEVERITIES,
  MANAGEMENT_MODES,
  NON_COMPLIANCE_REASONS,
  OWNERSHIPS,
  PERMISSION_POLICIES,
  PERSONAL_USAGE_VALUES,
} from '../../../../protocol/android/amapi/enums.js';
import {
  APPLICATION_POLICY_FIELDS,
  encodePolicy,
  POLICY_FIELDS,
  policyJson,
  STATUS_REPORTING_SETTINGS_FIELDS,
} from '../../../../protocol/android/amapi/policy.js';
import { fullDeviceReport, fullEnrollmentToken, fullPolicy } from '../fixtures.js';
import { checkAgainstSchema, propertyOf, VENDOR_FIELD } from './discovery-checker.js';

describe('the discovery checker', () => {
  it('accepts a conforming document and finds each kind of problem', () => {
    expect(checkAgainstSchema({ packageName: 'com.example.app', installType: 'FORCE_INSTALLED', minimumVersionCode: 3 }, 'ApplicationPolicy')).toEqual([]);
    expect(checkAgainstSchema({ packageNames: 'x' }, 'ApplicationPolicy')).toEqual(['packageNames: ApplicationPolicy has no field packageNames']);
    expect(checkAgainstSchema({ installType: 'INSTALLED' }, 'ApplicationPolicy')[0]).toMatch(/INSTALLED is not one of/);
    expect(checkAgainstSchema({ disabled: 'false' }, 'ApplicationPolicy')).toEqual(['disabled: must be a boolean, found string']);
    expect(checkAgainstSchema({ minimumVersionCode: 2 ** 31 }, 'ApplicationPolicy')).toEqual(['minimumVersionCode: outside int32']);
    expect(checkAgainstSchema({ version: 42 }, 'Policy')).toEqual(['version: must be a string, found number']);
    expect(checkAgainstSchema({ version: '4x' }, 'Policy')).toEqual(['version: int64 must be a decimal string']);
    expect(checkAgainstSchema({ applicationReports: [{ keyedAppStates: [{ createTime: 'yesterday' }] }] }, 'Device')).toEqual([
      'applicationReports[0].keyedAppStates[0].createTime: yesterday is not an RFC 3339 timestamp',
    ]);
    expect(checkAgainstSchema({ duration: '1h' }, 'EnrollmentToken')).toEqual(['duration: 1h is not a duration']);
    expect(checkAgainstSchema({ hardwareInfo: { colour: 'red' } }, 'Device')).toEqual(['hardwareInfo.colour: HardwareInfo has no field colour']);
    expect(checkAgainstSchema({ mdmlab: { anything: 1 } }, 'Device')).toEqual([]);
  });
});

describe('documents protocol/android emits', () => {
  it('a policy with every supported field conforms to Policy', () => {
    const json = JSON.parse(encodePolicy(fullPolicy())) as Record<string, unknown>;
    expect(checkAgainstSchema(json, 'Policy')).toEqual([]);
  });

  it('a device report with every supported field conforms to Device', () => {
    expect(checkAgainstSchema(JSON.parse(encodeDeviceReport(fullDeviceReport())), 'Device')).toEqual([]);
  });

  it('an enrollment token with every supported field conforms to EnrollmentToken', () => {
    expect(checkAgainstSchema(JSON.parse(encodeEnrollmentToken(fullEnrollmentToken())), 'EnrollmentToken')).toEqual([]);
  });

  it('the fixtures use every field the codecs accept, so the type checks above cover each of them', () => {
    const policy = policyJson(fullPolicy());
    expect(Object.keys(policy).sort()).toEqual([...POLICY_FIELDS].sort());
    const apps = policy.applications as Record<string, unknown>[];
    expect([...new Set(apps.flatMap((a) => Object.keys(a)))].sort()).toEqual([...APPLICATION_POLICY_FIELDS].sort());
    expect(Object.keys(policy.statusReportingSettings as object).sort()).toEqual([...STATUS_REPORTING_SETTINGS_FIELDS].sort());

    const device = deviceReportJson(fullDeviceReport());
    expect(Object.keys(device).sort()).toEqual([...DEVICE_REPORT_FIELDS].sort());
    const details = device.nonComplianceDetails as Record<string, unknown>[];
    expect([...new Set(details.flatMap((d) => Object.keys(d)))].sort()).toEqual([...NON_COMPLIANCE_DETAIL_FIELDS].sort());
    const reports = device.applicationReports as Record<string, unknown>[];
    expect([...new Set(reports.flatMap((r) => Object.keys(r)))].sort()).toEqual([...APPLICATION_REPORT_FIELDS].sort());
    const states = (reports[0]?.keyedAppStates ?? []) as Record<string, unknown>[];
    expect(Object.keys(states[0] ?? {}).sort()).toEqual([...KEYED_APP_STATE_FIELDS].sort());
    expect(Object.keys(device.hardwareInfo as object).sort()).toEqual([...HARDWARE_INFO_FIELDS].sort());
    expect(Object.keys(device.softwareInfo as object).sort()).toEqual([...SOFTWARE_INFO_FIELDS].sort());

    expect(Object.keys(JSON.parse(encodeEnrollmentToken(fullEnrollmentToken()))).sort()).toEqual([...ENROLLMENT_TOKEN_FIELDS].sort());
  });
});

describe('fields and enum values the decoders accept', () => {
  const fieldLists: [string, readonly string[]][] = [
    ['Policy', POLICY_FIELDS],
    ['ApplicationPolicy', APPLICATION_POLICY_FIELDS],
    ['StatusReportingSettings', STATUS_REPORTING_SETTINGS_FIELDS],
    ['Device', DEVICE_REPORT_FIELDS],
    ['NonComplianceDetail', NON_COMPLIANCE_DETAIL_FIELDS],
    ['ApplicationReport', APPLICATION_REPORT_FIELDS],
    ['KeyedAppState', KEYED_APP_STATE_FIELDS],
    ['HardwareInfo', HARDWARE_INFO_FIELDS],
    ['SoftwareInfo', SOFTWARE_INFO_FIELDS],
    ['EnrollmentToken', ENROLLMENT_TOKEN_FIELDS],
  ];
  it.each(fieldLists)('every field of %s exists in the discovery schema (the vendor field aside)', (schemaName, fields) => {
    const missing = fields.filter((f) => f !== VENDOR_FIELD && propertyOf(schemaName, f) === undefined);
    expect(missing).toEqual([]);
  });

  const enums: [string, string, readonly string[]][] = [
    ['ApplicationPolicy', 'installType', INSTALL_TYPES],
    ['ApplicationPolicy', 'defaultPermissionPolicy', PERMISSION_POLICIES],
    ['Device', 'managementMode', MANAGEMENT_MODES],
    ['Device', 'state', DEVICE_STATES],
    ['Device', 'appliedState', DEVICE_STATES],
    ['Device', 'ownership', OWNERSHIPS],
    ['NonComplianceDetail', 'nonComplianceReason', NON_COMPLIANCE_REASONS],
    ['NonComplianceDetail', 'installationFailureReason', INSTALLATION_FAILURE_REASONS],
    ['ApplicationReport', 'state', APPLICATION_STATES],
    ['KeyedAppState', 'severity', KEYED_APP_STATE_SEVERITIES],
    ['EnrollmentToken', 'allowPersonalUsage', PERSONAL_USAGE_VALUES],
  ];
  it.each(enums)('%s.%s: every value mdmlab knows is in the schema enum', (schemaName, field, values) => {
    const def = propertyOf(schemaName, field);
    expect(def?.enum, `${schemaName}.${field} has an enum`).toBeDefined();
    expect(values.filter((v) => !def?.enum?.includes(v))).toEqual([]);
  });

  it('the int64 and timestamp fields are the ones the discovery document types that way', () => {
    expect(propertyOf('Policy', 'version')).toMatchObject({ type: 'string', format: 'int64' });
    expect(propertyOf('Device', 'appliedPolicyVersion')).toMatchObject({ type: 'string', format: 'int64' });
    expect(propertyOf('KeyedAppState', 'createTime')).toMatchObject({ format: 'google-datetime' });
    expect(propertyOf('EnrollmentToken', 'expirationTimestamp')).toMatchObject({ format: 'google-datetime' });
    expect(propertyOf('EnrollmentToken', 'duration')).toMatchObject({ format: 'google-duration' });
    expect(propertyOf('ApplicationPolicy', 'managedConfiguration')).toMatchObject({ type: 'object' });
    expect(propertyOf('NonComplianceDetail', 'currentValue')).toMatchObject({ type: 'any' });
  });
});
