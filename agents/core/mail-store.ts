import type { MailAccount } from './mail-account.js';

/**
 * A device's local mail-account store (an interface with two implementations: an in-memory one for large
 * fleets, a SQLite one for devices that keep their accounts across restarts; both pass
 * test/agents/core/mail-store.contract.ts).
 *
 * Async so that a driver doing real I/O fits behind it. The duplicate rules never touch a store:
 * they read a snapshot (`list()`) and return a MailStoreChange that the agent applies.
 */
export interface MailAccountStore {
  /** Every account, in the order it was added (a removed-and-re-added id moves to the end). */
  list(): Promise<MailAccount[]>;
  get(id: string): Promise<MailAccount | undefined>;
  /**
   * Applies the change atomically: first every `remove` (each id must exist), then every `add`
   * (each id must be free at that point). On any violation nothing is applied and the promise
   * rejects with a MailStoreError.
   */
  apply(change: MailStoreChange): Promise<void>;
  clear(): Promise<void>;
}

/** One atomic edit of a store (SQLite: one transaction). */
export interface MailStoreChange {
  readonly remove: readonly string[];
  readonly add: readonly MailAccount[];
}

/** The change that changes nothing (blocked, refused, waiting outcomes). */
export const NO_CHANGE: MailStoreChange = Object.freeze({ remove: Object.freeze([]), add: Object.freeze([]) });

export function isEmptyChange(change: MailStoreChange): boolean {
  return change.remove.length === 0 && change.add.length === 0;
}

export type MailStoreErrorCode =
  | 'duplicateId' // an added id already exists (and is not removed by the same change) or appears twice in `add`
  | 'unknownId'; // a removed id does not exist (or is removed twice)

/** Thrown (as a rejection) by every MailAccountStore for a change that cannot be applied. */
export class MailStoreError extends Error {
  readonly code: MailStoreErrorCode;
  readonly accountId: string;

  constructor(code: MailStoreErrorCode, accountId: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MailStoreError';
    this.code = code;
    this.accountId = accountId;
  }
}

export function isMailStoreError(err: unknown, code?: MailStoreErrorCode): err is MailStoreError {
  return err instanceof MailStoreError && (code === undefined || err.code === code);
}
