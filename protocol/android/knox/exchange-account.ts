/**
 * Knox Exchange accounts in the policy (`mdmlab.knoxExchangeAccounts[]`): an mdmlab extension
 * modelled on Samsung Knox Standard's `ExchangeAccountPolicy.addNewAccount(ExchangeAccount)`
 * (com.samsung.android.knox.accounts, Knox API 11+, deprecated at API 27;
 * docs.samsungknox.com/devref/knox-sdk/reference/com/samsung/android/knox/accounts/ExchangeAccount.html).
 *
 * Field names and types are ExchangeAccount's (syncContacts/syncCalendar are ints 0/1 there), with
 * what the per-account setters add: syncTasks/syncNotes (setDataSyncs), smimeCertificateAlias with
 * smimeCertificateMode (setForceSMIMECertificateAlias; SET_SMIME_CERTIFICATE_BY_SIGNING = 3),
 * requireSignedSMIMEMessages (setRequireSignedSMIMEMessages), and `id`, the server's name for the
 * account, which the DPC's keyed app states repeat. Absent fields take ExchangeAccount's
 * constructor defaults — acceptAllCertificates **true** among them, so mdmlab always sends false.
 * Email always syncs on Knox (ExchangeAccount has no switch for it).
 */

import type { ContentType, DaysToSync, EmailProfileSettings, SyncSchedule } from '../../admin/email-profile-settings.js';
import { keyPairAliasFor, KEYSTORE_ALIAS } from '../amapi/mdmlab-extension.js';
import { withoutUndefined, type JsonObject } from '../json.js';
import { emailProblem, hostProblem, nonEmptyTextProblem, type AccountIdentity, type ManagedExchangeAccount } from '../managed-config/exchange-account.js';
import { readManagedConfiguration, type ConfigProblem, type KeyTable } from '../managed-config/value-model.js';

export interface KnoxExchangeAccount {
  id: string;
  displayName?: string;
  emailAddress: string;
  easUser: string;
  easDomain?: string;
  serverAddress: string;
  protocolVersion: string;
  useSSL: boolean;
  useTLS?: boolean;
  acceptAllCertificates: boolean;
  /** setPastDaysToSync codes 1–6 (SYNC_LOOKBACK_DAYS). */
  syncLookback: number;
  /** Peak-time schedule; -2 push, -1 never (manual), else minutes. */
  syncInterval: number;
  /** Off-peak schedule, same values. */
  offPeak: number;
  syncContacts: 0 | 1;
  syncCalendar: 0 | 1;
  syncTasks?: boolean;
  syncNotes?: boolean;
  certificateAlias?: string;
  smimeCertificateAlias?: string;
  smimeCertificateMode?: number;
  requireSignedSMIMEMessages?: boolean;
}

/** ExchangeAccount's default protocol version (its 5-argument constructor); Knox refuses an account without one. */
export const KNOX_DEFAULT_PROTOCOL_VERSION = '2.5';

/** setPastDaysToSync accepts 1–6: one day, three days, one week, two weeks, one month, all. */
export const SYNC_LOOKBACK_DAYS: Readonly<Record<number, DaysToSync>> = { 1: 1, 2: 3, 3: 7, 4: 14, 5: 30, 6: 'unlimited' };

/** Schedule values of ExchangeAccount.offPeak (Samsung reference: -2 automatic push, -1 never, minutes). */
export const KNOX_SCHEDULE_VALUES = [-2, -1, 5, 10, 15, 30, 60, 240, 720] as const;
export const KNOX_PUSH = -2;
export const KNOX_NEVER = -1;

export const SMIME_CERTIFICATE_MODES = { all: 1, encryption: 2, signing: 3 } as const;

const alias = (v: string): string | undefined => (KEYSTORE_ALIAS.pattern.test(v) ? undefined : `must be ${KEYSTORE_ALIAS.format}`);
const schedule = { type: 'integer', min: -2, max: 720, values: KNOX_SCHEDULE_VALUES } as const;

export const KNOX_ACCOUNT_FIELDS: KeyTable = {
  id: { spec: { type: 'string', required: true, maxLength: 128, check: (v) => (/^[A-Za-z0-9._~-]+$/.test(v) ? undefined : 'must be an identifier') }, verified: true, description: 'mdmlab: the server\'s account id' },
  displayName: { spec: { type: 'string', maxLength: 256, check: nonEmptyTextProblem }, verified: true, description: 'Account display name' },
  emailAddress: { spec: { type: 'string', required: true, maxLength: 254, check: emailProblem }, verified: true, description: 'Email address' },
  easUser: { spec: { type: 'string', required: true, maxLength: 256, check: nonEmptyTextProblem }, verified: true, description: 'EAS user' },
  easDomain: { spec: { type: 'string', maxLength: 256, check: nonEmptyTextProblem }, verified: true, description: 'EAS domain' },
  serverAddress: { spec: { type: 'string', required: true, maxLength: 260, check: hostProblem }, verified: true, description: 'Exchange host' },
  protocolVersion: { spec: { type: 'string', required: true, maxLength: 8, check: (v) => (/^\d{1,2}\.\d{1,2}$/.test(v) ? undefined : 'must be an EAS version such as 14.1') }, verified: true, description: 'EAS protocol version' },
  useSSL: { spec: { type: 'bool' }, verified: true, description: 'SSL (default true)' },
  useTLS: { spec: { type: 'bool' }, verified: true, description: 'TLS (default false)' },
  acceptAllCertificates: { spec: { type: 'bool' }, verified: true, description: 'Accept any server certificate (Knox default true)' },
  syncLookback: { spec: { type: 'integer', min: 1, max: 6 }, verified: true, description: 'Past days to sync code (default 1)' },
  syncInterval: { spec: schedule, verified: true, description: 'Peak sync schedule' },
  offPeak: { spec: schedule, verified: true, description: 'Off-peak sync schedule (default -2 push)' },
  syncContacts: { spec: { type: 'integer', min: 0, max: 1 }, verified: true, description: 'Sync contacts 0/1 (default 1)' },
  syncCalendar: { spec: { type: 'integer', min: 0, max: 1 }, verified: true, description: 'Sync calendar 0/1 (default 1)' },
  syncTasks: { spec: { type: 'bool' }, verified: true, description: 'Sync tasks (setDataSyncs)' },
  syncNotes: { spec: { type: 'bool' }, verified: true, description: 'Sync notes (setDataSyncs)' },
  certificateAlias: { spec: { type: 'string', maxLength: KEYSTORE_ALIAS.maxLength, check: alias }, verified: true, description: 'Client authentication certificate alias' },
  smimeCertificateAlias: { spec: { type: 'string', maxLength: KEYSTORE_ALIAS.maxLength, check: alias }, verified: true, description: 'S/MIME certificate alias' },
  smimeCertificateMode: { spec: { type: 'integer', min: 1, max: 3 }, verified: true, description: 'S/MIME mode 1 all, 2 encryption, 3 signing' },
  requireSignedSMIMEMessages: { spec: { type: 'bool' }, verified: true, description: 'Sign outgoing mail' },
};

function knoxSchedule(s: SyncSchedule | undefined): number {
  return s === undefined || s === 'asMessagesArrive' ? KNOX_PUSH : s === 'manual' ? KNOX_NEVER : s;
}

function scheduleOfKnox(v: number): SyncSchedule {
  return v === KNOX_PUSH ? 'asMessagesArrive' : v === KNOX_NEVER ? 'manual' : v;
}

/** A samsungKnox profile's account for one user's device. */
export function buildKnoxExchangeAccount(id: string, settings: EmailProfileSettings, identity: AccountIdentity): KnoxExchangeAccount {
  const slash = identity.username.indexOf('\\');
  const lookback = Object.entries(SYNC_LOOKBACK_DAYS).find(([, days]) => days === settings.daysToSync);
  if (!lookback) throw new RangeError(`Knox cannot sync ${settings.daysToSync} days`);
  const types = settings.contentTypes;
  const has = (t: ContentType): boolean => types === undefined || types.includes(t);
  const account: KnoxExchangeAccount = {
    id,
    displayName: settings.accountName,
    emailAddress: identity.email,
    easUser: slash < 0 ? identity.username : identity.username.slice(slash + 1),
    serverAddress: settings.host,
    protocolVersion: KNOX_DEFAULT_PROTOCOL_VERSION,
    useSSL: settings.useSsl,
    acceptAllCertificates: false,
    syncLookback: Number(lookback[0]),
    syncInterval: knoxSchedule(settings.syncSchedule),
    offPeak: knoxSchedule(settings.syncSchedule),
    syncContacts: has('contacts') ? 1 : 0,
    syncCalendar: has('calendar') ? 1 : 0,
    syncTasks: has('tasks'),
    syncNotes: has('notes'),
  };
  if (slash >= 0) account.easDomain = identity.username.slice(0, slash);
  if (settings.authMethod === 'certificate') {
    if (!settings.identityCertificateProfileId) throw new RangeError('a certificate profile needs identityCertificateProfileId');
    account.certificateAlias = keyPairAliasFor(settings.identityCertificateProfileId);
  }
  if (settings.useSmime) {
    if (!settings.signingCertificateProfileId) throw new RangeError('an S/MIME profile needs signingCertificateProfileId');
    account.smimeCertificateAlias = keyPairAliasFor(settings.signingCertificateProfileId);
    account.smimeCertificateMode = SMIME_CERTIFICATE_MODES.signing;
    account.requireSignedSMIMEMessages = true;
  }
  return account;
}

/** The account as it goes into `mdmlab.knoxExchangeAccounts`, fields in a fixed order. */
export function knoxExchangeAccountJson(a: KnoxExchangeAccount): JsonObject {
  return withoutUndefined({
    id: a.id,
    displayName: a.displayName,
    emailAddress: a.emailAddress,
    easUser: a.easUser,
    easDomain: a.easDomain,
    serverAddress: a.serverAddress,
    protocolVersion: a.protocolVersion,
    useSSL: a.useSSL,
    useTLS: a.useTLS,
    acceptAllCertificates: a.acceptAllCertificates,
    syncLookback: a.syncLookback,
    syncInterval: a.syncInterval,
    offPeak: a.offPeak,
    syncContacts: a.syncContacts,
    syncCalendar: a.syncCalendar,
    syncTasks: a.syncTasks,
    syncNotes: a.syncNotes,
    certificateAlias: a.certificateAlias,
    smimeCertificateAlias: a.smimeCertificateAlias,
    smimeCertificateMode: a.smimeCertificateMode,
    requireSignedSMIMEMessages: a.requireSignedSMIMEMessages,
  });
}

export interface KnoxAccountReading {
  /** The account's id when it could be read (to name it in keyed app states). */
  id?: string;
  /** The account Knox would create; absent when ExchangeAccountPolicy would refuse it (-1). */
  account?: ManagedExchangeAccount;
  problems: ConfigProblem[];
}

/**
 * The Knox agent reading one account: what `addNewAccount` validates (email address, serverAddress,
 * protocolVersion and easUser present and usable, else -1) decides whether there is an account;
 * every other unusable field falls back to ExchangeAccount's default and is listed as a problem.
 */
export function readKnoxExchangeAccount(raw: unknown): KnoxAccountReading {
  const { values, problems } = readManagedConfiguration(KNOX_ACCOUNT_FIELDS, raw);
  const out: KnoxAccountReading = { problems };
  const id = values.id;
  if (typeof id === 'string') out.id = id;
  const { emailAddress, easUser, serverAddress, protocolVersion } = values;
  if (typeof id !== 'string' || typeof emailAddress !== 'string' || typeof easUser !== 'string' || typeof serverAddress !== 'string' || typeof protocolVersion !== 'string') {
    return out;
  }
  const num = (key: string, fallback: number): number => (typeof values[key] === 'number' ? (values[key] as number) : fallback);
  const flag = (key: string, fallback: boolean): boolean => (typeof values[key] === 'boolean' ? (values[key] as boolean) : fallback);
  const domain = values.easDomain;
  const certificateAlias = values.certificateAlias;
  const smimeAlias = values.smimeCertificateAlias;
  const smimeMode = num('smimeCertificateMode', SMIME_CERTIFICATE_MODES.all);
  const contentTypes: ContentType[] = ['email'];
  if (num('syncContacts', 1) === 1) contentTypes.push('contacts');
  if (num('syncCalendar', 1) === 1) contentTypes.push('calendar');
  if (flag('syncTasks', true)) contentTypes.push('tasks');
  if (flag('syncNotes', true)) contentTypes.push('notes');
  const account: ManagedExchangeAccount = {
    email: emailAddress,
    host: serverAddress,
    username: typeof domain === 'string' ? `${domain}\\${easUser}` : easUser,
    useSsl: flag('useSSL', true),
    trustAllCertificates: flag('acceptAllCertificates', true),
    daysToSync: SYNC_LOOKBACK_DAYS[num('syncLookback', 1)] ?? 1,
    syncSchedule: scheduleOfKnox(num('offPeak', KNOX_PUSH)),
    contentTypes,
    authMethod: typeof certificateAlias === 'string' ? 'certificate' : 'password',
  };
  if (typeof values.displayName === 'string') account.accountName = values.displayName;
  if (typeof certificateAlias === 'string') account.identityCertificateAlias = certificateAlias;
  if (flag('requireSignedSMIMEMessages', false) && typeof smimeAlias === 'string' && smimeMode !== SMIME_CERTIFICATE_MODES.encryption) {
    account.useSmime = true;
    account.smimeSigningCertificateAlias = smimeAlias;
  }
  out.account = account;
  return out;
}

/**
 * Every account of a policy's Knox section; a second account with an id already seen is refused
 * with an `invalidValue` problem on its `id` (the first keeps the id).
 */
export function readKnoxExchangeAccounts(raw: readonly unknown[]): KnoxAccountReading[] {
  const seen = new Set<string>();
  return raw.map((entry) => {
    const reading = readKnoxExchangeAccount(entry);
    if (reading.id === undefined) return reading;
    if (seen.has(reading.id)) {
      const { account: _dropped, ...rest } = reading;
      return { ...rest, problems: [...reading.problems, { key: 'id', reason: 'invalidValue', message: `id ${reading.id} names two accounts`, currentValue: reading.id }] };
    }
    seen.add(reading.id);
    return reading;
  });
}
