/**
 * Gmail's managed configuration for an Exchange account (package com.google.android.gm; Google,
 * "Use Gmail to support Exchange ActiveSync", support.google.com/work/android/answer/7065453). Every
 * key Gmail is known to read is in GMAIL_KEY_TABLE; the two whose names no public source gives are
 * marked `verified: false` and named by mdmlab here and nowhere else.
 *
 * Gmail's behaviour the table encodes: activation needs email_address, exchange_host and
 * exchange_username, all non-empty; exchange_ssl_required defaults to true and
 * exchange_trust_all_certificates to false; an empty certificate alias is no alias; without a
 * password or an alias Gmail asks the user for the password (mdmlab never sends a password).
 */

import type { EmailProfileSettings } from '../../admin/email-profile-settings.js';
import { SYNC_SCHEDULE_MINUTES } from '../../admin/email-profile-settings.js';
import { keyPairAliasFor, KEYSTORE_ALIAS } from '../amapi/mdmlab-extension.js';
import {
  daysOfSyncWindow,
  emailProblem,
  hostProblem,
  nonEmptyTextProblem,
  scheduleChoice,
  scheduleChoices,
  scheduleOfChoice,
  syncWindowCode,
  type AccountIdentity,
  type AppConfigReading,
  type ManagedExchangeAccount,
} from './exchange-account.js';
import { readManagedConfiguration, type KeyTable, type ManagedConfiguration } from './value-model.js';

export const GMAIL_KEYS = {
  emailAddress: 'email_address',
  host: 'exchange_host',
  username: 'exchange_username',
  password: 'exchange_password',
  sslRequired: 'exchange_ssl_required',
  trustAllCertificates: 'exchange_trust_all_certificates',
  loginCertificateAlias: 'exchange_login_certificate_alias',
  deviceId: 'exchange_device_id',
  defaultSignature: 'default_signature',
  allowUnmanagedAccounts: 'allow_unmanaged_accounts',
  /** UNVERIFIED name: Ivanti and TinyMDM show a "Default sync window" (0–5) without its key. */
  syncWindow: 'default_sync_window',
  /** UNVERIFIED name, and no public source shows Gmail offering a schedule key: mdmlab's choice. */
  syncSchedule: 'default_sync_schedule',
} as const;

const GMAIL_SCHEDULES = scheduleChoices(SYNC_SCHEDULE_MINUTES.afwGmail ?? []);

export const GMAIL_KEY_TABLE: KeyTable = {
  [GMAIL_KEYS.emailAddress]: { spec: { type: 'string', required: true, maxLength: 254, check: emailProblem }, verified: true, description: 'Account email address' },
  [GMAIL_KEYS.host]: { spec: { type: 'string', required: true, maxLength: 260, check: hostProblem }, verified: true, description: 'Exchange host, optional :port, no scheme' },
  [GMAIL_KEYS.username]: { spec: { type: 'string', required: true, maxLength: 256, check: nonEmptyTextProblem }, verified: true, description: 'Exchange user name' },
  [GMAIL_KEYS.password]: { spec: { type: 'string', maxLength: 256 }, verified: true, description: 'Password (mdmlab never sends one)' },
  [GMAIL_KEYS.sslRequired]: { spec: { type: 'bool' }, verified: true, description: 'Use TLS (default true)' },
  [GMAIL_KEYS.trustAllCertificates]: { spec: { type: 'bool' }, verified: true, description: 'Accept any server certificate (default false)' },
  [GMAIL_KEYS.loginCertificateAlias]: {
    spec: { type: 'string', maxLength: KEYSTORE_ALIAS.maxLength, check: (v) => (KEYSTORE_ALIAS.pattern.test(v) ? undefined : `must be ${KEYSTORE_ALIAS.format}`) },
    verified: true,
    description: 'Alias of the client certificate in the work profile keystore',
  },
  [GMAIL_KEYS.deviceId]: { spec: { type: 'string', maxLength: 128 }, verified: true, description: 'EAS DeviceId for gateway correlation' },
  [GMAIL_KEYS.defaultSignature]: { spec: { type: 'string', maxLength: 1024 }, verified: true, description: 'Default signature' },
  [GMAIL_KEYS.allowUnmanagedAccounts]: { spec: { type: 'bool' }, verified: true, description: 'false: Gmail removes unmanaged accounts' },
  [GMAIL_KEYS.syncWindow]: { spec: { type: 'integer', min: 0, max: 5 }, verified: false, description: 'Sync window 0 all, 1 day, 3 days, 1 week, 2 weeks, 1 month' },
  [GMAIL_KEYS.syncSchedule]: { spec: { type: 'choice', values: GMAIL_SCHEDULES }, verified: false, description: 'push, manual, or minutes' },
};

/**
 * The keys whose change makes Gmail remove the managed account and create it again (Gmail compares
 * its cached configuration; newer builds also the certificate alias). Other keys change in place.
 */
export const GMAIL_ACCOUNT_DEFINING_KEYS: readonly string[] = [
  GMAIL_KEYS.emailAddress,
  GMAIL_KEYS.host,
  GMAIL_KEYS.username,
  GMAIL_KEYS.deviceId,
  GMAIL_KEYS.sslRequired,
  GMAIL_KEYS.trustAllCertificates,
  GMAIL_KEYS.loginCertificateAlias,
];

/**
 * An afwGmail profile's configuration for one user's device. No password (the user types it), no
 * trust-all, the identity's alias when the profile authenticates with a certificate.
 */
export function buildGmailConfiguration(settings: EmailProfileSettings, identity: AccountIdentity): ManagedConfiguration {
  const config: ManagedConfiguration = {
    [GMAIL_KEYS.emailAddress]: identity.email,
    [GMAIL_KEYS.host]: settings.host,
    [GMAIL_KEYS.username]: identity.username,
    [GMAIL_KEYS.sslRequired]: settings.useSsl,
    [GMAIL_KEYS.trustAllCertificates]: false,
  };
  if (settings.authMethod === 'certificate') {
    if (!settings.identityCertificateProfileId) throw new RangeError('a certificate profile needs identityCertificateProfileId');
    config[GMAIL_KEYS.loginCertificateAlias] = keyPairAliasFor(settings.identityCertificateProfileId);
  }
  config[GMAIL_KEYS.syncWindow] = syncWindowCode(settings.daysToSync);
  if (settings.syncSchedule !== undefined) config[GMAIL_KEYS.syncSchedule] = scheduleChoice(settings.syncSchedule);
  return config;
}

/**
 * Gmail reading its configuration on the device. With a required key missing or unusable there is no
 * account; an optional key that is unusable falls back to Gmail's default. Either way the problem is
 * listed, for the device to report as INVALID_VALUE.
 */
export function readGmailConfiguration(config: unknown): AppConfigReading {
  const { values, problems } = readManagedConfiguration(GMAIL_KEY_TABLE, config);
  const email = values[GMAIL_KEYS.emailAddress];
  const host = values[GMAIL_KEYS.host];
  const username = values[GMAIL_KEYS.username];
  if (typeof email !== 'string' || typeof host !== 'string' || typeof username !== 'string') return { problems };
  const alias = values[GMAIL_KEYS.loginCertificateAlias];
  const account: ManagedExchangeAccount = {
    email,
    host,
    username,
    useSsl: values[GMAIL_KEYS.sslRequired] !== false,
    trustAllCertificates: values[GMAIL_KEYS.trustAllCertificates] === true,
    authMethod: typeof alias === 'string' ? 'certificate' : 'password',
  };
  if (typeof alias === 'string') account.identityCertificateAlias = alias;
  const window = values[GMAIL_KEYS.syncWindow];
  const days = typeof window === 'number' ? daysOfSyncWindow(window) : undefined;
  if (days !== undefined) account.daysToSync = days;
  const schedule = values[GMAIL_KEYS.syncSchedule];
  const syncSchedule = typeof schedule === 'string' ? scheduleOfChoice(schedule) : undefined;
  if (syncSchedule !== undefined) account.syncSchedule = syncSchedule;
  return { account, problems };
}
