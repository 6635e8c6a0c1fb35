import {
  ACTIVESYNC_ROOT,
  CONTENT_TYPE_GUIDS,
  parseActiveSyncUri,
  readActiveSyncAccounts,
  type ActiveSyncAccount,
  type ActiveSyncScope,
} from '../../../protocol/windows/activesync/index.js';
import { canonicalLocUri, encodeSegment, type DmTree, type DmTreeEvent } from '../dm-tree/index.js';

/**
 * The ActiveSync account nodes of a device's tree, read with the one mapping of nodes to settings
 * that the server shares (protocol/windows/activesync): both roots, the user path of Windows 10
 * (`./User/Vendor/MSFT/ActiveSync`) and the device path of Windows Phone 8.1
 * (`./Vendor/MSFT/ActiveSync`), each account in creation order.
 */
export interface TreeAccount {
  /** The account node's canonical LocURI (braces as %7B / %7D). */
  uri: string;
  /** The node name as created, `{C556E16F-…}`. */
  nodeName: string;
  scope: ActiveSyncScope;
  account: ActiveSyncAccount;
}

const SCOPES: readonly ActiveSyncScope[] = ['user', 'device'];
const LEAVES = ['EmailAddress', 'ServerName', 'UserName', 'AccountName', 'AccountType', 'Options/UseSSL', 'Options/MailAgeFilter', 'Options/Schedule'];
const CONTENT_TYPE_NODES = Object.values(CONTENT_TYPE_GUIDS).map((g) => `Options/ContentTypes/${encodeSegment(`{${g}}`)}/Enabled`);
const IDENTITY_LEAVES = new Set(['EmailAddress', 'ServerName', 'UserName', 'AccountName', 'AccountType']);

/** How an account is known in the device's records: its canonical LocURI in lower case. */
export function accountKey(uri: string): string {
  return (canonicalLocUri(uri) ?? uri).toLowerCase();
}

/** The LocURI of a new account node named `{guid}` under a scope's root. */
export function accountUri(scope: ActiveSyncScope, guid: string): string {
  return `${ACTIVESYNC_ROOT[scope]}/Accounts/${encodeSegment(`{${guid.replace(/^\{|\}$/g, '')}}`)}`;
}

/** Every ActiveSync account in the tree. An account whose values the mapping refuses is read with its identity only. */
export function readTreeAccounts(tree: DmTree): TreeAccount[] {
  const out: TreeAccount[] = [];
  for (const scope of SCOPES) {
    for (const name of tree.children(`${ACTIVESYNC_ROOT[scope]}/Accounts`) ?? []) {
      const uri = `${ACTIVESYNC_ROOT[scope]}/Accounts/${encodeSegment(name)}`;
      const account = readOne(tree, uri);
      if (account) out.push({ uri, nodeName: name, scope, account });
    }
  }
  return out;
}

function readOne(tree: DmTree, uri: string): ActiveSyncAccount | undefined {
  const nodes: { locUri: string; value?: string }[] = [{ locUri: uri }];
  for (const leaf of [...LEAVES, ...CONTENT_TYPE_NODES]) {
    const value = tree.value(`${uri}/${leaf}`);
    if (value !== undefined) nodes.push({ locUri: `${uri}/${leaf}`, value });
  }
  try {
    return readActiveSyncAccounts(nodes)[0];
  } catch {
    // A value outside the mapping (a Schedule the DDF allows but the mapping does not): the account
    // is still there with its identity; its settings read as the CSP's defaults.
    return readActiveSyncAccounts(nodes.filter((n) => n.locUri === uri || IDENTITY_LEAVES.has(n.locUri.slice(uri.length + 1))))[0];
  }
}

/**
 * The accounts (keys) a tree event touched: every change inside an account's subtree names its
 * account. The device re-reads those; one no longer in the tree was deleted.
 */
export function accountsChanged(event: DmTreeEvent): string[] {
  const out = new Set<string>();
  for (const change of event.changes) {
    const s = change.segments;
    const base = s[0]?.toLowerCase() === 'user' ? 1 : 0;
    const path = s.slice(base, base + 4).map((x) => x.toLowerCase()).join('/');
    if (path !== 'vendor/msft/activesync/accounts' || s.length <= base + 4) continue;
    const uri = `${ACTIVESYNC_ROOT[base === 1 ? 'user' : 'device']}/Accounts/${encodeSegment(s[base + 4]!)}`;
    if (parseActiveSyncUri(uri)) out.add(accountKey(uri));
  }
  return [...out];
}
