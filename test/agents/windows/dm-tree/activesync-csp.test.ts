import { describe, expect, it } from 'vitest';
import {
  CspHandlerSet,
  defaultCspHandlers,
  isActiveSyncSynced,
  markActiveSyncSynced,
  MASKED_PASSWORD,
  type DmTreeEvent,
} from '../../../../agents/windows/dm-tree/index.js';
import { accountAdds, add, atomic, codes, del, deviceAccount, enc, get, GUID2, newTree, replace, run, userAccount } from './helpers.js';

const paths = [
  ['user path (Windows 10)', userAccount()],
  ['device path (Windows Phone 8.1)', deviceAccount()],
] as const;

describe('ActiveSync CSP quirks', () => {
  describe.each(paths)('%s', (_name, a) => {
    it('answers a Get of Password with asterisks, while the device keeps the password', () => {
      const tree = newTree();
      expect(run(tree, atomic(...accountAdds(a), add(`${a}/Password`, 'Secret!123'))).code).toBe(200);
      expect(run(tree, get(`${a}/Password`)).results[0]).toMatchObject({ format: 'chr', data: MASKED_PASSWORD });
      expect(tree.value(`${a}/Password`)).toBe('Secret!123');
    });

    it('an Add of an existing account GUID deletes that account and creates nothing (418), even inside an Atomic', () => {
      const tree = newTree();
      const events: DmTreeEvent[] = [];
      tree.subscribe((e) => events.push(e));
      expect(run(tree, atomic(...accountAdds(a))).code).toBe(200);
      const again = run(tree, atomic(...accountAdds(a, { email: 'bob@contoso.com' })));
      expect(again.code).toBe(507);
      expect(again.children![0]!.code).toBe(418);
      // The rest of the message cannot bring the GUID back.
      expect(again.children!.slice(1).map((c) => c.code)).toEqual(Array(8).fill(404));
      expect(tree.exists(a)).toBe(false);
      expect(tree.children(a.slice(0, a.lastIndexOf('/')))).toEqual([]);
      expect(events.at(-1)!.changes.map((c) => c.uri)).toEqual([a]);
      // A later message may use the GUID again.
      expect(run(tree, atomic(...accountAdds(a, { email: 'carol@contoso.com' }))).code).toBe(200);
      expect(tree.value(`${a}/EmailAddress`)).toBe('carol@contoso.com');
    });

    it('refuses to change AccountType once set (405), accepts the same value again', () => {
      const tree = newTree();
      run(tree, atomic(...accountAdds(a)));
      const changed = run(tree, atomic(replace(`${a}/AccountType`, 'POP')));
      expect(codes(changed)).toEqual([507, 405]);
      expect(changed.children![0]!.items[0]!.reason).toContain('AccountType cannot be modified');
      expect(run(tree, atomic(replace(`${a}/AccountType`, 'Exchange'))).code).toBe(200);
      expect(tree.value(`${a}/AccountType`)).toBe('Exchange');
    });

    it('refuses a new UserName once the account synced (405); before its first sync it may change', () => {
      const tree = newTree();
      // Without ServerName the account cannot sync yet.
      run(tree, atomic(add(a, undefined, 'node'), add(`${a}/EmailAddress`, 'alice@contoso.com'), add(`${a}/UserName`, 'alice')));
      expect(isActiveSyncSynced(tree, a)).toBe(false);
      expect(run(tree, atomic(replace(`${a}/UserName`, 'alice2'))).code).toBe(200);
      run(tree, atomic(add(`${a}/ServerName`, 'mail.contoso.com')));
      expect(isActiveSyncSynced(tree, a)).toBe(true);
      expect(codes(run(tree, atomic(replace(`${a}/UserName`, 'alice3'))))).toEqual([507, 405]);
      expect(run(tree, atomic(replace(`${a}/UserName`, 'alice2'))).code).toBe(200);
      expect(tree.value(`${a}/UserName`)).toBe('alice2');
      // Deleting the account forgets that it synced: a new account under the GUID starts afresh.
      expect(run(tree, del(a)).code).toBe(200);
      expect(isActiveSyncSynced(tree, a)).toBe(false);
    });

    it('accepts only the four documented content type GUIDs (500 otherwise), in any case', () => {
      const tree = newTree();
      run(tree, atomic(...accountAdds(a)));
      const contacts = `${a}/Options/ContentTypes/${enc('{0DD8685C-E272-4FCB-9ECF-2EAD7EA2497B}')}/Enabled`;
      expect(run(tree, atomic(add(contacts, '1'))).code).toBe(200);
      const bogus = run(tree, atomic(add(`${a}/Options/ContentTypes/${enc('{11111111-1111-1111-1111-111111111111}')}/Enabled`, '1')));
      expect(codes(bogus)).toEqual([507, 500]);
      expect(bogus.children![0]!.items[0]!.reason).toContain('not an ActiveSync content type');
    });
  });

  it('keeps the user path and the device path apart', () => {
    const tree = newTree();
    run(tree, atomic(...accountAdds(userAccount())));
    expect(tree.exists(deviceAccount())).toBe(false);
    run(tree, atomic(...accountAdds(deviceAccount(), { email: 'wp@contoso.com' })));
    expect(tree.value(`${userAccount()}/EmailAddress`)).toBe('alice@contoso.com');
    expect(tree.value(`./Device/Vendor/MSFT/ActiveSync/Accounts/${enc('{C556E16F-56C4-4EDB-9C64-D9469EE1FBE0}')}/EmailAddress`)).toBe('wp@contoso.com');
  });

  it('lets the device decide when an account synced (syncOnCommit: false)', () => {
    const tree = newTree({ handlers: new CspHandlerSet(defaultCspHandlers({ activeSync: { syncOnCommit: false } })) });
    const a = userAccount(GUID2);
    run(tree, atomic(...accountAdds(a)));
    expect(run(tree, atomic(replace(`${a}/UserName`, 'other'))).code).toBe(200);
    markActiveSyncSynced(tree, a.replace('./User/Vendor', './user/vendor'));
    expect(isActiveSyncSynced(tree, a)).toBe(true);
    expect(run(tree, atomic(replace(`${a}/UserName`, 'third'))).code).toBe(507);
  });
});
