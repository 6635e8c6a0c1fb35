import type { MailAccount } from '../../core/mail-account.js';
import type { PlatformRule } from '../../core/rule-outcomes.js';
import type { DmTree } from '../dm-tree/index.js';
import type { AccountRecords } from './account-records.js';
import type { WindowsMailStore } from './windows-mail-store.js';

/** What the mail app made of one account the server touched. */
export type ManagedAccountOutcome =
  | { kind: 'installed' | 'updated'; account: MailAccount }
  | { kind: 'replacedUserAccount' | 'replacedOtherProfile'; account: MailAccount; replaced: MailAccount[] }
  | { kind: 'removed'; key: string }
  | { kind: 'ignored'; key: string; reason: string };

/**
 * After the server's commands changed ActiveSync account nodes, the mail app takes the accounts as
 * Windows does, by the Windows rule of agents/core/platform-rules.ts: a managed account with the
 * same address and host as one the user set up replaces it (`replacedUserAccount: true`: Intune,
 * "How Intune handles existing email accounts"); an account the server deleted is gone, and the
 * user's own accounts stay. Runs after each server message, once its commands have all committed,
 * so an Atomic's account is judged whole.
 */
export async function takeServerAccounts(
  store: WindowsMailStore,
  tree: DmTree,
  records: AccountRecords,
  changed: readonly string[],
  rule: PlatformRule,
  now: number,
): Promise<ManagedAccountOutcome[]> {
  const outcomes: ManagedAccountOutcome[] = [];
  for (const key of changed) {
    const all = store.accounts();
    const current = all.find((a) => a.key === key);
    const record = records[key];
    if (!current) {
      if (tree.exists(key)) {
        outcomes.push({ kind: 'ignored', key, reason: 'the account has no address or host yet' });
      } else if (record) {
        delete records[key];
        outcomes.push({ kind: 'removed', key });
      }
      continue;
    }
    if (record && !record.managed) {
      outcomes.push({ kind: 'ignored', key, reason: "the server wrote into an account the user set up: it stays the user's" });
      continue;
    }
    const mine = current.mail;
    const others = all.filter((a) => a.key !== key).map((a) => a.mail);
    const result = rule.installManaged(record ? [...others, mine] : others, {
      profileId: mine.managedBy!,
      email: mine.email,
      host: mine.host,
      ...(mine.username !== undefined ? { username: mine.username } : {}),
      settings: mine.settings,
    }, { newId: () => mine.id, now });
    switch (result.kind) {
      case 'installed':
      case 'updated':
        await store.apply(result.change);
        outcomes.push({ kind: result.kind, account: result.account });
        break;
      case 'replacedUserAccount':
      case 'replacedOtherProfile':
        await store.apply(result.change);
        outcomes.push({ kind: result.kind, account: result.account, replaced: result.replaced });
        break;
      default:
        // Not a Windows outcome (blocked: iOS; waitingForApp: Android for Work): the node stays as the server left it.
        outcomes.push({ kind: 'ignored', key, reason: `the platform rule answered ${result.kind}` });
    }
  }
  return outcomes;
}
