import type { NonComplianceDetail } from '../../protocol/android/amapi/device-parts.js';
import type { AccountState } from '../../protocol/android/app-states.js';
import { MDMLAB_DPC_PACKAGE } from '../../protocol/android/apps.js';
import { readKnoxExchangeAccounts } from '../../protocol/android/knox/exchange-account.js';
import type { ManagedExchangeAccount } from '../../protocol/android/managed-config/exchange-account.js';
import { knoxAccountNonCompliance } from '../../protocol/android/managed-config/non-compliance.js';
import { settingsOfManagedAccount, standingState } from '../android-channel/account-settings.js';
import type { AccountStateNow } from '../android-channel/app-states.js';
import { hasCaCertificate, hasKeyPair, type KeystoreResult } from '../android-channel/keystore.js';
import type { MailAccount, ManagedAccountRequest } from '../core/mail-account.js';
import { isEmptyChange, type MailAccountStore } from '../core/mail-store.js';
import { removeManaged, rulesFor } from '../core/platform-rules.js';
import type { RuleContext } from '../core/rule-outcomes.js';
import type { CommandHandledEvent } from '../device.js';

/** What applying the policy's Knox section did. */
export interface KnoxApplication {
  nonCompliance: NonComplianceDetail[];
  states: AccountStateNow[];
  events: CommandHandledEvent[];
}

/**
 * The policy's Knox section (`mdmlab.knoxExchangeAccounts`) applied as mdmlab's DPC would through
 * Samsung's ExchangeAccountPolicy (com.samsung.android.knox.accounts; Knox SDK reference
 * "ExchangeAccountPolicy", "ExchangeAccount"), one account at a time:
 * - an account Knox would refuse (addNewAccount returns -1: address, easUser, serverAddress or
 *   protocolVersion missing or unusable) creates nothing; every unusable field is reported as
 *   INVALID_VALUE at its path, and the account's keyed state says invalidConfiguration;
 * - an account naming a certificate alias the keystore does not hold (client authentication,
 *   S/MIME), or using SSL without trusting any CA while acceptAllCertificates is false, is not
 *   created (certificateMissing, serverCertificateUntrusted);
 * - otherwise addNewAccount: creation is asynchronous on Knox (the result arrives per account as
 *   the ACTION_ADD_ACCOUNT_RESULT broadcast), so each account is awaited before the next. Knox
 *   matches an existing account by its address only (agents/core/platform-rules.ts, KNOX row):
 *   a hand-made account or another profile's account with that address is replaced (`replaced`,
 *   a new event each time, which is how the server counts two profiles flipping one address);
 *   the account's own earlier copy is updated field by field (setSyncSchedules,
 *   setPastDaysToSync, …: `updated`), or left alone when nothing differs;
 * - the accounts of profiles the policy no longer carries are deleted (deleteAccount).
 * The DPC reports each account's state under `exchangeAccount:{id}` (protocol/android/app-states.ts).
 */
export async function applyKnoxAccounts(
  raw: readonly unknown[],
  store: MailAccountStore,
  keystore: KeystoreResult,
  held: readonly { key: string; state: string }[],
  rule: () => RuleContext,
): Promise<KnoxApplication> {
  const out: KnoxApplication = { nonCompliance: [], states: [], events: [] };
  const readings = readKnoxExchangeAccounts(raw);
  const ids = new Set(readings.flatMap((r) => (r.id !== undefined ? [r.id] : [])));
  for (const gone of (await store.list()).filter((a) => a.managed && a.managedBy !== undefined && !ids.has(a.managedBy))) {
    const removal = removeManaged(await store.list(), gone.managedBy!);
    if (!isEmptyChange(removal.change)) await store.apply(removal.change);
    out.events.push(event('deleteAccount', 'removed', 'success', gone.managedBy!, 'remove'));
  }
  for (const [index, reading] of readings.entries()) {
    out.nonCompliance.push(...knoxAccountNonCompliance(reading.problems, index));
    const id = reading.id;
    if (id === undefined) continue;
    const refuse = (state: AccountState, message: string) => {
      out.states.push({ packageName: MDMLAB_DPC_PACKAGE, accountId: id, state, message, happened: false });
      out.events.push(event('addNewAccount', state, 'failure', id, 'install', message));
    };
    const account = reading.account;
    if (!account) {
      refuse('invalidConfiguration', `Knox refused the account: ${reading.problems.map((p) => `${p.key || 'account'} ${p.message}`).join('; ')}`);
      continue;
    }
    const missing = missingCertificate(account, keystore);
    if (missing) {
      refuse('certificateMissing', missing);
      continue;
    }
    if (account.useSsl && !account.trustAllCertificates && !hasCaCertificate(keystore.entries)) {
      refuse('serverCertificateUntrusted', `SSL to ${account.host} without a trusted CA certificate, and acceptAllCertificates is false`);
      continue;
    }
    await Promise.resolve(); // the ADD_RESULT broadcast of this account arrives before the next account is added
    const request: ManagedAccountRequest = { profileId: id, email: account.email, host: account.host, username: account.username, settings: settingsOfManagedAccount(account) };
    const accounts = await store.list();
    const own = accounts.find((a) => a.managed && a.managedBy === id);
    if (own && unchanged(own, request) && !accounts.some((a) => a !== own && a.email.toLowerCase() === own.email.toLowerCase())) {
      out.states.push({ packageName: MDMLAB_DPC_PACKAGE, accountId: id, state: standingState(held.find((s) => s.key === `exchangeAccount:${id}`)?.state), happened: false });
      continue;
    }
    const outcome = rulesFor('samsungKnox').installManaged(accounts, request, rule());
    if (!isEmptyChange(outcome.change)) await store.apply(outcome.change);
    const state: AccountState = outcome.kind === 'replacedUserAccount' || outcome.kind === 'replacedOtherProfile' ? 'replaced' : outcome.kind === 'updated' ? 'updated' : 'created';
    const message =
      outcome.kind === 'replacedOtherProfile'
        ? `replaced the account of ${outcome.otherProfileIds.join(', ')} with the same address ${account.email}`
        : outcome.kind === 'replacedUserAccount'
          ? `replaced the account the user set up for ${account.email} on ${outcome.replaced.map((a) => a.host).join(', ')}`
          : undefined;
    out.states.push({ packageName: MDMLAB_DPC_PACKAGE, accountId: id, state, ...(message ? { message } : {}), happened: true });
    out.events.push(event('addNewAccount', state, 'success', id, 'install', message));
  }
  return out;
}

function missingCertificate(account: ManagedExchangeAccount, keystore: KeystoreResult): string | undefined {
  for (const alias of [account.identityCertificateAlias, account.useSmime ? account.smimeSigningCertificateAlias : undefined]) {
    if (alias === undefined || hasKeyPair(keystore.entries, alias)) continue;
    const why = keystore.unreadable.get(alias);
    return `the keystore holds no certificate ${alias}${why ? ` (its PKCS#12 did not open: ${why})` : ''}`;
  }
  return undefined;
}


function unchanged(own: MailAccount, request: ManagedAccountRequest): boolean {
  return own.host.toLowerCase() === request.host.toLowerCase() && own.email === request.email && own.username === request.username && JSON.stringify(own.settings) === JSON.stringify(request.settings);
}

function event(requestType: string, status: string, outcome: 'success' | 'failure', profileId: string, profileAction: 'install' | 'remove', detail?: string): CommandHandledEvent {
  return { requestType: `ExchangeAccountPolicy.${requestType}`, status, outcome, profileAction, profileId, ...(detail ? { detail } : {}) };
}
