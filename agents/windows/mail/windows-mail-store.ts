import { activeSyncAccountNodes, scopeOfPlatform, type ActiveSyncPlatform, type ActiveSyncScope } from '../../../protocol/windows/activesync/index.js';
import type { MailAccount } from '../../core/mail-account.js';
import { MailStoreError, type MailAccountStore, type MailStoreChange } from '../../core/mail-store.js';
import type { DmTree } from '../dm-tree/index.js';
import type { AccountRecord, AccountRecords } from './account-records.js';
import { accountKey, readTreeAccounts, type TreeAccount } from './tree-accounts.js';

/**
 * The Windows device's mail store IS its ActiveSync account nodes (ActiveSync CSP): the accounts
 * the user set up in the mail app and the ones the management server added are nodes under
 * Accounts/{Account GUID}, and this MailAccountStore is a view of them (agents/core/mail-store.ts),
 * so the platform rule (agents/core/platform-rules.ts) and the scenario runner see them as every
 * other platform's accounts. Nothing is copied: `list()` reads the tree.
 *
 * - A user account is created as the device writing its own tree (DmTree.setLocal), under the user
 *   path on Windows 10 and the device path on Windows Phone 8.1, with the nodes the shared mapping
 *   writes for a profile (protocol/windows/activesync), so the server reads both kinds alike.
 * - An account the server added is managed; its MailAccount id is the node's LocURI and `managedBy`
 *   the node name (`{GUID}`), the only name of it the device ever learns.
 * - Removing an account deletes its node. Adding a managed account records what the rule decided
 *   (its node is the server's, already there).
 * A change is checked whole before anything is touched: a bad one changes nothing.
 */
export interface WindowsMailStoreHost {
  tree(): DmTree;
  readonly records: AccountRecords;
  /** Where the accounts the user sets up go. */
  readonly userScope: ActiveSyncScope;
  /** Called after every change (the device saves its state). */
  changed(): void;
}

export class WindowsMailStore implements MailAccountStore {
  constructor(private readonly host: WindowsMailStoreHost) {}

  async list(): Promise<MailAccount[]> {
    return this.accounts().map((a) => a.mail);
  }

  async get(id: string): Promise<MailAccount | undefined> {
    const key = accountKey(id);
    return this.accounts().find((a) => a.key === key)?.mail;
  }

  /** The tree's accounts with their MailAccount view (accounts lacking an address or host are not mail accounts yet). */
  accounts(): { key: string; tree: TreeAccount; mail: MailAccount }[] {
    const out: { key: string; tree: TreeAccount; mail: MailAccount }[] = [];
    for (const t of readTreeAccounts(this.host.tree())) {
      const key = accountKey(t.uri);
      const mail = mailAccountOf(t, this.host.records[key]);
      if (mail) out.push({ key, tree: t, mail });
    }
    return out;
  }

  async apply(change: MailStoreChange): Promise<void> {
    const tree = this.host.tree();
    const existing = new Set(readTreeAccounts(tree).map((t) => accountKey(t.uri)));
    const removed = new Set<string>();
    for (const id of change.remove) {
      const key = accountKey(id);
      if (!existing.has(key) || removed.has(key)) throw new MailStoreError('unknownId', id, `no account ${id} to remove`);
      removed.add(key);
    }
    const added = new Set<string>();
    for (const a of change.add) {
      const key = accountKey(a.id);
      if (added.has(key) || (!a.managed && existing.has(key) && !removed.has(key))) throw new MailStoreError('duplicateId', a.id, `account ${a.id} already exists`);
      // A managed account's node is the server's: the rule only records what it decided about it.
      if (a.managed && !existing.has(key)) throw new MailStoreError('unknownId', a.id, `managed account ${a.id} has no node`);
      added.add(key);
    }
    const records = this.host.records;
    for (const id of change.remove) {
      const key = accountKey(id);
      if (change.add.some((a) => a.managed && accountKey(a.id) === key)) continue; // the server's node stays: only its record changes
      tree.deleteLocal(id);
      delete records[key];
    }
    for (const a of change.add) {
      const record: AccountRecord = { managed: a.managed, createdAt: a.createdAt, ...(a.replacedUserAccount ? { replacedUserAccount: true } : {}) };
      if (!a.managed) writeUserAccount(tree, a, this.host.userScope);
      records[accountKey(a.id)] = record;
    }
    this.host.changed();
  }

  async clear(): Promise<void> {
    const accounts = readTreeAccounts(this.host.tree());
    await this.apply({ remove: accounts.map((a) => a.uri), add: [] });
  }
}

/** The mail-store view of an account node; undefined while it has no address or host. */
export function mailAccountOf(t: TreeAccount, record: AccountRecord | undefined): MailAccount | undefined {
  const a = t.account;
  if (a.email === undefined || a.host === undefined) return undefined;
  // No record: a node nobody on the device made, i.e. the server's (records are written as the device acts).
  const managed = record?.managed ?? true;
  const { accountName, username, daysToSync, useSsl, syncSchedule, contentTypes, authMethod } = a.settings;
  return {
    id: t.uri,
    email: a.email,
    host: a.host,
    ...(a.username !== undefined ? { username: a.username } : {}),
    settings: {
      ...(accountName !== undefined ? { accountName } : {}),
      ...(username !== undefined ? { username } : {}),
      daysToSync,
      useSsl,
      syncSchedule,
      contentTypes: [...contentTypes],
      authMethod,
    },
    managed,
    ...(managed ? { managedBy: t.nodeName } : {}),
    ...(record?.replacedUserAccount ? { replacedUserAccount: true } : {}),
    createdAt: record?.createdAt ?? 0,
  };
}

/**
 * The nodes of an account the user set up, written as the shared mapping writes a profile's (the
 * mail app's defaults where the user chose nothing: the CSP's DefaultValues, every content type).
 */
function writeUserAccount(tree: DmTree, a: MailAccount, scope: ActiveSyncScope): void {
  const platform: ActiveSyncPlatform = scope === 'user' ? 'windows10' : 'windowsPhone81';
  const s = a.settings;
  const settings = {
    host: a.host,
    accountName: s.accountName ?? a.email,
    useSsl: s.useSsl ?? true,
    daysToSync: s.daysToSync ?? 7,
    syncSchedule: s.syncSchedule ?? ('asMessagesArrive' as const),
    ...(s.contentTypes ? { contentTypes: s.contentTypes } : {}),
  };
  const identity = { email: a.email, username: a.username ?? s.username ?? a.email };
  const guid = /\{([0-9A-Fa-f-]{36})\}|%7B([0-9A-Fa-f-]{36})%7D/i.exec(a.id);
  const accountGuid = guid?.[1] ?? guid?.[2];
  if (!accountGuid || scopeOfPlatform(platform) !== scope) throw new MailStoreError('unknownId', a.id, `${a.id} is not an ActiveSync account node`);
  let nodes;
  try {
    nodes = activeSyncAccountNodes({ platform, accountGuid, settings, identity });
  } catch {
    // A value this client does not offer (WP 8.1 has no 1-day window): the mail app's default instead.
    nodes = activeSyncAccountNodes({ platform, accountGuid, settings: { ...settings, daysToSync: 7 }, identity });
  }
  for (const n of nodes) tree.setLocal(n.locUri, n.value);
}
