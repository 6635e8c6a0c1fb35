import type { MailAccount } from './mail-account.js';
import type { MailAccountStore, MailStoreChange } from './mail-store.js';
import { MailStoreError } from './mail-store.js';

/**
 * In-memory MailAccountStore: one Map per device, for fleets of thousands of devices.
 *
 * It validates a change exactly as the SQLite store's transaction would fail (removed ids must
 * exist, added ids must be free) before touching the Map, so a bad change leaves it unchanged.
 * Accounts are copied in and out so a caller mutating a returned object cannot edit the store
 * behind its back (the SQLite store has that property for free).
 */
export class MemoryMailStore implements MailAccountStore {
  readonly #accounts = new Map<string, MailAccount>();

  async list(): Promise<MailAccount[]> {
    return Array.from(this.#accounts.values(), copyAccount);
  }

  async get(id: string): Promise<MailAccount | undefined> {
    const account = this.#accounts.get(id);
    return account === undefined ? undefined : copyAccount(account);
  }

  async apply(change: MailStoreChange): Promise<void> {
    const removed = new Set<string>();
    for (const id of change.remove) {
      if (!this.#accounts.has(id) || removed.has(id)) {
        throw new MailStoreError('unknownId', id, `no account ${id} to remove`);
      }
      removed.add(id);
    }
    const added = new Set<string>();
    for (const account of change.add) {
      if ((this.#accounts.has(account.id) && !removed.has(account.id)) || added.has(account.id)) {
        throw new MailStoreError('duplicateId', account.id, `account ${account.id} already exists`);
      }
      added.add(account.id);
    }
    for (const id of removed) this.#accounts.delete(id);
    for (const account of change.add) this.#accounts.set(account.id, copyAccount(account));
  }

  async clear(): Promise<void> {
    this.#accounts.clear();
  }
}

function copyAccount(account: MailAccount): MailAccount {
  const settings = { ...account.settings };
  if (settings.contentTypes) settings.contentTypes = [...settings.contentTypes];
  return { ...account, settings };
}
