import type {
  MailAccount,
  ManagedAccountRequest,
  UserAccountRequest,
  WorkApp,
} from './mail-account.js';
import type { MailStoreChange } from './mail-store.js';

/**
 * The vocabulary of the platform rule table (platform-rules.ts): what a rule is given and the
 * typed outcomes it returns. Every outcome carries the MailStoreChange the agent applies to its
 * store (NO_CHANGE for blocked, refused and waiting outcomes), so an outcome and the store can
 * never disagree.
 */

/** What a rule needs from the world; nothing else (no clock, no randomness) reaches it. */
export interface RuleContext {
  /** Id for a new account; deterministic in seeded scenarios. Called only when an account is created. */
  newId: () => string;
  /** Logical time, stored as `createdAt`. */
  now: number;
  /** androidForWork: the apps installed in the work profile. */
  installedApps?: readonly WorkApp[];
}

/** A profile's managed account arriving on the device. */
export type ManagedInstallResult =
  /** No account of this profile was there, and no duplicate. */
  | { kind: 'installed'; account: MailAccount; change: MailStoreChange }
  /** The same profile re-applied: its previous managed account is replaced, one remains. */
  | { kind: 'updated'; account: MailAccount; previous: MailAccount; change: MailStoreChange }
  /** Windows, KNOX, Android for Work: the user's duplicate(s) removed, `account.replacedUserAccount` is true. */
  | { kind: 'replacedUserAccount'; account: MailAccount; replaced: MailAccount[]; change: MailStoreChange }
  /**
   * KNOX (and Windows, Android for Work): another profile's managed account was a duplicate and is
   * replaced. Reported so the server can detect two profiles replacing each other (flapping).
   * `replaced` lists every account removed besides this profile's own (user duplicates too).
   */
  | {
      kind: 'replacedOtherProfile';
      account: MailAccount;
      replaced: MailAccount[];
      otherProfileIds: string[];
      change: MailStoreChange;
    }
  /** iOS: a user-created account with the same email and host blocks the install; store unchanged. */
  | { kind: 'blockedByUserAccount'; blocking: MailAccount; change: MailStoreChange }
  /** iOS: another profile's account with the same email and host (MCEASErrorDomain 21005 "account not unique"); store unchanged. */
  | { kind: 'blockedByOtherProfile'; blocking: MailAccount; change: MailStoreChange }
  /** Android for Work: the app is not installed in the work profile; store unchanged until it is. */
  | { kind: 'waitingForApp'; app: WorkApp; change: MailStoreChange };

/** The user setting up an account by hand. */
export type UserAddResult =
  | { kind: 'added'; account: MailAccount; change: MailStoreChange }
  /** The device says "account already exists"; store unchanged. */
  | { kind: 'refusedDuplicate'; existing: MailAccount; change: MailStoreChange }
  /** KNOX: added although `managed` (a profile's account for that address) exists; the next sync replaces it. */
  | { kind: 'acceptedUntilSync'; account: MailAccount; managed: MailAccount; change: MailStoreChange }
  /** Android for Work: the personal profile's store takes it; `managedInWork` lists work accounts with the same address, untouched. */
  | { kind: 'addedToPersonal'; account: MailAccount; managedInWork: MailAccount[]; change: MailStoreChange };

/** The profile is removed from the device (undeployed, deleted, device left the group). */
export interface ManagedRemoveResult {
  removed: MailAccount[];
  change: MailStoreChange;
}

/** The user deleting an account by hand. */
export type UserRemoveResult =
  | { kind: 'removed'; account: MailAccount; change: MailStoreChange }
  /** Only a managed account matches; it goes only with its profile. Store unchanged. */
  | { kind: 'refusedManaged'; account: MailAccount; change: MailStoreChange }
  | { kind: 'notFound'; change: MailStoreChange };

/** One row of the platform rule table. All functions are pure over the snapshot they are given. */
export interface PlatformRule {
  /** One sentence for docs and UI. */
  describe: string;
  /**
   * Which fields make a managed account and another account "the same account" on this platform
   * (the "a duplicate is" column of docs/email-profiles.md's duplicate table). Two accounts are duplicates when their keys
   * are equal; `undefined` means the account is never matched.
   */
  duplicateKey: (account: Pick<MailAccount, 'email' | 'host' | 'androidProfile'>) => string | undefined;
  installManaged: (
    accounts: readonly MailAccount[],
    request: ManagedAccountRequest,
    ctx: RuleContext,
  ) => ManagedInstallResult;
  addUserAccount: (accounts: readonly MailAccount[], request: UserAccountRequest, ctx: RuleContext) => UserAddResult;
}

export type MailRuleErrorCode = 'appRequired'; // an androidForWork managed request without `app`

/** A request a rule cannot evaluate (a programming error of the calling agent, not a device outcome). */
export class MailRuleError extends Error {
  readonly code: MailRuleErrorCode;

  constructor(code: MailRuleErrorCode, message: string) {
    super(message);
    this.name = 'MailRuleError';
    this.code = code;
  }
}
