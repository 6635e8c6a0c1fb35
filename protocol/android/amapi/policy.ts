/**
 * The device's policy, in the Android Management API's `Policy` shape (discovery document schemas
 * Policy, ApplicationPolicy, StatusReportingSettings;
 * https://developers.google.com/android/management/reference/rest/v1/enterprises.policies). mdmlab
 * serves it itself: the device pulls it, applies it and reports in the `Device` shape.
 *
 * Only the subset mdmlab uses is accepted, and strictly: an unknown field is an error naming its
 * path. `managedConfiguration` is the app's business (AMAPI: "each field name … must match the key
 * field of the ManagedProperty"): here it only has to be a bounded JSON object, and the app on the
 * device type-checks it (protocol/android/managed-config), so a value of the wrong type becomes an
 * INVALID_VALUE non-compliance instead of an unreadable policy.
 */

import { toResult, AndroidProtocolError, type DecodeResult } from '../errors.js';
import { FieldReader, jsonPath, parseJsonDocument, withoutUndefined, type JsonLimits, type JsonObject, type JsonValue } from '../json.js';
import { INSTALL_TYPES, PERMISSION_POLICIES, type InstallType, type PermissionPolicy } from './enums.js';
import {
  decodeMdmlabPolicyExtension,
  MDMLAB_EXTENSION_FIELD,
  mdmlabPolicyExtensionJson,
  type MdmlabPolicyExtension,
} from './mdmlab-extension.js';
import { PACKAGE_NAME, readInt64String, readResourceName } from './values.js';

export interface ApplicationPolicy {
  packageName: string;
  installType?: InstallType;
  /** The app's managed configuration (free-form JSON object, typed by the app's restriction schema). */
  managedConfiguration?: JsonObject;
  defaultPermissionPolicy?: PermissionPolicy;
}

/** StatusReportingSettings: which parts of the Device report the device sends. */
export interface StatusReportingSettings {
  applicationReportsEnabled?: boolean;
  deviceSettingsEnabled?: boolean;
  softwareInfoEnabled?: boolean;
  memoryInfoEnabled?: boolean;
  networkInfoEnabled?: boolean;
  displayInfoEnabled?: boolean;
  powerManagementEventsEnabled?: boolean;
  hardwareStatusEnabled?: boolean;
  systemPropertiesEnabled?: boolean;
  commonCriteriaModeEnabled?: boolean;
}

export interface Policy {
  /** `enterprises/{enterpriseId}/policies/{policyId}`. */
  name: string;
  /** int64 as a decimal string; AMAPI: "The version of the policy… incremented each time the policy is updated". */
  version: string;
  applications?: ApplicationPolicy[];
  statusReportingSettings?: StatusReportingSettings;
  /** mdmlab's extension (Knox accounts, certificates): see mdmlab-extension.ts. */
  mdmlab?: MdmlabPolicyExtension;
}

export const POLICY_FIELDS = ['name', 'version', 'applications', 'statusReportingSettings', MDMLAB_EXTENSION_FIELD] as const;
export const APPLICATION_POLICY_FIELDS = ['packageName', 'installType', 'managedConfiguration', 'defaultPermissionPolicy'] as const;
export const STATUS_REPORTING_SETTINGS_FIELDS = [
  'applicationReportsEnabled',
  'deviceSettingsEnabled',
  'softwareInfoEnabled',
  'memoryInfoEnabled',
  'networkInfoEnabled',
  'displayInfoEnabled',
  'powerManagementEventsEnabled',
  'hardwareStatusEnabled',
  'systemPropertiesEnabled',
  'commonCriteriaModeEnabled',
] as const;

export const POLICY_LIMITS = {
  /** Key pairs (PKCS#12) make a Knox or certificate-authentication policy a few tens of KiB. */
  maxBytes: 1024 * 1024,
  maxDepth: 32,
  /** AMAPI allows 3,000 applications; a mail lab needs a handful. */
  applications: 500,
  /** Top-level keys of one managed configuration. */
  managedConfigurationKeys: 256,
} as const;

export interface DecodePolicyOptions {
  limits?: Partial<JsonLimits>;
}

/** Decode a policy document (device side, and the server's own round-trip tests). */
export function decodePolicy(body: string | Uint8Array, opts: DecodePolicyOptions = {}): DecodeResult<Policy> {
  return toResult(() => {
    const doc = parseJsonDocument(body, {
      maxBytes: opts.limits?.maxBytes ?? POLICY_LIMITS.maxBytes,
      maxDepth: opts.limits?.maxDepth ?? POLICY_LIMITS.maxDepth,
    });
    return readPolicy(doc, '');
  });
}

export function readPolicy(value: JsonValue, path: string): Policy {
  const r = new FieldReader(value, path, POLICY_FIELDS);
  const policy: Policy = {
    name: r.custom('name', (v, p) => readResourceName(v, p, 'policies')),
    version: r.custom('version', readInt64String),
  };
  const apps = r.optArray('applications', POLICY_LIMITS.applications, readApplicationPolicy);
  if (apps) policy.applications = uniquePackages(apps, r.at('applications'));
  const status = r.optCustom('statusReportingSettings', readStatusReportingSettings);
  if (status) policy.statusReportingSettings = status;
  const ext = r.optCustom(MDMLAB_EXTENSION_FIELD, decodeMdmlabPolicyExtension);
  if (ext) policy.mdmlab = ext;
  return policy;
}

function readApplicationPolicy(value: JsonValue, path: string): ApplicationPolicy {
  const r = new FieldReader(value, path, APPLICATION_POLICY_FIELDS);
  const app: ApplicationPolicy = { packageName: r.string('packageName', PACKAGE_NAME) };
  const installType = r.optEnum('installType', INSTALL_TYPES);
  if (installType) app.installType = installType;
  const config = r.optObject('managedConfiguration');
  if (config) {
    const keys = Object.keys(config).length;
    if (keys > POLICY_LIMITS.managedConfigurationKeys) {
      throw new AndroidProtocolError(
        'tooMany',
        r.at('managedConfiguration'),
        `${r.at('managedConfiguration')} has ${keys} keys; at most ${POLICY_LIMITS.managedConfigurationKeys} are accepted`,
      );
    }
    app.managedConfiguration = config;
  }
  const permission = r.optEnum('defaultPermissionPolicy', PERMISSION_POLICIES);
  if (permission) app.defaultPermissionPolicy = permission;
  return app;
}

/** AMAPI refuses two ApplicationPolicy entries for one package: one app, one managed configuration. */
function uniquePackages(apps: ApplicationPolicy[], path: string): ApplicationPolicy[] {
  const seen = new Set<string>();
  apps.forEach((app, i) => {
    if (seen.has(app.packageName)) {
      throw new AndroidProtocolError('invalidValue', jsonPath(jsonPath(path, i), 'packageName'), `package ${app.packageName} appears twice in ${path}`);
    }
    seen.add(app.packageName);
  });
  return apps;
}

function readStatusReportingSettings(value: JsonValue, path: string): StatusReportingSettings {
  const r = new FieldReader(value, path, STATUS_REPORTING_SETTINGS_FIELDS);
  const out: StatusReportingSettings = {};
  for (const key of STATUS_REPORTING_SETTINGS_FIELDS) {
    const v = r.optBoolean(key);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** The policy as a JSON object, fields in a fixed order (equal policies encode to equal bytes, so ETags are stable). */
export function policyJson(policy: Policy): JsonObject {
  const out: JsonObject = { name: policy.name, version: policy.version };
  if (policy.applications) {
    out.applications = policy.applications.map((a) =>
      withoutUndefined({
        packageName: a.packageName,
        installType: a.installType,
        managedConfiguration: a.managedConfiguration,
        defaultPermissionPolicy: a.defaultPermissionPolicy,
      }),
    );
  }
  if (policy.statusReportingSettings) {
    const s: JsonObject = {};
    for (const key of STATUS_REPORTING_SETTINGS_FIELDS) {
      const v = policy.statusReportingSettings[key];
      if (v !== undefined) s[key] = v;
    }
    out.statusReportingSettings = s;
  }
  if (policy.mdmlab) out[MDMLAB_EXTENSION_FIELD] = mdmlabPolicyExtensionJson(policy.mdmlab);
  return out;
}

export function encodePolicy(policy: Policy): string {
  return JSON.stringify(policyJson(policy));
}

/** The application policy of a package, if the policy has one. */
export function applicationPolicyFor(policy: Policy, packageName: string): { index: number; app: ApplicationPolicy } | undefined {
  const index = policy.applications?.findIndex((a) => a.packageName === packageName) ?? -1;
  return index < 0 ? undefined : { index, app: (policy.applications as ApplicationPolicy[])[index] as ApplicationPolicy };
}
