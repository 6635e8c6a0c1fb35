import type { EmailProfilePlatform } from './platforms.js';
import { EMAIL_PROFILE_PLATFORMS } from './platforms.js';
import type { Schema } from './schema.js';

/**
 * The settings table of docs/email-profiles.md ("Settings", generated from this file) as data: which platforms have a setting, and
 * which values each platform's client offers. Everything that validates or documents email
 * profiles (admin API, openapi.json, scenario files) reads this one table.
 */

export type ContentType = 'email' | 'contacts' | 'calendar' | 'tasks' | 'notes';
export type DaysToSync = number | 'unlimited';
export type SyncSchedule = 'asMessagesArrive' | 'manual' | number;

/** Settings of an email profile as the admin API speaks them (flat, as in docs/scenarios.md `createEmailProfile`). */
export interface EmailProfileSettings {
  name: string;
  description?: string;
  host: string;
  accountName: string;
  usernameSource: 'username' | 'userPrincipalName';
  emailSource: 'primarySmtpAddress' | 'userPrincipalName';
  authMethod?: 'password' | 'certificate';
  identityCertificateProfileId?: string;
  useSmime?: boolean;
  signingCertificateProfileId?: string;
  daysToSync: DaysToSync;
  syncSchedule?: SyncSchedule;
  useSsl: boolean;
  contentTypes?: ContentType[];
  allowSendFromThirdPartyApps?: boolean;
}

export type EmailProfileSettingKey = keyof EmailProfileSettings;

const ALL = EMAIL_PROFILE_PLATFORMS;
const CERT_AUTH: readonly EmailProfilePlatform[] = ['afwGmail', 'afwNineWork', 'samsungKnox', 'ios'];
const SMIME: readonly EmailProfilePlatform[] = ['samsungKnox', 'ios'];
const SCHEDULED: readonly EmailProfilePlatform[] = ['afwGmail', 'afwNineWork', 'samsungKnox', 'windowsPhone81', 'windows10'];

/**
 * Values each client offers. Days: iOS MailNumberOfPastDaysToSync 1,3,7,14,31 / 0 (Apple YAML
 * mdm/profiles/com.apple.eas.account.yaml); Windows MailAgeFilter 1 day … 3 months / all (Microsoft
 * Learn, "ActiveSync CSP", Options/MailAgeFilter; Windows Phone 8.1 lacks 1 day and 3 months in the
 * 2017 revision of that page); KNOX setPastDaysToSync 1–6 (Samsung Knox SDK reference,
 * ExchangeAccountPolicy) and Gmail's sync window 0–5 (Microsoft Graph
 * androidWorkProfileGmailEasConfiguration.durationOfEmailToSync: oneDay … oneMonth, unlimited) map to
 * 1,3,7,14,30 / all. Schedules in minutes: Windows Options/Schedule 15/30/60, KNOX offPeak 5…720
 * (Samsung Knox SDK reference, ExchangeAccount), Gmail and Nine Work 15/30/60.
 */
export const DAYS_TO_SYNC: Readonly<Record<EmailProfilePlatform, readonly DaysToSync[]>> = {
  ios: [1, 3, 7, 14, 31, 'unlimited'],
  windowsPhone81: [3, 7, 14, 30, 'unlimited'],
  windows10: [1, 3, 7, 14, 30, 90, 'unlimited'],
  samsungKnox: [1, 3, 7, 14, 30, 'unlimited'],
  afwGmail: [1, 3, 7, 14, 30, 'unlimited'],
  afwNineWork: [1, 3, 7, 14, 30, 'unlimited'],
};

export const SYNC_SCHEDULE_MINUTES: Readonly<Partial<Record<EmailProfilePlatform, readonly number[]>>> = {
  windowsPhone81: [15, 30, 60],
  windows10: [15, 30, 60],
  samsungKnox: [5, 10, 15, 30, 60, 240, 720],
  afwGmail: [15, 30, 60],
  afwNineWork: [15, 30, 60],
};

export const CONTENT_TYPES: Readonly<Partial<Record<EmailProfilePlatform, readonly ContentType[]>>> = {
  ios: ['email', 'contacts', 'calendar', 'tasks', 'notes'],
  windowsPhone81: ['email', 'contacts', 'calendar', 'tasks'],
  windows10: ['email', 'contacts', 'calendar', 'tasks'],
  samsungKnox: ['email', 'contacts', 'calendar', 'tasks', 'notes'],
  afwNineWork: ['email', 'contacts', 'calendar', 'tasks'],
};

interface SettingRule {
  platforms: readonly EmailProfilePlatform[];
  required?: boolean;
  /** Value used when a create request leaves the setting out (only for platforms that have it). */
  default?: (p: EmailProfilePlatform) => unknown;
  schema: (p: EmailProfilePlatform) => Schema;
  description: string;
}

const str = (max: number, description: string): Schema => ({ type: 'string', minLength: 1, maxLength: max, description });

/** Host name or IPv4 address, optional port; no scheme (Gmail and iOS both want a bare host). */
export const HOST_PATTERN = '^(?=.{1,253}(:|$))[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?::[0-9]{1,5})?$';

export const EMAIL_PROFILE_SETTINGS: Readonly<Record<EmailProfileSettingKey, SettingRule>> = {
  name: { platforms: ALL, required: true, schema: () => str(128, 'unique name'), description: 'Name, unique among email profiles' },
  description: { platforms: ALL, schema: () => ({ type: 'string', maxLength: 1024, nullable: true }), description: 'Free text' },
  host: {
    platforms: ALL,
    required: true,
    schema: () => ({ type: 'string', pattern: HOST_PATTERN, format: 'host name', description: 'Exchange server host name' }),
    description: 'Host name of the Exchange server; cannot change once deployed',
  },
  accountName: { platforms: ALL, required: true, schema: () => str(128, 'display name on the device'), description: 'Display name of the account on the device' },
  usernameSource: {
    platforms: ALL,
    default: () => 'userPrincipalName',
    schema: () => ({ type: 'string', enum: ['username', 'userPrincipalName'] }),
    description: 'username (on-premises Exchange) or userPrincipalName (Office 365)',
  },
  emailSource: {
    platforms: ALL,
    default: () => 'primarySmtpAddress',
    schema: () => ({ type: 'string', enum: ['primarySmtpAddress', 'userPrincipalName'] }),
    description: 'Which user attribute becomes the address; cannot change once deployed',
  },
  authMethod: {
    platforms: CERT_AUTH,
    default: () => 'password',
    schema: () => ({ type: 'string', enum: ['password', 'certificate'] }),
    description: 'password or certificate (identity certificate from a SCEP certificate profile)',
  },
  identityCertificateProfileId: {
    platforms: CERT_AUTH,
    schema: () => ({ type: 'string', minLength: 1, nullable: true }),
    description: 'SCEP certificate profile of the same platform; required exactly when authMethod is certificate',
  },
  useSmime: { platforms: SMIME, default: () => false, schema: () => ({ type: 'boolean' }), description: 'Sign outgoing mail with S/MIME' },
  signingCertificateProfileId: {
    platforms: SMIME,
    schema: () => ({ type: 'string', minLength: 1, nullable: true }),
    description: 'SCEP certificate profile of the same platform; required exactly when useSmime is true',
  },
  daysToSync: {
    platforms: ALL,
    default: () => 7,
    schema: (p) => daysSchema(p),
    description: 'Days of email to sync, or unlimited; each platform accepts the values its client offers',
  },
  syncSchedule: {
    platforms: SCHEDULED,
    default: () => 'asMessagesArrive',
    schema: (p) => ({
      oneOf: [
        { type: 'string', enum: ['asMessagesArrive', 'manual'] },
        { type: 'integer', enum: SYNC_SCHEDULE_MINUTES[p] ?? [] },
      ],
    }),
    description: 'asMessagesArrive, manual, or a number of minutes the platform offers',
  },
  useSsl: { platforms: ALL, default: () => true, schema: () => ({ type: 'boolean' }), description: 'Use SSL' },
  contentTypes: {
    platforms: ALL.filter((p) => p !== 'afwGmail'),
    default: (p) => [...(CONTENT_TYPES[p] ?? [])],
    schema: (p) => ({ type: 'array', uniqueItems: true, items: { type: 'string', enum: CONTENT_TYPES[p] ?? [] } }),
    description: 'Content types to sync (a subset of what the platform syncs)',
  },
  allowSendFromThirdPartyApps: {
    platforms: ['ios'],
    default: () => true,
    schema: () => ({ type: 'boolean' }),
    description: 'Let other apps send mail through this account',
  },
};

function daysSchema(p: EmailProfilePlatform): Schema {
  const days = DAYS_TO_SYNC[p].filter((d): d is number => typeof d === 'number');
  return { oneOf: [{ type: 'integer', enum: days }, { type: 'string', enum: ['unlimited'] }] };
}

export function platformHasSetting(platform: EmailProfilePlatform, key: string): boolean {
  const rule = (EMAIL_PROFILE_SETTINGS as Record<string, SettingRule | undefined>)[key];
  return rule !== undefined && rule.platforms.includes(platform);
}

/** The settings that must never change once a profile has been deployed (docs/email-profiles.md, "Rules the server enforces"). */
export const IMMUTABLE_ONCE_DEPLOYED: readonly EmailProfileSettingKey[] = ['host', 'emailSource'];
