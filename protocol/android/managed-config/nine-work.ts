/**
 * Nine Work's managed configuration (package com.ninefolders.hd3.work). 9folders documents its
 * AppConfig-style keys in "How to configure App Configuration Policies"
 * (ninework-faq.9folders.com articles 15362, 15609, 15612): AppServicePublisher, AppServiceHost,
 * AppServicePort (integer, default 443), UserEmail, UserName, AppUseLoginCertificate. The same pages
 * list further settings (UseSSL, Domain, DisplayName, sync settings) only by label, so mdmlab names
 * those keys itself, here and nowhere else (`verified: false`), following Nine's pattern (App service
 * settings `AppService…`, user settings `User…`).
 *
 * 9folders: "If Type is Boolean, Value Type item should be set as String Type" — Nine reads its
 * booleans from "True"/"False" strings as well, so the boolean keys accept both forms; mdmlab sends
 * JSON booleans.
 */

import type { ContentType, EmailProfileSettings } from '../../admin/email-profile-settings.js';
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
  splitHostPort,
  syncWindowCode,
  type AccountIdentity,
  type AppConfigReading,
  type ManagedExchangeAccount,
} from './exchange-account.js';
import { readManagedConfiguration, type KeyTable, type ManagedConfiguration } from './value-model.js';

export const NINE_WORK_KEYS = {
  publisher: 'AppServicePublisher',
  host: 'AppServiceHost',
  port: 'AppServicePort',
  userEmail: 'UserEmail',
  userName: 'UserName',
  useLoginCertificate: 'AppUseLoginCertificate',
  /** UNVERIFIED name (9folders lists "UseSSL" under App service settings). */
  useSsl: 'AppServiceUseSSL',
  /** UNVERIFIED name (9folders lists "DisplayName" under User settings). */
  displayName: 'UserDisplayName',
  /** UNVERIFIED name (9folders lists "Domain" under User settings). */
  domain: 'UserDomain',
  /** UNVERIFIED, mdmlab's: which work-profile keystore alias AppUseLoginCertificate means. */
  loginCertificateAlias: 'AppLoginCertificateAlias',
  /** UNVERIFIED names (9folders: "Sync settings"); codes as Gmail's sync window, 0 all … 5 one month. */
  syncWindow: 'SyncWindow',
  syncSchedule: 'SyncSchedule',
  /** UNVERIFIED names, after Intune's Nine Work profile (syncCalendar, syncContacts, syncTasks) plus email. */
  syncEmail: 'SyncEmail',
  syncContacts: 'SyncContacts',
  syncCalendar: 'SyncCalendar',
  syncTasks: 'SyncTasks',
} as const;

/** The value of AppServicePublisher ("MDM service provider"). */
export const NINE_WORK_PUBLISHER = 'mdmlab';

const CONTENT_KEYS: readonly [ContentType, string][] = [
  ['email', NINE_WORK_KEYS.syncEmail],
  ['contacts', NINE_WORK_KEYS.syncContacts],
  ['calendar', NINE_WORK_KEYS.syncCalendar],
  ['tasks', NINE_WORK_KEYS.syncTasks],
];

const bareHost = (v: string): string | undefined => (v.includes(':') ? 'must be a host name without a port (the port is AppServicePort)' : hostProblem(v));
const flag = { type: 'bool', acceptsStringForm: true } as const;

export const NINE_WORK_KEY_TABLE: KeyTable = {
  [NINE_WORK_KEYS.publisher]: { spec: { type: 'string', required: true, maxLength: 128 }, verified: true, description: 'MDM service provider' },
  [NINE_WORK_KEYS.host]: { spec: { type: 'string', required: true, maxLength: 253, check: bareHost }, verified: true, description: 'Exchange host' },
  [NINE_WORK_KEYS.port]: { spec: { type: 'integer', min: 1, max: 65535 }, verified: true, description: 'Exchange port (default 443)' },
  [NINE_WORK_KEYS.userEmail]: { spec: { type: 'string', required: true, maxLength: 254, check: emailProblem }, verified: true, description: 'User email' },
  [NINE_WORK_KEYS.userName]: { spec: { type: 'string', required: true, maxLength: 256, check: nonEmptyTextProblem }, verified: true, description: 'User login' },
  [NINE_WORK_KEYS.useLoginCertificate]: { spec: flag, verified: true, description: 'Use the client certificate the EMM delivered' },
  [NINE_WORK_KEYS.useSsl]: { spec: flag, verified: false, description: 'Use SSL (default true)' },
  [NINE_WORK_KEYS.displayName]: { spec: { type: 'string', maxLength: 256, check: nonEmptyTextProblem }, verified: false, description: 'Account display name' },
  [NINE_WORK_KEYS.domain]: { spec: { type: 'string', maxLength: 256, check: nonEmptyTextProblem }, verified: false, description: 'Login domain' },
  [NINE_WORK_KEYS.loginCertificateAlias]: {
    spec: { type: 'string', maxLength: KEYSTORE_ALIAS.maxLength, check: (v) => (KEYSTORE_ALIAS.pattern.test(v) ? undefined : `must be ${KEYSTORE_ALIAS.format}`) },
    verified: false,
    description: 'Keystore alias of the login certificate',
  },
  [NINE_WORK_KEYS.syncWindow]: { spec: { type: 'integer', min: 0, max: 5 }, verified: false, description: 'Sync window code' },
  [NINE_WORK_KEYS.syncSchedule]: { spec: { type: 'choice', values: scheduleChoices(SYNC_SCHEDULE_MINUTES.afwNineWork ?? []) }, verified: false, description: 'push, manual, or minutes' },
  [NINE_WORK_KEYS.syncEmail]: { spec: flag, verified: false, description: 'Sync email (default true)' },
  [NINE_WORK_KEYS.syncContacts]: { spec: flag, verified: false, description: 'Sync contacts (default true)' },
  [NINE_WORK_KEYS.syncCalendar]: { spec: flag, verified: false, description: 'Sync calendar (default true)' },
  [NINE_WORK_KEYS.syncTasks]: { spec: flag, verified: false, description: 'Sync tasks (default true)' },
};

/** An afwNineWork profile's configuration for one user's device. */
export function buildNineWorkConfiguration(settings: EmailProfileSettings, identity: AccountIdentity): ManagedConfiguration {
  const { hostname, port } = splitHostPort(settings.host);
  const config: ManagedConfiguration = {
    [NINE_WORK_KEYS.publisher]: NINE_WORK_PUBLISHER,
    [NINE_WORK_KEYS.host]: hostname,
  };
  if (port !== undefined) config[NINE_WORK_KEYS.port] = port;
  config[NINE_WORK_KEYS.userEmail] = identity.email;
  config[NINE_WORK_KEYS.userName] = identity.username;
  config[NINE_WORK_KEYS.displayName] = settings.accountName;
  config[NINE_WORK_KEYS.useSsl] = settings.useSsl;
  if (settings.authMethod === 'certificate') {
    if (!settings.identityCertificateProfileId) throw new RangeError('a certificate profile needs identityCertificateProfileId');
    config[NINE_WORK_KEYS.useLoginCertificate] = true;
    config[NINE_WORK_KEYS.loginCertificateAlias] = keyPairAliasFor(settings.identityCertificateProfileId);
  }
  config[NINE_WORK_KEYS.syncWindow] = syncWindowCode(settings.daysToSync);
  if (settings.syncSchedule !== undefined) config[NINE_WORK_KEYS.syncSchedule] = scheduleChoice(settings.syncSchedule);
  if (settings.contentTypes !== undefined) {
    for (const [type, key] of CONTENT_KEYS) config[key] = settings.contentTypes.includes(type);
  }
  return config;
}

/** Nine Work reading its configuration on the device (same rules as readGmailConfiguration). */
export function readNineWorkConfiguration(config: unknown): AppConfigReading {
  const { values, problems } = readManagedConfiguration(NINE_WORK_KEY_TABLE, config);
  const hostname = values[NINE_WORK_KEYS.host];
  const email = values[NINE_WORK_KEYS.userEmail];
  const user = values[NINE_WORK_KEYS.userName];
  const useCertificate = values[NINE_WORK_KEYS.useLoginCertificate] === true;
  const alias = values[NINE_WORK_KEYS.loginCertificateAlias];
  if (useCertificate && typeof alias !== 'string' && !problems.some((p) => p.key === NINE_WORK_KEYS.loginCertificateAlias)) {
    problems.push({ key: NINE_WORK_KEYS.loginCertificateAlias, reason: 'missing', message: `${NINE_WORK_KEYS.loginCertificateAlias} is required when AppUseLoginCertificate is true` });
  }
  if (typeof hostname !== 'string' || typeof email !== 'string' || typeof user !== 'string' || typeof values[NINE_WORK_KEYS.publisher] !== 'string') {
    return { problems };
  }
  const port = values[NINE_WORK_KEYS.port];
  const domain = values[NINE_WORK_KEYS.domain];
  const account: ManagedExchangeAccount = {
    email,
    host: typeof port === 'number' ? `${hostname}:${port}` : hostname,
    username: typeof domain === 'string' ? `${domain}\\${user}` : user,
    useSsl: values[NINE_WORK_KEYS.useSsl] !== false,
    trustAllCertificates: false,
    authMethod: useCertificate ? 'certificate' : 'password',
  };
  const displayName = values[NINE_WORK_KEYS.displayName];
  if (typeof displayName === 'string') account.accountName = displayName;
  if (useCertificate && typeof alias === 'string') account.identityCertificateAlias = alias;
  const window = values[NINE_WORK_KEYS.syncWindow];
  const days = typeof window === 'number' ? daysOfSyncWindow(window) : undefined;
  if (days !== undefined) account.daysToSync = days;
  const schedule = values[NINE_WORK_KEYS.syncSchedule];
  const syncSchedule = typeof schedule === 'string' ? scheduleOfChoice(schedule) : undefined;
  if (syncSchedule !== undefined) account.syncSchedule = syncSchedule;
  if (CONTENT_KEYS.some(([, key]) => values[key] !== undefined)) {
    account.contentTypes = CONTENT_KEYS.filter(([, key]) => values[key] !== false).map(([type]) => type);
  }
  return { account, problems };
}
