import type { NonComplianceDetail } from '../../protocol/android/amapi/device-parts.js';
import type { Policy } from '../../protocol/android/amapi/policy.js';
import type { AccountState } from '../../protocol/android/app-states.js';
import { emailAppOfPackage, EMAIL_APP_PACKAGES } from '../../protocol/android/apps.js';
import type { AppConfigReading } from '../../protocol/android/managed-config/exchange-account.js';
import { GMAIL_ACCOUNT_DEFINING_KEYS, readGmailConfiguration } from '../../protocol/android/managed-config/gmail.js';
import { managedConfigurationNonCompliance } from '../../protocol/android/managed-config/non-compliance.js';
import { readNineWorkConfiguration } from '../../protocol/android/managed-config/nine-work.js';
import { settingsOfManagedAccount, standingState } from '../android-channel/account-settings.js';
import type { AccountStateNow } from '../android-channel/app-states.js';
import { hasKeyPair, type KeystoreResult } from '../android-channel/keystore.js';
import type { ManagedAccountRequest, WorkApp } from '../core/mail-account.js';
import { isEmptyChange, type MailAccountStore } from '../core/mail-store.js';
import { removeManaged, rulesFor } from '../core/platform-rules.js';
import type { RuleContext } from '../core/rule-outcomes.js';
import type { CommandHandledEvent } from '../device.js';

/** What the work profile needs from the device to apply the policy's applications. */
export interface WorkProfile {
  store: MailAccountStore;
  installedApps: () => WorkApp[];
  /** Puts an app in the work profile (a FORCE_INSTALLED app installs itself, AMAPI InstallType). */
  install: (app: WorkApp) => void;
  /** The configuration each app last applied (by package). */
  appliedConfigs: Record<string, Record<string, unknown>>;
  keystore: KeystoreResult;
  rule: () => RuleContext;
  /** The state word last reported for an app's account. */
  heldState: (packageName: string) => string | undefined;
}

export interface WorkAppsApplication {
  nonCompliance: NonComplianceDetail[];
  states: AccountStateNow[];
  events: CommandHandledEvent[];
  /** The configuration each app now holds (what the next sync compares with). */
  appliedConfigs: Record<string, Record<string, unknown>>;
}

/**
 * The policy's `applications` applied to the work profile of an Android for Work device (AMAPI
 * ApplicationPolicy; notes on Gmail and Nine Work in protocol/android/managed-config):
 * - a FORCE_INSTALLED mail app installs itself in the work profile; an AVAILABLE one waits for the
 *   user (`installApp`);
 * - a managed configuration for an app the work profile lacks waits: APP_NOT_INSTALLED (AMAPI
 *   NonComplianceReason "the app is not installed"), nothing changes;
 * - the app reads its configuration: every unusable value is INVALID_VALUE at its path (a value of
 *   the wrong type never stops the device); without its required keys there is no account
 *   (invalidConfiguration); a login certificate alias the keystore lacks means no account
 *   (certificateMissing);
 * - Gmail removes its managed account and creates it again when an account-defining key changed
 *   (GMAIL_ACCOUNT_DEFINING_KEYS: `recreated`); other changes, and every Nine Work change, apply in
 *   place (`updated`); a first configuration creates the account (`created`, or `replaced` when it
 *   took the place of the user's work-profile account with that address and host);
 * - a configuration the policy withdraws removes the app's managed account.
 * Only the work profile is touched (agents/core/platform-rules.ts, Android for Work row): the
 * personal profile is another user's store as far as the DPC is concerned.
 */
export async function applyWorkApps(policy: Policy, p: WorkProfile): Promise<WorkAppsApplication> {
  const out: WorkAppsApplication = { nonCompliance: [], states: [], events: [], appliedConfigs: {} };
  const configured = new Set<string>();
  for (const [index, entry] of (policy.applications ?? []).entries()) {
    const app = emailAppOfPackage(entry.packageName);
    if (!app) continue; // not a mail app: outside what this lab simulates
    if (entry.installType === 'FORCE_INSTALLED' && !p.installedApps().includes(app)) {
      p.install(app);
      out.events.push({ requestType: 'InstallApp', status: 'INSTALLED', outcome: 'success', detail: `${entry.packageName} installed in the work profile (FORCE_INSTALLED)` });
    }
    const config = entry.managedConfiguration;
    if (!config) continue;
    configured.add(entry.packageName);
    if (!p.installedApps().includes(app)) {
      out.nonCompliance.push({ settingName: 'applications', nonComplianceReason: 'APP_NOT_INSTALLED', packageName: entry.packageName, fieldPath: `applications[${index}]` });
      continue;
    }
    const reading: AppConfigReading = app === 'gmail' ? readGmailConfiguration(config) : readNineWorkConfiguration(config);
    out.nonCompliance.push(...managedConfigurationNonCompliance(reading.problems, { packageName: entry.packageName, applicationIndex: index }));
    const report = (state: AccountState, happened: boolean, message?: string) => {
      out.states.push({ packageName: entry.packageName, state, happened, ...(message ? { message } : {}) });
      if (happened || state === 'invalidConfiguration' || state === 'certificateMissing') {
        out.events.push({ requestType: 'ManagedConfiguration', status: state, outcome: ['invalidConfiguration', 'certificateMissing'].includes(state) ? 'failure' : 'success', profileAction: 'install', ...(message ? { detail: message } : {}) });
      }
    };
    const account = reading.account;
    if (!account) {
      await removeAppAccount(p.store, entry.packageName);
      report('invalidConfiguration', false, `no account: ${reading.problems.map((x) => `${x.key} ${x.message}`).join('; ')}`);
      continue;
    }
    if (account.identityCertificateAlias !== undefined && !hasKeyPair(p.keystore.entries, account.identityCertificateAlias)) {
      await removeAppAccount(p.store, entry.packageName);
      report('certificateMissing', false, `the work profile keystore holds no certificate ${account.identityCertificateAlias}`);
      continue;
    }
    const previous = p.appliedConfigs[entry.packageName];
    out.appliedConfigs[entry.packageName] = config;
    const accounts = await p.store.list();
    const own = accounts.find((a) => a.managed && a.managedBy === entry.packageName);
    if (own && previous && sameJson(previous, config)) {
      report(standingState(p.heldState(entry.packageName)), false);
      continue;
    }
    const recreate = own !== undefined && app === 'gmail' && previous !== undefined && GMAIL_ACCOUNT_DEFINING_KEYS.some((k) => !sameJson(previous[k], config[k]));
    if (recreate) await removeAppAccount(p.store, entry.packageName);
    const request: ManagedAccountRequest = { profileId: entry.packageName, email: account.email, host: account.host, username: account.username, settings: settingsOfManagedAccount(account), app };
    const outcome = rulesFor('androidForWork').installManaged(await p.store.list(), request, { ...p.rule(), installedApps: p.installedApps() });
    if (!isEmptyChange(outcome.change)) await p.store.apply(outcome.change);
    if (outcome.kind === 'replacedUserAccount' || outcome.kind === 'replacedOtherProfile') report('replaced', true, `replaced the work profile's account ${account.email} on ${account.host}`);
    else if (recreate) report('recreated', true, 'an account-defining key changed: the account was removed and created again');
    else report(outcome.kind === 'updated' ? 'updated' : 'created', true);
  }
  for (const pkg of Object.values(EMAIL_APP_PACKAGES)) {
    if (configured.has(pkg)) continue;
    if (await removeAppAccount(p.store, pkg)) out.events.push({ requestType: 'ManagedConfiguration', status: 'removed', outcome: 'success', profileAction: 'remove', detail: `${pkg}'s managed configuration was withdrawn` });
  }
  return out;
}

/** Removes the managed account of an app (its configuration withdrawn or unusable); true when there was one. */
async function removeAppAccount(store: MailAccountStore, packageName: string): Promise<boolean> {
  const removal = removeManaged(await store.list(), packageName);
  if (isEmptyChange(removal.change)) return false;
  await store.apply(removal.change);
  return true;
}


function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

