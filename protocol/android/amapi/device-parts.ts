/**
 * The nested parts of a device status report, in the Android Management API's shapes (discovery
 * document schemas NonComplianceDetail, ApplicationReport, KeyedAppState, HardwareInfo,
 * SoftwareInfo; https://developers.google.com/android/management/reference/rest/v1/enterprises.devices).
 */

import { FieldReader, withoutUndefined, type JsonObject, type JsonValue } from '../json.js';
import {
  APPLICATION_STATES,
  INSTALLATION_FAILURE_REASONS,
  KEYED_APP_STATE_SEVERITIES,
  NON_COMPLIANCE_REASONS,
  type ApplicationState,
  type InstallationFailureReason,
  type KeyedAppStateSeverity,
  type NonComplianceReason,
} from './enums.js';
import { PACKAGE_NAME, readTimestamp } from './values.js';

export interface NonComplianceDetail {
  /** The JSON name of the top-level Policy field, e.g. `applications`. */
  settingName: string;
  nonComplianceReason: NonComplianceReason;
  packageName?: string;
  /** Path into the policy, e.g. `applications[0].managedConfiguration.exchange_host`. */
  fieldPath?: string;
  /** The value the device holds (any JSON; AMAPI type `any`). */
  currentValue?: JsonValue;
  installationFailureReason?: InstallationFailureReason;
}

/**
 * State an app reports about itself (AMAPI KeyedAppState, sent on Android through
 * androidx.enterprise.feedback's KeyedAppStatesReporter, whose limits the lengths follow: key 100,
 * message 1,000, data 1,000 characters).
 */
export interface KeyedAppState {
  key: string;
  severity: KeyedAppStateSeverity;
  message?: string;
  data?: string;
  createTime?: string;
  lastUpdateTime?: string;
}

export interface ApplicationReport {
  packageName: string;
  versionCode?: number;
  versionName?: string;
  state?: ApplicationState;
  keyedAppStates?: KeyedAppState[];
}

export interface HardwareInfo {
  brand?: string;
  model?: string;
  manufacturer?: string;
  serialNumber?: string;
  /** AMAPI "Name of the hardware", e.g. the board name. */
  hardware?: string;
}

export interface SoftwareInfo {
  androidVersion?: string;
  androidBuildNumber?: string;
  securityPatchLevel?: string;
  primaryLanguageCode?: string;
  deviceKernelVersion?: string;
}

export const NON_COMPLIANCE_DETAIL_FIELDS = [
  'settingName',
  'nonComplianceReason',
  'packageName',
  'fieldPath',
  'currentValue',
  'installationFailureReason',
] as const;
export const KEYED_APP_STATE_FIELDS = ['key', 'severity', 'message', 'data', 'createTime', 'lastUpdateTime'] as const;
export const APPLICATION_REPORT_FIELDS = ['packageName', 'versionCode', 'versionName', 'state', 'keyedAppStates'] as const;
export const HARDWARE_INFO_FIELDS = ['brand', 'model', 'manufacturer', 'serialNumber', 'hardware'] as const;
export const SOFTWARE_INFO_FIELDS = ['androidVersion', 'androidBuildNumber', 'securityPatchLevel', 'primaryLanguageCode', 'deviceKernelVersion'] as const;

export const KEYED_APP_STATE_LIMITS = { key: 100, message: 1000, data: 1000 } as const;
export const DEVICE_PART_LIMITS = { keyedAppStatesPerApp: 100, text: 256, fieldPath: 1024 } as const;

const text = { maxLength: DEVICE_PART_LIMITS.text };
const nonEmpty = { maxLength: DEVICE_PART_LIMITS.text, minLength: 1 };

export function readNonComplianceDetail(value: JsonValue, path: string): NonComplianceDetail {
  const r = new FieldReader(value, path, NON_COMPLIANCE_DETAIL_FIELDS);
  const d: NonComplianceDetail = {
    settingName: r.string('settingName', { maxLength: 128, minLength: 1 }),
    nonComplianceReason: r.enumValue('nonComplianceReason', NON_COMPLIANCE_REASONS),
  };
  const pkg = r.optString('packageName', PACKAGE_NAME);
  if (pkg !== undefined) d.packageName = pkg;
  const fieldPath = r.optString('fieldPath', { maxLength: DEVICE_PART_LIMITS.fieldPath, minLength: 1 });
  if (fieldPath !== undefined) d.fieldPath = fieldPath;
  if (r.has('currentValue')) d.currentValue = r.raw('currentValue') as JsonValue;
  const failure = r.optEnum('installationFailureReason', INSTALLATION_FAILURE_REASONS);
  if (failure) d.installationFailureReason = failure;
  return d;
}

export function readKeyedAppState(value: JsonValue, path: string): KeyedAppState {
  const r = new FieldReader(value, path, KEYED_APP_STATE_FIELDS);
  const s: KeyedAppState = {
    key: r.string('key', { maxLength: KEYED_APP_STATE_LIMITS.key, minLength: 1 }),
    severity: r.enumValue('severity', KEYED_APP_STATE_SEVERITIES),
  };
  const message = r.optString('message', { maxLength: KEYED_APP_STATE_LIMITS.message });
  if (message !== undefined) s.message = message;
  const data = r.optString('data', { maxLength: KEYED_APP_STATE_LIMITS.data });
  if (data !== undefined) s.data = data;
  const created = r.optCustom('createTime', readTimestamp);
  if (created !== undefined) s.createTime = created;
  const updated = r.optCustom('lastUpdateTime', readTimestamp);
  if (updated !== undefined) s.lastUpdateTime = updated;
  return s;
}

export function readApplicationReport(value: JsonValue, path: string): ApplicationReport {
  const r = new FieldReader(value, path, APPLICATION_REPORT_FIELDS);
  const a: ApplicationReport = { packageName: r.string('packageName', PACKAGE_NAME) };
  const versionCode = r.optInteger('versionCode', 0);
  if (versionCode !== undefined) a.versionCode = versionCode;
  const versionName = r.optString('versionName', text);
  if (versionName !== undefined) a.versionName = versionName;
  const state = r.optEnum('state', APPLICATION_STATES);
  if (state) a.state = state;
  const states = r.optArray('keyedAppStates', DEVICE_PART_LIMITS.keyedAppStatesPerApp, readKeyedAppState);
  if (states) a.keyedAppStates = states;
  return a;
}

function readTextFields<K extends string>(value: JsonValue, path: string, fields: readonly K[]): Partial<Record<K, string>> {
  const r = new FieldReader(value, path, fields);
  const out: Partial<Record<K, string>> = {};
  for (const key of fields) {
    const v = r.optString(key, nonEmpty);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

export function readHardwareInfo(value: JsonValue, path: string): HardwareInfo {
  return readTextFields(value, path, HARDWARE_INFO_FIELDS);
}

export function readSoftwareInfo(value: JsonValue, path: string): SoftwareInfo {
  return readTextFields(value, path, SOFTWARE_INFO_FIELDS);
}

export function nonComplianceDetailJson(d: NonComplianceDetail): JsonObject {
  return withoutUndefined({
    settingName: d.settingName,
    nonComplianceReason: d.nonComplianceReason,
    packageName: d.packageName,
    fieldPath: d.fieldPath,
    currentValue: d.currentValue,
    installationFailureReason: d.installationFailureReason,
  });
}

export function keyedAppStateJson(s: KeyedAppState): JsonObject {
  return withoutUndefined({
    key: s.key,
    severity: s.severity,
    message: s.message,
    data: s.data,
    createTime: s.createTime,
    lastUpdateTime: s.lastUpdateTime,
  });
}

export function applicationReportJson(a: ApplicationReport): JsonObject {
  return withoutUndefined({
    packageName: a.packageName,
    versionCode: a.versionCode,
    versionName: a.versionName,
    state: a.state,
    keyedAppStates: a.keyedAppStates?.map(keyedAppStateJson),
  });
}

export function hardwareInfoJson(h: HardwareInfo): JsonObject {
  return withoutUndefined({ brand: h.brand, model: h.model, manufacturer: h.manufacturer, serialNumber: h.serialNumber, hardware: h.hardware });
}

export function softwareInfoJson(s: SoftwareInfo): JsonObject {
  return withoutUndefined({
    androidVersion: s.androidVersion,
    androidBuildNumber: s.androidBuildNumber,
    securityPatchLevel: s.securityPatchLevel,
    primaryLanguageCode: s.primaryLanguageCode,
    deviceKernelVersion: s.deviceKernelVersion,
  });
}
