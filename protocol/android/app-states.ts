/**
 * What the mail apps (Gmail, Nine Work in the work profile) and mdmlab's DPC (for Knox accounts)
 * say about the managed account, as AMAPI keyed app states (KeyedAppState: key, severity, message,
 * data; developer.android.com "Send app feedback to EMMs"). One vocabulary shared by the simulated
 * devices, which report it, and the server, which turns it into profile states.
 *
 * - key: `exchangeAccount` for an app's one managed account; `exchangeAccount:{id}` for the Knox
 *   account with that id (mdmlab.knoxExchangeAccounts[].id).
 * - data: the state code below (machine-readable, as AMAPI intends `data`); message: for people.
 */

import type { KeyedAppState } from './amapi/device-parts.js';
import { KEYED_APP_STATE_LIMITS } from './amapi/device-parts.js';
import type { KeyedAppStateSeverity } from './amapi/enums.js';

export const ACCOUNT_STATES = {
  /** The managed account exists and works. */
  created: 'INFO',
  /** It took the place of an account the user had made (Knox: same address; work profile: same account). */
  replaced: 'INFO',
  /** Gmail removed and re-created it because an account-defining key changed. */
  recreated: 'INFO',
  /** Settings changed in place. */
  updated: 'INFO',
  /** Created, waiting for the user to type the password. */
  authPending: 'INFO',
  /** The configuration names a certificate alias the keystore does not hold. */
  certificateMissing: 'ERROR',
  /** SSL without the server's certificate trusted (Knox, acceptAllCertificates false). */
  serverCertificateUntrusted: 'ERROR',
  /** Required settings missing or unusable: no account. */
  invalidConfiguration: 'ERROR',
  /** The managed account was removed (configuration withdrawn). */
  removed: 'INFO',
} as const satisfies Record<string, KeyedAppStateSeverity>;

export type AccountState = keyof typeof ACCOUNT_STATES;

export const ACCOUNT_STATE_KEY = 'exchangeAccount';

const ID = /^[A-Za-z0-9._~-]+$/;

/** The key for an app's managed account, or for the Knox account with this id. */
export function accountStateKey(accountId?: string): string {
  if (accountId === undefined) return ACCOUNT_STATE_KEY;
  const key = `${ACCOUNT_STATE_KEY}:${accountId}`;
  if (!ID.test(accountId) || key.length > KEYED_APP_STATE_LIMITS.key) throw new RangeError(`account id ${JSON.stringify(accountId)} cannot form a state key`);
  return key;
}

export interface AccountStateReport {
  state: AccountState;
  /** Present for Knox accounts. */
  accountId?: string;
  message?: string;
}

/** The keyed app state for a report; `time` is the RFC 3339 time of the change (passed in: no clock here). */
export function accountKeyedAppState(report: AccountStateReport, time: string): KeyedAppState {
  const s: KeyedAppState = {
    key: accountStateKey(report.accountId),
    severity: ACCOUNT_STATES[report.state],
    data: report.state,
    createTime: time,
    lastUpdateTime: time,
  };
  if (report.message !== undefined) s.message = report.message.slice(0, KEYED_APP_STATE_LIMITS.message);
  return s;
}

/** The account state a keyed app state carries, or undefined when it is not one of ours. */
export function readAccountState(s: KeyedAppState): AccountStateReport | undefined {
  let accountId: string | undefined;
  if (s.key !== ACCOUNT_STATE_KEY) {
    if (!s.key.startsWith(`${ACCOUNT_STATE_KEY}:`)) return undefined;
    accountId = s.key.slice(ACCOUNT_STATE_KEY.length + 1);
    if (!ID.test(accountId)) return undefined;
  }
  if (s.data === undefined || !Object.hasOwn(ACCOUNT_STATES, s.data)) return undefined;
  const report: AccountStateReport = { state: s.data as AccountState };
  if (accountId !== undefined) report.accountId = accountId;
  if (s.message !== undefined) report.message = s.message;
  return report;
}
