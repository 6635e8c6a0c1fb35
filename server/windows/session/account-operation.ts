import { randomUUID } from 'node:crypto';
import { accountIdentityFor, type DirectoryUser } from '../../../protocol/admin/account-identity.js';
import { activeSyncAccountNodes, activeSyncAccountUri, type ActiveSyncPlatform } from '../../../protocol/windows/activesync/account-nodes.js';
import type { ItemCommand, SyncMLCommand } from '../../../protocol/windows/syncml/types.js';
import type { EmailProfileRecord, WindowsAccountRecord, WindowsSentCommandRecord } from '../../store/records.js';

/**
 * One profile operation on a device's ActiveSync CSP (Microsoft's ActiveSync CSP page), rendered at
 * session time with the session's CmdIDs:
 * - add: an Atomic of Adds, the account node first then its leaves (the account node is
 *   AtomicRequired in the CSP's DDF), under the GUID the server keeps for this device and profile;
 * - replace: a new version of an account the device confirmed: an Atomic of Replaces of every leaf
 *   but AccountType ("cannot be modified once entered"); idempotent, so a resend is harmless;
 * - recreate: the user name changed, which a synced account cannot take ("UserName cannot be
 *   changed after a sync has been successfully performed"): an Atomic deleting the account and
 *   adding it again under a new GUID;
 * - delete: a Delete of the account node (the whole subtree goes with it).
 */
export type OperationKind = 'add' | 'replace' | 'recreate' | 'delete';

/** What an operation changes, kept with its sent SyncML until the device answers. */
export interface OperationPayload {
  kind: OperationKind;
  profileId: string;
  platform: ActiveSyncPlatform;
  /** The GUID the operation leaves the account under (the new one of a recreate). */
  accountGuid: string;
  /** recreate: the GUID it deletes. */
  previousGuid?: string;
  /** The leaves the device holds once it confirms (add, replace, recreate). */
  values?: Record<string, string>;
}

export type SentPart = Omit<WindowsSentCommandRecord, 'deviceId' | 'sessionId' | 'msgId'>;

export interface RenderedOperation {
  command: SyncMLCommand;
  /** The operation's own row first, then one per command inside its Atomic. */
  sent: SentPart[];
  payload: OperationPayload;
}

/** A fresh account GUID: "use a new GUID" for every new account (ActiveSync CSP). */
export const newAccountGuid = (): string => randomUUID().toUpperCase();

const NODE_META = { format: 'node' } as const;
const CHR_META = { format: 'chr', type: 'text/plain' } as const;
/** Leaves a Replace must not touch (ActiveSync CSP: AccountType "cannot be modified once entered"). */
const NOT_REPLACED = new Set(['AccountType']);

/** The account's leaves for this device: path below the account node → value. */
export function accountValues(profile: EmailProfileRecord, user: DirectoryUser, guid: string): { accountUri: string; values: Record<string, string> } {
  const platform = profile.definition.platform as ActiveSyncPlatform;
  const nodes = activeSyncAccountNodes({ platform, accountGuid: guid, settings: profile.definition, identity: accountIdentityFor(profile.definition, user) });
  const accountUri = nodes[0]!.locUri;
  const values: Record<string, string> = {};
  for (const n of nodes.slice(1)) values[n.locUri.slice(accountUri.length + 1)] = n.value ?? '';
  return { accountUri, values };
}

/** Brings the profile onto the device: add, replace or recreate, from what the device confirmed of its account. */
export function renderInstall(profile: EmailProfileRecord, user: DirectoryUser, account: WindowsAccountRecord | undefined, nextCmdId: () => string, commandUuid: string): RenderedOperation {
  const platform = profile.definition.platform as ActiveSyncPlatform;
  const guid = account?.accountGuid ?? newAccountGuid();
  const current = accountValues(profile, user, guid);
  const confirmed = account?.confirmed;
  const payload = (kind: OperationKind): OperationPayload => ({ kind, profileId: profile.id, platform, accountGuid: guid, values: current.values });
  if (!confirmed) return atomic(payload('add'), nextCmdId, commandUuid, (part) => addAccount(current.accountUri, current.values, part));
  if (confirmed['UserName'] === undefined || confirmed['UserName'] === current.values['UserName']) {
    return atomic(payload('replace'), nextCmdId, commandUuid, (part) =>
      Object.entries(current.values)
        .filter(([path]) => !NOT_REPLACED.has(path))
        .map(([path, value]) => part('Replace', `${current.accountUri}/${path}`, CHR_META, value)),
    );
  }
  const fresh = newAccountGuid();
  const next = accountValues(profile, user, fresh);
  return atomic({ kind: 'recreate', profileId: profile.id, platform, accountGuid: fresh, previousGuid: guid, values: next.values }, nextCmdId, commandUuid, (part) => [
    part('Delete', activeSyncAccountUri(platform, guid)),
    ...addAccount(next.accountUri, next.values, part),
  ]);
}

/** Takes the profile's account off the device. */
export function renderRemove(profileId: string, platform: ActiveSyncPlatform, account: WindowsAccountRecord, nextCmdId: () => string, commandUuid: string): RenderedOperation {
  const target = activeSyncAccountUri(platform, account.accountGuid);
  const cmdId = nextCmdId();
  const payload: OperationPayload = { kind: 'delete', profileId, platform, accountGuid: account.accountGuid };
  return {
    command: { kind: 'Delete', cmdId, items: [{ target }] },
    sent: [{ cmdId, commandUuid, role: 'operation', verb: 'Delete', target, payload: { ...payload } }],
    payload,
  };
}

type Part = (verb: 'Add' | 'Replace' | 'Delete', target: string, meta?: ItemCommand['meta'], data?: string) => ItemCommand;

function addAccount(accountUri: string, values: Record<string, string>, part: Part): ItemCommand[] {
  return [part('Add', accountUri, NODE_META), ...Object.entries(values).map(([path, value]) => part('Add', `${accountUri}/${path}`, CHR_META, value))];
}

function atomic(payload: OperationPayload, nextCmdId: () => string, commandUuid: string, build: (part: Part) => ItemCommand[]): RenderedOperation {
  const atomicId = nextCmdId();
  const sent: SentPart[] = [{ cmdId: atomicId, commandUuid, role: 'operation', verb: 'Atomic', payload: { ...payload } }];
  const part: Part = (verb, target, meta, data) => {
    const cmdId = nextCmdId();
    sent.push({ cmdId, commandUuid, role: 'part', verb, target });
    return { kind: verb, cmdId, items: [{ target, ...(meta ? { meta: { ...meta } } : {}), ...(data !== undefined ? { data } : {}) }] };
  };
  const commands = build(part);
  return { command: { kind: 'Atomic', cmdId: atomicId, commands }, sent, payload };
}
