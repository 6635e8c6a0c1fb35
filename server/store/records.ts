import type { EmailProfileDefinition } from '../../protocol/admin/email-profile-validation.js';
import type { CertificateProfileKind, DevicePlatform } from '../../protocol/admin/platforms.js';

/** Rows the store keeps, in domain terms. Timestamps are ISO-8601 strings (UTC). */

export interface UserRecord {
  id: string;
  upn: string;
  primarySmtp: string;
  username: string;
  createdAt: string;
}

export interface GroupRecord {
  id: string;
  name: string;
  description?: string;
  createdAt: string;
}

export type MemberKind = 'user' | 'device';
export interface GroupMember {
  kind: MemberKind;
  id: string;
}

export interface ScepSettings {
  /** X.500 subject the device puts in its request, with `{{upn}}`, `{{email}}`, `{{deviceId}}` variables. */
  subject: string;
  keySize: 1024 | 2048 | 4096;
  validityDays: number;
}

export interface CertificateProfileRecord {
  id: string;
  name: string;
  kind: CertificateProfileKind;
  platform: DevicePlatform;
  scep?: ScepSettings;
  trustedRoot?: { pem: string; fingerprintSha256: string; subject: string };
  createdAt: string;
  updatedAt: string;
}

export interface EmailProfileRecord {
  id: string;
  definition: EmailProfileDefinition;
  /** Grows with every edit, so a device can be told a newer version of the same profile. */
  version: number;
  /** Once true never false again: host and email source are then frozen (EMAIL-PROFILES.md). */
  everDeployed: boolean;
  createdAt: string;
  updatedAt: string;
}

export type EnrollmentStatus = 'enrolled' | 'unenrolled';

export interface DeviceRecord {
  id: string;
  platform: DevicePlatform;
  /** The platform's own identifier: Apple UDID, Windows DeviceID, Android device id. */
  hardwareId: string;
  userId?: string;
  name?: string;
  model?: string;
  osVersion?: string;
  serialNumber?: string;
  status: EnrollmentStatus;
  enrolledAt: string;
  unenrolledAt?: string;
  lastSeenAt?: string;
}

/** Per device and profile, as SCENARIOS.md lists them. */
export const PROFILE_STATES = ['pending', 'installed', 'blocked', 'failed', 'waitingForApp', 'notApplicable', 'removed'] as const;
export type ProfileState = (typeof PROFILE_STATES)[number];

export interface ProfileStateRecord {
  deviceId: string;
  profileId: string;
  state: ProfileState;
  /** Why, for failed/blocked states: the device's own words (ErrorChain, SyncML status, …). */
  detail?: string;
  /** The profile version the state refers to. */
  profileVersion: number;
  updatedAt: string;
}

export const ALERT_KINDS = ['duplicateAccount', 'conflictingProfiles', 'overlappingKnoxProfiles'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface AlertRecord {
  id: string;
  kind: AlertKind;
  deviceId?: string;
  profileId?: string;
  message: string;
  details: Record<string, unknown>;
  createdAt: string;
  resolvedAt?: string;
}
