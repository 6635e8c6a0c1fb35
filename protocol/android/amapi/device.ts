/**
 * The device's status report, in the Android Management API's `Device` shape (discovery document
 * schema Device; https://developers.google.com/android/management/reference/rest/v1/enterprises.devices).
 * With AMAPI, Android Device Policy sends it to Google; here the device sends it to mdmlab, and the
 * profile states follow from it: `appliedPolicyVersion`, `applicationReports[].keyedAppStates`,
 * `nonComplianceDetails[]` (APP_NOT_INSTALLED → waitingForApp, INVALID_VALUE, PENDING).
 *
 * Strict: unknown fields are bad input (a report with fields we do not know is refused, not half read), and so are wrong
 * types, oversized documents and deep nesting. Whether the report is about the device that sent it,
 * and whether its policy version exists, the server decides.
 */

import { toResult, type DecodeResult } from '../errors.js';
import { FieldReader, parseJsonDocument, withoutUndefined, type JsonLimits, type JsonObject, type JsonValue } from '../json.js';
import {
  applicationReportJson,
  hardwareInfoJson,
  nonComplianceDetailJson,
  readApplicationReport,
  readHardwareInfo,
  readNonComplianceDetail,
  readSoftwareInfo,
  softwareInfoJson,
  type ApplicationReport,
  type HardwareInfo,
  type NonComplianceDetail,
  type SoftwareInfo,
} from './device-parts.js';
import { DEVICE_STATES, MANAGEMENT_MODES, OWNERSHIPS, type DeviceState, type ManagementMode, type Ownership } from './enums.js';
import { MDMLAB_EXTENSION_FIELD } from './mdmlab-extension.js';
import { readInt64String, readResourceName, readTimestamp } from './values.js';

/** What the device says about itself outside AMAPI (under the vendor field `mdmlab`). */
export interface MdmlabDeviceExtension {
  /** Samsung Knox version, e.g. `3.2.1` (Knox Standard devices only). */
  knoxVersion?: string;
  /** Knox API level (Knox 3.2.1 is API 27, where ExchangeAccountPolicy was deprecated). */
  knoxApiLevel?: number;
  /** The push gateway token the device listens on (the FCM registration token's role). */
  pushToken?: string;
}

export interface DeviceReport {
  /** `enterprises/{enterpriseId}/devices/{deviceId}`, once the server has named the device. */
  name?: string;
  managementMode: ManagementMode;
  state?: DeviceState;
  appliedState?: DeviceState;
  ownership?: Ownership;
  apiLevel?: number;
  appliedPolicyName?: string;
  /** int64 as a decimal string: the Policy.version the device applied. */
  appliedPolicyVersion?: string;
  policyCompliant?: boolean;
  nonComplianceDetails?: NonComplianceDetail[];
  applicationReports?: ApplicationReport[];
  hardwareInfo?: HardwareInfo;
  softwareInfo?: SoftwareInfo;
  lastPolicySyncTime?: string;
  lastStatusReportTime?: string;
  mdmlab?: MdmlabDeviceExtension;
}

export const DEVICE_REPORT_FIELDS = [
  'name',
  'managementMode',
  'state',
  'appliedState',
  'ownership',
  'apiLevel',
  'appliedPolicyName',
  'appliedPolicyVersion',
  'policyCompliant',
  'nonComplianceDetails',
  'applicationReports',
  'hardwareInfo',
  'softwareInfo',
  'lastPolicySyncTime',
  'lastStatusReportTime',
  MDMLAB_EXTENSION_FIELD,
] as const;

export const MDMLAB_DEVICE_EXTENSION_FIELDS = ['knoxVersion', 'knoxApiLevel', 'pushToken'] as const;

export const DEVICE_REPORT_LIMITS = {
  maxBytes: 256 * 1024,
  /** currentValue may hold a managed-configuration value: bundles nest. */
  maxDepth: 24,
  nonComplianceDetails: 200,
  applicationReports: 500,
} as const;

const KNOX_VERSION = { maxLength: 16, minLength: 1, pattern: /^\d{1,3}(\.\d{1,3}){0,3}$/, format: 'a version such as 3.2.1' };
const PUSH_TOKEN = { maxLength: 256, minLength: 1, pattern: /^[A-Za-z0-9._:-]+$/, format: 'a push token' };

export interface DecodeDeviceReportOptions {
  limits?: Partial<JsonLimits>;
}

export function decodeDeviceReport(body: string | Uint8Array, opts: DecodeDeviceReportOptions = {}): DecodeResult<DeviceReport> {
  return toResult(() => {
    const doc = parseJsonDocument(body, {
      maxBytes: opts.limits?.maxBytes ?? DEVICE_REPORT_LIMITS.maxBytes,
      maxDepth: opts.limits?.maxDepth ?? DEVICE_REPORT_LIMITS.maxDepth,
    });
    return readDeviceReport(doc, '');
  });
}

export function readDeviceReport(value: JsonValue, path: string): DeviceReport {
  const r = new FieldReader(value, path, DEVICE_REPORT_FIELDS);
  const d: DeviceReport = { managementMode: r.enumValue('managementMode', MANAGEMENT_MODES) };
  const name = r.optCustom('name', (v, p) => readResourceName(v, p, 'devices'));
  if (name !== undefined) d.name = name;
  const state = r.optEnum('state', DEVICE_STATES);
  if (state) d.state = state;
  const appliedState = r.optEnum('appliedState', DEVICE_STATES);
  if (appliedState) d.appliedState = appliedState;
  const ownership = r.optEnum('ownership', OWNERSHIPS);
  if (ownership) d.ownership = ownership;
  const apiLevel = r.optInteger('apiLevel', 1, 1000);
  if (apiLevel !== undefined) d.apiLevel = apiLevel;
  const appliedPolicyName = r.optCustom('appliedPolicyName', (v, p) => readResourceName(v, p, 'policies'));
  if (appliedPolicyName !== undefined) d.appliedPolicyName = appliedPolicyName;
  const appliedPolicyVersion = r.optCustom('appliedPolicyVersion', readInt64String);
  if (appliedPolicyVersion !== undefined) d.appliedPolicyVersion = appliedPolicyVersion;
  const compliant = r.optBoolean('policyCompliant');
  if (compliant !== undefined) d.policyCompliant = compliant;
  const details = r.optArray('nonComplianceDetails', DEVICE_REPORT_LIMITS.nonComplianceDetails, readNonComplianceDetail);
  if (details) d.nonComplianceDetails = details;
  const apps = r.optArray('applicationReports', DEVICE_REPORT_LIMITS.applicationReports, readApplicationReport);
  if (apps) d.applicationReports = apps;
  const hardware = r.optCustom('hardwareInfo', readHardwareInfo);
  if (hardware) d.hardwareInfo = hardware;
  const software = r.optCustom('softwareInfo', readSoftwareInfo);
  if (software) d.softwareInfo = software;
  const synced = r.optCustom('lastPolicySyncTime', readTimestamp);
  if (synced !== undefined) d.lastPolicySyncTime = synced;
  const reported = r.optCustom('lastStatusReportTime', readTimestamp);
  if (reported !== undefined) d.lastStatusReportTime = reported;
  const ext = r.optCustom(MDMLAB_EXTENSION_FIELD, readMdmlabDeviceExtension);
  if (ext) d.mdmlab = ext;
  return d;
}

function readMdmlabDeviceExtension(value: JsonValue, path: string): MdmlabDeviceExtension {
  const r = new FieldReader(value, path, MDMLAB_DEVICE_EXTENSION_FIELDS);
  const out: MdmlabDeviceExtension = {};
  const version = r.optString('knoxVersion', KNOX_VERSION);
  if (version !== undefined) out.knoxVersion = version;
  const level = r.optInteger('knoxApiLevel', 1, 1000);
  if (level !== undefined) out.knoxApiLevel = level;
  const token = r.optString('pushToken', PUSH_TOKEN);
  if (token !== undefined) out.pushToken = token;
  return out;
}

/** The report as a JSON object, fields in a fixed order. */
export function deviceReportJson(d: DeviceReport): JsonObject {
  return withoutUndefined({
    name: d.name,
    managementMode: d.managementMode,
    state: d.state,
    appliedState: d.appliedState,
    ownership: d.ownership,
    apiLevel: d.apiLevel,
    appliedPolicyName: d.appliedPolicyName,
    appliedPolicyVersion: d.appliedPolicyVersion,
    policyCompliant: d.policyCompliant,
    nonComplianceDetails: d.nonComplianceDetails?.map(nonComplianceDetailJson),
    applicationReports: d.applicationReports?.map(applicationReportJson),
    hardwareInfo: d.hardwareInfo && hardwareInfoJson(d.hardwareInfo),
    softwareInfo: d.softwareInfo && softwareInfoJson(d.softwareInfo),
    lastPolicySyncTime: d.lastPolicySyncTime,
    lastStatusReportTime: d.lastStatusReportTime,
    [MDMLAB_EXTENSION_FIELD]: d.mdmlab && withoutUndefined({ knoxVersion: d.mdmlab.knoxVersion, knoxApiLevel: d.mdmlab.knoxApiLevel, pushToken: d.mdmlab.pushToken }),
  });
}

export function encodeDeviceReport(d: DeviceReport): string {
  return JSON.stringify(deviceReportJson(d));
}
