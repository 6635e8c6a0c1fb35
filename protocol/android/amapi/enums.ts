/**
 * The enum values mdmlab uses from the Android Management API (discovery document
 * androidmanagement v1, https://developers.google.com/android/management/reference/rest). Each list
 * is a subset of the schema's enum of the same name — test/protocol/android/amapi/discovery
 * -conformance.test.ts checks that against the discovery document — and leaves out the
 * `…_UNSPECIFIED` values: a document of ours always says what it means.
 */

/** ApplicationPolicy.installType (KIOSK is not modelled: mdmlab devices have no kiosk mode). */
export const INSTALL_TYPES = ['PREINSTALLED', 'FORCE_INSTALLED', 'BLOCKED', 'AVAILABLE', 'REQUIRED_FOR_SETUP'] as const;
export type InstallType = (typeof INSTALL_TYPES)[number];

/** ApplicationPolicy.defaultPermissionPolicy. */
export const PERMISSION_POLICIES = ['PROMPT', 'GRANT', 'DENY'] as const;
export type PermissionPolicy = (typeof PERMISSION_POLICIES)[number];

/** Device.managementMode: a work profile is PROFILE_OWNER, a fully managed (or Knox device-admin) device DEVICE_OWNER. */
export const MANAGEMENT_MODES = ['DEVICE_OWNER', 'PROFILE_OWNER'] as const;
export type ManagementMode = (typeof MANAGEMENT_MODES)[number];

/** Device.state and Device.appliedState. */
export const DEVICE_STATES = ['ACTIVE', 'DISABLED', 'DELETED', 'PROVISIONING'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

/** Device.ownership. */
export const OWNERSHIPS = ['COMPANY_OWNED', 'PERSONALLY_OWNED'] as const;
export type Ownership = (typeof OWNERSHIPS)[number];

/**
 * NonComplianceDetail.nonComplianceReason. APP_NOT_INSTALLED is what makes an Android for Work
 * profile `waitingForApp`; INVALID_VALUE what a managed configuration of the wrong type gives;
 * PENDING a setting not applied yet.
 */
export const NON_COMPLIANCE_REASONS = [
  'API_LEVEL',
  'MANAGEMENT_MODE',
  'USER_ACTION',
  'INVALID_VALUE',
  'APP_NOT_INSTALLED',
  'UNSUPPORTED',
  'APP_INSTALLED',
  'PENDING',
  'APP_INCOMPATIBLE',
  'APP_NOT_UPDATED',
] as const;
export type NonComplianceReason = (typeof NON_COMPLIANCE_REASONS)[number];

/** NonComplianceDetail.installationFailureReason. */
export const INSTALLATION_FAILURE_REASONS = [
  'INSTALLATION_FAILURE_REASON_UNKNOWN',
  'IN_PROGRESS',
  'NOT_FOUND',
  'NOT_COMPATIBLE_WITH_DEVICE',
  'NOT_APPROVED',
  'PERMISSIONS_NOT_ACCEPTED',
  'NOT_AVAILABLE_IN_COUNTRY',
  'NO_LICENSES_REMAINING',
  'NOT_ENROLLED',
  'USER_INVALID',
] as const;
export type InstallationFailureReason = (typeof INSTALLATION_FAILURE_REASONS)[number];

/** ApplicationReport.state. */
export const APPLICATION_STATES = ['INSTALLED', 'REMOVED'] as const;
export type ApplicationState = (typeof APPLICATION_STATES)[number];

/** KeyedAppState.severity. */
export const KEYED_APP_STATE_SEVERITIES = ['INFO', 'ERROR'] as const;
export type KeyedAppStateSeverity = (typeof KEYED_APP_STATE_SEVERITIES)[number];

/** EnrollmentToken.allowPersonalUsage. */
export const PERSONAL_USAGE_VALUES = ['PERSONAL_USAGE_ALLOWED', 'PERSONAL_USAGE_DISALLOWED'] as const;
export type PersonalUsage = (typeof PERSONAL_USAGE_VALUES)[number];
