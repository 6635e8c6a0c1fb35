import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { MailAccount } from '../../../agents/core/mail-account.js';
import type { MailAccountStore } from '../../../agents/core/mail-store.js';
import { isMailStoreError, MailStoreError } from '../../../agents/core/mail-store.js';

/**
 * The behaviour every MailAccountStore must have (the adapter-test pattern: one suite, run by each
 * implementation's test file with its own factory). `makeStore` returns a fresh, empty store and
 * an optional cleanup.
 */
export type StoreFactory = () => Promise<{ store: MailAccountStore; cleanup?: () => Promise<void> | void }>;

export function mailStoreContract(name: string, makeStore: StoreFactory): void {
  describe(`MailAccountStore contract: ${name}`, () => {
    let store: MailAccountStore;
    let cleanup: (() => Promise<void> | void) | undefined;

    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
    });
    afterEach(async () => {
      await cleanup?.();
    });

    it('starts empty', async () => {
      expect(await store.list()).toEqual([]);
      expect(await store.get('nope')).toBeUndefined();
    });

    it('round-trips every field, optional fields absent stay absent', async () => {
      const full = account('a1', {
        email: 'Alice@Contoso.com',
        host: 'Mail.Contoso.com',
        username: 'CONTOSO\\alice',
        managed: true,
        managedBy: 'profile-1',
        androidProfile: 'work',
        app: 'nineWork',
        replacedUserAccount: true,
        createdAt: 42,
        settings: {
          accountName: 'Corp mail',
          username: 'alice',
          daysToSync: 'unlimited',
          useSsl: true,
          syncSchedule: 30,
          contentTypes: ['email', 'calendar', 'notes'],
          authMethod: 'certificate',
          useSmime: false,
          allowSendFromThirdPartyApps: false,
        },
      });
      const bare = account('a2', { settings: {}, replacedUserAccount: false });
      await store.apply({ remove: [], add: [full, bare] });

      expect(await store.get('a1')).toEqual(full);
      const got = await store.get('a2');
      expect(got).toEqual(bare);
      expect(Object.keys(got ?? {}).sort()).toEqual(Object.keys(bare).sort());
      expect(got?.replacedUserAccount).toBe(false);
    });

    it('lists accounts in the order they were added; a replaced id moves to the end', async () => {
      await store.apply({ remove: [], add: [account('a'), account('b')] });
      await store.apply({ remove: [], add: [account('c')] });
      expect((await store.list()).map((a) => a.id)).toEqual(['a', 'b', 'c']);

      await store.apply({ remove: ['a'], add: [account('a', { host: 'new.contoso.com' })] });
      const listed = await store.list();
      expect(listed.map((a) => a.id)).toEqual(['b', 'c', 'a']);
      expect(listed[2]?.host).toBe('new.contoso.com');
    });

    it('removes and adds in one change', async () => {
      await store.apply({ remove: [], add: [account('user-1'), account('keep')] });
      await store.apply({ remove: ['user-1'], add: [account('managed-1', { managed: true, managedBy: 'p1' })] });
      expect((await store.list()).map((a) => a.id)).toEqual(['keep', 'managed-1']);
      expect(await store.get('user-1')).toBeUndefined();
    });

    it('applies an empty change as a no-op', async () => {
      await store.apply({ remove: [], add: [account('a')] });
      await store.apply({ remove: [], add: [] });
      expect((await store.list()).map((a) => a.id)).toEqual(['a']);
    });

    it('rejects adding an id that exists, and applies nothing of that change', async () => {
      await store.apply({ remove: [], add: [account('a'), account('b')] });
      const before = await store.list();

      const err = await store
        .apply({ remove: ['b'], add: [account('c'), account('a', { host: 'other' })] })
        .catch((e: unknown) => e);
      expect(isMailStoreError(err, 'duplicateId')).toBe(true);
      expect((err as MailStoreError).accountId).toBe('a');
      expect(await store.list()).toEqual(before);
    });

    it('rejects a change that adds one id twice, and applies nothing', async () => {
      await store.apply({ remove: [], add: [account('a')] });
      const err = await store.apply({ remove: ['a'], add: [account('x'), account('x')] }).catch((e: unknown) => e);
      expect(isMailStoreError(err, 'duplicateId')).toBe(true);
      expect((await store.list()).map((a) => a.id)).toEqual(['a']);
    });

    it('rejects removing an unknown id (or one id twice), and applies nothing', async () => {
      await store.apply({ remove: [], add: [account('a')] });
      const unknown = await store.apply({ remove: ['a', 'ghost'], add: [account('b')] }).catch((e: unknown) => e);
      expect(isMailStoreError(unknown, 'unknownId')).toBe(true);
      expect((unknown as MailStoreError).accountId).toBe('ghost');

      const twice = await store.apply({ remove: ['a', 'a'], add: [] }).catch((e: unknown) => e);
      expect(isMailStoreError(twice, 'unknownId')).toBe(true);
      expect((await store.list()).map((a) => a.id)).toEqual(['a']);
    });

    it('hands out copies: mutating a returned or applied account does not edit the store', async () => {
      const original = account('a', { settings: { contentTypes: ['email'] } });
      await store.apply({ remove: [], add: [original] });
      original.host = 'mutated-after-apply';

      const listed = await store.list();
      const first = listed[0];
      if (!first) throw new Error('expected one account');
      first.email = 'mutated@example.com';
      first.settings.contentTypes?.push('notes');

      expect(await store.get('a')).toEqual(account('a', { settings: { contentTypes: ['email'] } }));
    });

    it('clear() removes every account', async () => {
      await store.apply({ remove: [], add: [account('a'), account('b')] });
      await store.clear();
      expect(await store.list()).toEqual([]);
      await store.apply({ remove: [], add: [account('a')] });
      expect((await store.list()).map((a) => a.id)).toEqual(['a']);
    });
  });
}

/** A user-created account with the given id; fields overridable. */
export function account(id: string, overrides: Partial<MailAccount> = {}): MailAccount {
  return {
    id,
    email: 'alice@contoso.com',
    host: 'mail.contoso.com',
    settings: { daysToSync: 7 },
    managed: false,
    createdAt: 1,
    ...overrides,
  };
}
