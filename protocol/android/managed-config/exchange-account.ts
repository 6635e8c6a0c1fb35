/**
 * The Exchange account a device's mail app makes from what the server sent (a Gmail or Nine Work
 * managed configuration, a Knox ExchangeAccount), in the admin API's vocabulary
 * (protocol/admin/email-profile-settings.ts), plus the value mappings each client uses.
 */

import { HOST_PATTERN, type ContentType, type DaysToSync, type SyncSchedule } from '../../admin/email-profile-settings.js';
import type { ConfigProblem } from './value-model.js';

/** The address and user name a profile gives one user's device (protocol/admin/account-identity.ts). */
export interface AccountIdentity {
  email: string;
  username: string;
}

export interface ManagedExchangeAccount {
  email: string;
  /** Exchange host, optionally `:port`, no scheme. */
  host: string;
  username: string;
  accountName?: string;
  useSsl: boolean;
  /** Accept any server certificate (Gmail exchange_trust_all_certificates, Knox acceptAllCertificates). */
  trustAllCertificates: boolean;
  daysToSync?: DaysToSync;
  syncSchedule?: SyncSchedule;
  contentTypes?: ContentType[];
  authMethod: 'password' | 'certificate';
  /** Keystore alias of the client identity when authMethod is certificate. */
  identityCertificateAlias?: string;
  /** Knox only: S/MIME signing with the identity under this alias. */
  useSmime?: boolean;
  smimeSigningCertificateAlias?: string;
}

/** What an app made of its configuration: the account (when it can activate one) and every problem. */
export interface AppConfigReading {
  account?: ManagedExchangeAccount;
  problems: ConfigProblem[];
}

/**
 * Sync windows as codes 0–5: 0 all, 1 one day, 2 three days, 3 one week, 4 two weeks, 5 one month
 * (Ivanti: Gmail "Default sync window … a value from 0-5"; TinyMDM lists the meanings; the same order
 * as ActiveSync's FilterType, MS-ASCMD §2.2.3.68.2).
 */
export const SYNC_WINDOW_DAYS: readonly DaysToSync[] = ['unlimited', 1, 3, 7, 14, 30];

export function syncWindowCode(days: DaysToSync): number {
  const code = SYNC_WINDOW_DAYS.indexOf(days);
  if (code < 0) throw new RangeError(`no sync window for ${days} days`);
  return code;
}

export function daysOfSyncWindow(code: number): DaysToSync | undefined {
  return SYNC_WINDOW_DAYS[code];
}

/**
 * A sync schedule as a choice value: `push` (as messages arrive), `manual`, or minutes. mdmlab's
 * encoding for the apps whose schedule key no public source names (Gmail, Nine Work).
 */
export function scheduleChoice(schedule: SyncSchedule): string {
  return schedule === 'asMessagesArrive' ? 'push' : schedule === 'manual' ? 'manual' : String(schedule);
}

export function scheduleOfChoice(choice: string): SyncSchedule | undefined {
  if (choice === 'push') return 'asMessagesArrive';
  if (choice === 'manual') return 'manual';
  return /^[1-9][0-9]{0,3}$/.test(choice) ? Number(choice) : undefined;
}

/** The schedule choices for a platform's minute values. */
export function scheduleChoices(minutes: readonly number[]): string[] {
  return ['push', 'manual', ...minutes.map(String)];
}

const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** One RFC 5322 addr-spec with a dot-atom local part and a DNS domain (what mail apps accept when setting up an account). */
export function emailProblem(value: string): string | undefined {
  return value.length <= 254 && EMAIL.test(value) ? undefined : 'must be one valid email address';
}

const HOST = new RegExp(HOST_PATTERN);

/** A bare host name with an optional port; Gmail refuses `http://` and `https://` in exchange_host. */
export function hostProblem(value: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return 'must be a host name without a scheme (no http:// or https://)';
  if (!HOST.test(value)) return 'must be a host name with an optional :port';
  const port = value.includes(':') ? Number(value.slice(value.lastIndexOf(':') + 1)) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) return 'has a port outside 1–65535';
  return undefined;
}

export function nonEmptyTextProblem(value: string): string | undefined {
  return /[\u0000-\u001f\u007f]/.test(value) ? 'must not contain control characters' : undefined;
}

/** `host:port` split, the port as a number when present. */
export function splitHostPort(host: string): { hostname: string; port?: number } {
  const i = host.lastIndexOf(':');
  return i < 0 ? { hostname: host } : { hostname: host.slice(0, i), port: Number(host.slice(i + 1)) };
}
