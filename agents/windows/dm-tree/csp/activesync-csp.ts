import { ACTIVESYNC_ROOT, CONTENT_TYPE_GUIDS } from '../../../../protocol/windows/activesync/index.js';
import { DmStatus } from '../dm-command.js';
import type { CspContext, CspHandler, JsonObject } from '../csp-handler.js';
import { parseLocUri } from '../loc-uri.js';

/**
 * The ActiveSync CSP (Microsoft, "ActiveSync CSP" page; both the user path of Windows 10 and the
 * deprecated device path of Windows Phone 8.1, one CSP behind both). Quirks beyond its DDF:
 *
 * - "Provisioning with an account that has the same GUID as an existing one deletes the existing
 *   account and doesn't create the new account." An Add of an existing account node therefore
 *   deletes that account — at once and outside any Atomic, since the page's outcome could not hold
 *   if an Atomic rolled the deletion back — and answers 418 like any Add of an existing node. The
 *   rest of the same message cannot create an account under that GUID again (404).
 * - AccountType "is entered during setup and cannot be modified once entered": a Replace with
 *   another value answers 405 (command not allowed, the code for writing a read-only node).
 * - UserName "cannot be changed after a sync has been successfully performed" (405 likewise). The
 *   simulated mail client syncs as soon as an account is complete (EmailAddress, ServerName and
 *   UserName set) and committed: a real client starts its first sync at once and, here, the
 *   Exchange server always answers. With `syncOnCommit: false` the device decides instead
 *   (markActiveSyncSynced).
 * - Password: "For the Get command, only asterisks are returned."
 * - ContentTypes/{Content Type GUID}: "The GUID values allowed are one of" Email, Contacts,
 *   Calendar, Tasks (DDF v2 UniqueName); another GUID is refused (500, the CSP failing the command).
 */

export const ACTIVESYNC_CSP_ID = 'activesync';
export const ACTIVESYNC_USER_ROOT = ACTIVESYNC_ROOT.user;
export const ACTIVESYNC_DEVICE_ROOT = ACTIVESYNC_ROOT.device;

/** What a Get of an account's Password answers. */
export const MASKED_PASSWORD = '********';

/** The content type GUIDs of the ActiveSync CSP page, as node names. */
const KNOWN_CONTENT_TYPES = new Set(Object.values(CONTENT_TYPE_GUIDS).map((g) => `{${g}}`.toLowerCase()));
const TOMBSTONES = 'activesync:tombstones';

export interface ActiveSyncCspOptions {
  /** The mail client syncs (successfully) as soon as a complete account committed. Default true. */
  syncOnCommit?: boolean;
}

export function activeSyncCsp(options: ActiveSyncCspOptions = {}): CspHandler {
  const syncOnCommit = options.syncOnCommit ?? true;
  return {
    id: ACTIVESYNC_CSP_ID,
    roots: [ACTIVESYNC_USER_ROOT, ACTIVESYNC_DEVICE_ROOT],

    addedExisting(node, ctx) {
      if (node.template !== 'Accounts/*') return;
      ctx.deleteNow(node.uri);
      tombstones(ctx).add(accountKey(node.rootPath, node.names[1]!));
    },

    checkWrite(write, ctx) {
      const account = write.template.startsWith('Accounts/*') ? accountKey(write.rootPath, write.names[1]!) : undefined;
      if (account && tombstones(ctx).has(account)) {
        return { code: DmStatus.notFound, reason: 'an Add of this existing account GUID deleted the account; it is not created again (use a new GUID)' };
      }
      if (write.op === 'Replace' && write.previous !== undefined && write.previous !== write.value) {
        if (write.template === 'Accounts/*/AccountType') {
          return { code: DmStatus.commandNotAllowed, reason: 'AccountType cannot be modified once entered' };
        }
        if (write.template === 'Accounts/*/UserName' && account && syncedAccounts(ctx.state).includes(account)) {
          return { code: DmStatus.commandNotAllowed, reason: 'UserName cannot be changed after the account synced' };
        }
      }
      if (write.op !== 'Delete' && write.template === 'Accounts/*/Options/ContentTypes/*' && !KNOWN_CONTENT_TYPES.has(write.names[4]!.toLowerCase())) {
        return { code: DmStatus.commandFailed, reason: `${write.names[4]} is not an ActiveSync content type (Email, Contacts, Calendar, Tasks)` };
      }
      return undefined;
    },

    readValue(node, value) {
      return node.template === 'Accounts/*/Password' ? MASKED_PASSWORD : value;
    },

    committed(_changes, ctx) {
      const before = syncedAccounts(ctx.state);
      const now: string[] = [];
      for (const root of [ACTIVESYNC_USER_ROOT, ACTIVESYNC_DEVICE_ROOT]) {
        const accounts = [...root.split('/').slice(1), 'Accounts'];
        for (const guid of ctx.childrenAt(accounts) ?? []) {
          const key = accountKey(root, guid);
          const complete = ['EmailAddress', 'ServerName', 'UserName'].every((leaf) => ctx.valueAt([...accounts, guid, leaf]));
          if (before.includes(key) || (syncOnCommit && complete)) now.push(key);
        }
      }
      if (now.length !== before.length || now.some((k, i) => k !== before[i])) ctx.setState({ ...ctx.state, synced: now });
    },
  };
}

/** What the two functions below need of a DmTree (its CSP state). */
export interface CspStateHolder {
  cspState(id: string): Readonly<JsonObject> | undefined;
  setCspState(id: string, state: JsonObject): void;
}

/** Records that the account's mail client synced (for a tree whose handler has `syncOnCommit: false`). */
export function markActiveSyncSynced(tree: CspStateHolder, accountUri: string): void {
  const state = tree.cspState(ACTIVESYNC_CSP_ID) ?? {};
  const synced = syncedAccounts(state);
  const key = canonicalAccountKey(accountUri);
  if (!synced.includes(key)) tree.setCspState(ACTIVESYNC_CSP_ID, { ...state, synced: [...synced, key] });
}

/** Whether the account's mail client has synced (so its UserName is fixed). */
export function isActiveSyncSynced(tree: Pick<CspStateHolder, 'cspState'>, accountUri: string): boolean {
  return syncedAccounts(tree.cspState(ACTIVESYNC_CSP_ID) ?? {}).includes(canonicalAccountKey(accountUri));
}

function syncedAccounts(state: Readonly<Record<string, unknown>>): string[] {
  const synced = state['synced'];
  return Array.isArray(synced) ? synced.filter((s): s is string => typeof s === 'string') : [];
}

/** How an account is known in the CSP's state: its path with the GUID decoded, in lower case. */
function accountKey(rootPath: string, guid: string): string {
  return `${rootPath}/Accounts/${guid}`.toLowerCase();
}

/** The key of an account named by a LocURI (any accepted spelling). */
function canonicalAccountKey(uri: string): string {
  const parsed = parseLocUri(uri, { maxLength: 8192, maxSegmentLength: 1024, maxDepth: 128 });
  return (parsed.ok ? `./${parsed.segments.join('/')}` : uri.trim()).toLowerCase();
}

function tombstones(ctx: CspContext): Set<string> {
  let set = ctx.batch.get(TOMBSTONES) as Set<string> | undefined;
  if (!set) {
    set = new Set();
    ctx.batch.set(TOMBSTONES, set);
  }
  return set;
}
