import type { MailAccountSettings, MailContentType } from '../../core/mail-account.js';
import { ACTIVESYNC_CONTENT_TYPES, ACTIVESYNC_DEVICE_ROOT, ACTIVESYNC_USER_ROOT } from './csp/activesync-csp.js';
import type { DmTree, DmTreeEvent } from './dm-tree.js';
import { canonicalLocUri, encodeSegment } from './loc-uri.js';

/**
 * The ActiveSync account nodes of a device's tree read as the mail accounts its mail client holds
 * (the device maps these onto its mail store and applies the Windows duplicate rule of
 * agents/core/platform-rules.ts). Values the account does not set take the CSP's documented
 * defaults (ActiveSync CSP page: MailAgeFilter 3, Schedule -1, UseSSL 1, content type Enabled 1):
 * they are what the mail client then uses.
 */
export interface ActiveSyncAccount {
  /** The account node's name as created, e.g. `{C556E16F-56C4-4EDB-9C64-D9469EE1FBE0}`. */
  guid: string;
  /** LocURI of the account node. */
  uri: string;
  /** `user`: ./User/Vendor/MSFT/ActiveSync (Windows 10); `device`: ./Vendor/MSFT/ActiveSync (Windows Phone 8.1). */
  path: 'user' | 'device';
  email?: string;
  /** ServerName. */
  host?: string;
  username?: string;
  accountName?: string;
  accountType?: string;
  domain?: string;
  settings: MailAccountSettings;
}

const ROOTS = [
  { path: 'user', root: ACTIVESYNC_USER_ROOT },
  { path: 'device', root: ACTIVESYNC_DEVICE_ROOT },
] as const;

/** MailAgeFilter (ActiveSync CSP page): 0 all, 1 one day, 2 three days, 3 one week, 4 two weeks, 5 one month, 6 three months. */
const MAIL_AGE_DAYS: Readonly<Record<string, MailAccountSettings['daysToSync']>> = { '0': 'unlimited', '1': 1, '2': 3, '3': 7, '4': 14, '5': 30, '6': 90 };

const CONTENT_TYPE_BY_GUID = new Map<string, MailContentType>(
  (Object.entries(ACTIVESYNC_CONTENT_TYPES) as [MailContentType, string][]).map(([type, guid]) => [guid.toLowerCase(), type]),
);

/** Every ActiveSync account of the tree, user path first, each in creation order. */
export function readActiveSyncAccounts(tree: DmTree): ActiveSyncAccount[] {
  const out: ActiveSyncAccount[] = [];
  for (const { path, root } of ROOTS) {
    for (const guid of tree.children(`${root}/Accounts`) ?? []) {
      out.push(readAccount(tree, path, `${root}/Accounts/${encodeSegment(guid)}`, guid));
    }
  }
  return out;
}

/** One account by its node's LocURI, undefined when it does not exist. */
export function readActiveSyncAccount(tree: DmTree, accountUri: string): ActiveSyncAccount | undefined {
  const wanted = canonicalLocUri(accountUri)?.toLowerCase();
  return readActiveSyncAccounts(tree).find((a) => a.uri.toLowerCase() === wanted);
}

/**
 * The accounts (LocURIs, lower case) a tree event touched: every change inside an account's
 * subtree names its account. The device re-reads those (an absent one was deleted).
 */
export function activeSyncAccountsChanged(event: DmTreeEvent): string[] {
  const out = new Set<string>();
  for (const change of event.changes) {
    const s = change.segments.map((x) => x.toLowerCase());
    const base = s[0] === 'user' ? 1 : 0;
    if (s[base] === 'vendor' && s[base + 1] === 'msft' && s[base + 2] === 'activesync' && s[base + 3] === 'accounts' && s.length > base + 4) {
      const root = base === 1 ? ACTIVESYNC_USER_ROOT : ACTIVESYNC_DEVICE_ROOT;
      out.add(`${root}/Accounts/${encodeSegment(change.segments[base + 4]!)}`.toLowerCase());
    }
  }
  return [...out];
}

function readAccount(tree: DmTree, path: 'user' | 'device', uri: string, guid: string): ActiveSyncAccount {
  const v = (leaf: string) => tree.value(`${uri}/${leaf}`);
  const account: ActiveSyncAccount = { guid, uri, path, settings: {} };
  const fields = [
    ['email', 'EmailAddress'],
    ['host', 'ServerName'],
    ['username', 'UserName'],
    ['accountName', 'AccountName'],
    ['accountType', 'AccountType'],
    ['domain', 'Domain'],
  ] as const;
  for (const [field, leaf] of fields) {
    const value = v(leaf);
    if (value !== undefined) account[field] = value;
  }
  const settings: MailAccountSettings = {};
  if (account.accountName !== undefined) settings.accountName = account.accountName;
  if (account.username !== undefined) settings.username = account.username;
  const days = MAIL_AGE_DAYS[(v('Options/MailAgeFilter') ?? '3').trim()];
  if (days !== undefined) settings.daysToSync = days;
  const schedule = Number((v('Options/Schedule') ?? '-1').trim());
  if (Number.isInteger(schedule) && schedule >= -1) settings.syncSchedule = schedule === -1 ? 'asMessagesArrive' : schedule === 0 ? 'manual' : schedule;
  const ssl = (v('Options/UseSSL') ?? '1').trim();
  if (ssl === '0' || ssl === '1') settings.useSsl = ssl === '1';
  const contentTypes = tree.children(`${uri}/Options/ContentTypes`);
  if (contentTypes) {
    settings.contentTypes = contentTypes
      .filter((g) => (tree.value(`${uri}/Options/ContentTypes/${encodeSegment(g)}/Enabled`) ?? '1').trim() === '1')
      .map((g) => CONTENT_TYPE_BY_GUID.get(g.toLowerCase()))
      .filter((t): t is MailContentType => t !== undefined);
  }
  account.settings = settings;
  return account;
}
