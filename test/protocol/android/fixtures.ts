/**
 * Shared inputs for the protocol/android tests: email profiles validated by the admin API's own
 * rules (so defaults are the real ones), and documents that use every field the codecs support.
 */

import { validateEmailProfile, type EmailProfileDefinition } from '../../../protocol/admin/email-profile-validation.js';
import type { DeviceReport } from '../../../protocol/android/amapi/device.js';
import type { EnrollmentToken } from '../../../protocol/android/amapi/enrollment-token.js';
import type { Policy } from '../../../protocol/android/amapi/policy.js';
import { GMAIL_PACKAGE, MDMLAB_DPC_PACKAGE, NINE_WORK_PACKAGE } from '../../../protocol/android/apps.js';
import { buildKnoxExchangeAccount, knoxExchangeAccountJson } from '../../../protocol/android/knox/exchange-account.js';
import { buildGmailConfiguration } from '../../../protocol/android/managed-config/gmail.js';

export const IDENTITY = { email: 'alice@contoso.com', username: 'alice@contoso.com' };

/** A profile definition through validateEmailProfile: the admin API's defaults and checks apply. */
export function profile(platform: EmailProfileDefinition['platform'], overrides: Record<string, unknown> = {}): EmailProfileDefinition {
  const result = validateEmailProfile({ platform, name: 'Corp mail', host: 'mail.contoso.com', accountName: 'Corp mail', ...overrides });
  if (!result.ok) throw new Error(`fixture profile refused: ${result.violation.field}: ${result.violation.message}`);
  return result.value;
}

export const POLICY_NAME = 'enterprises/mdmlab/policies/dev_01';
export const DEVICE_NAME = 'enterprises/mdmlab/devices/dev_01';

/** A policy with every field protocol/android reads. */
export function fullPolicy(): Policy {
  const knox = profile('samsungKnox', {
    authMethod: 'certificate',
    identityCertificateProfileId: 'crt_id',
    useSmime: true,
    signingCertificateProfileId: 'crt_sign',
    usernameSource: 'username',
  });
  return {
    name: POLICY_NAME,
    version: '42',
    applications: [
      {
        packageName: GMAIL_PACKAGE,
        installType: 'FORCE_INSTALLED',
        managedConfiguration: buildGmailConfiguration(profile('afwGmail'), IDENTITY),
        defaultPermissionPolicy: 'GRANT',
      },
      { packageName: NINE_WORK_PACKAGE, installType: 'AVAILABLE' },
      { packageName: 'com.example.blocked', installType: 'BLOCKED' },
    ],
    statusReportingSettings: {
      applicationReportsEnabled: true,
      deviceSettingsEnabled: true,
      softwareInfoEnabled: true,
      memoryInfoEnabled: false,
      networkInfoEnabled: false,
      displayInfoEnabled: false,
      powerManagementEventsEnabled: false,
      hardwareStatusEnabled: false,
      systemPropertiesEnabled: false,
      commonCriteriaModeEnabled: false,
    },
    mdmlab: {
      knoxExchangeAccounts: [knoxExchangeAccountJson(buildKnoxExchangeAccount('eml_1', knox, { email: 'alice@contoso.com', username: 'CONTOSO\\alice' }))],
      caCertificates: [{ alias: 'mdmlab-crt_root', certificate: 'MIIBAAAA' }],
      keyPairs: [{ alias: 'mdmlab-crt_id', pkcs12: 'MIIBAAAA', password: 's3cret' }],
    },
  };
}

/** A report with every field protocol/android reads. */
export function fullDeviceReport(): DeviceReport {
  return {
    name: DEVICE_NAME,
    managementMode: 'PROFILE_OWNER',
    state: 'ACTIVE',
    appliedState: 'ACTIVE',
    ownership: 'PERSONALLY_OWNED',
    apiLevel: 33,
    appliedPolicyName: POLICY_NAME,
    appliedPolicyVersion: '42',
    policyCompliant: false,
    nonComplianceDetails: [
      { settingName: 'applications', nonComplianceReason: 'APP_NOT_INSTALLED', packageName: NINE_WORK_PACKAGE, installationFailureReason: 'IN_PROGRESS' },
      {
        settingName: 'applications',
        nonComplianceReason: 'INVALID_VALUE',
        packageName: GMAIL_PACKAGE,
        fieldPath: 'applications[0].managedConfiguration.exchange_ssl_required',
        currentValue: 'yes',
      },
    ],
    applicationReports: [
      {
        packageName: GMAIL_PACKAGE,
        versionCode: 64_812,
        versionName: '2024.05.01',
        state: 'INSTALLED',
        keyedAppStates: [
          {
            key: 'exchangeAccount',
            severity: 'INFO',
            message: 'account created',
            data: 'created',
            createTime: '2024-05-01T12:00:00Z',
            lastUpdateTime: '2024-05-01T12:00:01.5Z',
          },
        ],
      },
      { packageName: MDMLAB_DPC_PACKAGE, state: 'INSTALLED' },
    ],
    hardwareInfo: { brand: 'samsung', model: 'SM-G991B', manufacturer: 'samsung', serialNumber: 'R58N12345', hardware: 'exynos2100' },
    softwareInfo: {
      androidVersion: '13',
      androidBuildNumber: 'TP1A.220624.014',
      securityPatchLevel: '2024-05-01',
      primaryLanguageCode: 'en-US',
      deviceKernelVersion: '5.4.0',
    },
    lastPolicySyncTime: '2024-05-01T12:00:00Z',
    lastStatusReportTime: '2024-05-01T12:00:02Z',
    mdmlab: { knoxVersion: '3.2.1', knoxApiLevel: 27, pushToken: 'a'.repeat(64) },
  };
}

export function fullEnrollmentToken(): EnrollmentToken {
  return {
    name: 'enterprises/mdmlab/enrollmentTokens/tok_01',
    value: 'HPPRXUJLGKQFVQRQAFQL',
    qrCode: '{"a":1}',
    expirationTimestamp: '2024-05-01T13:00:00Z',
    policyName: POLICY_NAME,
    duration: '3600s',
    oneTimeOnly: true,
    additionalData: 'usr_01',
    allowPersonalUsage: 'PERSONAL_USAGE_ALLOWED',
  };
}
