import { describe, expect, it } from 'vitest';
import { isMailStoreError } from '../../../agents/core/mail-store.js';
import { rulesFor } from '../../../agents/core/platform-rules.js';
import { DmTree, type DmCommand, type DmTreeEvent } from '../../../agents/windows/dm-tree/index.js';
import { windowsDmDefinitions } from '../../../agents/windows/dm-schema-cache.js';
import type { AccountRecords } from '../../../agents/windows/mail/account-records.js';
import { takeServerAccounts } from '../../../agents/windows/mail/managed-accounts.js';
import { accountKey, accountsChanged, accountUri, readTreeAccounts } from '../../../agents/windows/mail/tree-accounts.js';
import { WindowsMailStore } from '../../../agents/windows/mail/windows-mail-store.js';
import { WINDOWS_VARIANTS } from '../../../agents/windows/variant.js';
import { activeSyncAccountNodes, CONTENT_TYPE_GUIDS } from '../../../protocol/windows/activesync/index.js';

const G1 = 'C556E16F-56C4-4EDB-9C64-D9469EE1FBE0';
const G2 = '0A3F2D10-1234-4ABC-8DEF-001122334455';
const G3 = '11111111-2222-4333-8444-555555555555';

function world(platform: 'windows10' | 'windowsPhone81' = 'windows10') {
  const variant = WINDOWS_VARIANTS[platform];
  const defs = windowsDmDefinitions(variant);
  const tree = new DmTree(defs.schema, { handlers: defs.handlers });
  const records: AccountRecords = {};
  const touched: string[] = [];
  tree.subscribe((e: DmTreeEvent) => {
    if (e.origin === 'server') touched.push(...accountsChanged(e));
  });
  let changes = 0;
  const store = new WindowsMailStore({ tree: () => tree, records, userScope: variant.activeSyncScope, changed: () => changes++ });
  let n = 0;
  const ctx = () => ({ newId: () => accountUri(variant.activeSyncScope, [G1, G2, G3][n++]!), now: 1000 + n });
  /** The server adds a profile's account the way mdmlab's server does (one Atomic of Adds, protocol/windows/activesync). */
  const serverAdds = (guid: string, o: { email?: string; host?: string; profilePlatform?: 'windows10' | 'windowsPhone81'; daysToSync?: number } = {}) => {
    const nodes = activeSyncAccountNodes({
      platform: o.profilePlatform ?? platform,
      accountGuid: guid,
      settings: { host: o.host ?? 'mail.contoso.com', accountName: 'Corp mail', useSsl: true, daysToSync: o.daysToSync ?? 7 },
      identity: { email: o.email ?? 'alice@contoso.com', username: 'alice' },
    });
    const atomic: DmCommand = { kind: 'Atomic', cmdId: '1', commands: nodes.map((x, i) => ({ kind: 'Add', cmdId: String(i + 2), items: [{ target: x.locUri, format: x.format, ...(x.value !== undefined ? { data: x.value } : {}) }] })) };
    return tree.execute([atomic])[0]!;
  };
  const take = async () => {
    const keys = touched.splice(0);
    return takeServerAccounts(store, tree, records, keys, rulesFor(platform), 5000);
  };
  return { tree, records, store, ctx, serverAdds, take, changes: () => changes };
}

describe('the Windows mail store is a view of the ActiveSync account nodes', () => {
  it('keeps an account the user sets up as account nodes under the user path (Windows 10) or the device path (Windows Phone 8.1)', async () => {
    for (const [platform, root] of [['windows10', './User/Vendor/MSFT/ActiveSync'], ['windowsPhone81', './Vendor/MSFT/ActiveSync']] as const) {
      const w = world(platform);
      const ctx = w.ctx();
      const result = rulesFor(platform).addUserAccount(await w.store.list(), { email: 'Eve@Contoso.com', host: 'mail.contoso.com', settings: { syncSchedule: 'manual' } }, ctx);
      await w.store.apply(result.change);
      const uri = `${root}/Accounts/%7B${G1}%7D`;
      expect(w.tree.value(`${uri}/EmailAddress`)).toBe('Eve@Contoso.com');
      expect(w.tree.value(`${uri}/UserName`)).toBe('Eve@Contoso.com');
      expect(w.tree.value(`${uri}/Options/Schedule`)).toBe('0');
      expect(w.tree.value(`${uri}/Options/ContentTypes/%7B${CONTENT_TYPE_GUIDS.email}%7D/Enabled`)).toBe('1');
      expect(await w.store.list()).toEqual([
        {
          id: uri,
          email: 'Eve@Contoso.com',
          host: 'mail.contoso.com',
          username: 'Eve@Contoso.com',
          settings: { accountName: 'Eve@Contoso.com', username: 'Eve@Contoso.com', daysToSync: 7, useSsl: true, syncSchedule: 'manual', contentTypes: ['email', 'contacts', 'calendar', 'tasks'], authMethod: 'password' },
          managed: false,
          createdAt: 1000,
        },
      ]);
      expect(w.records[accountKey(uri)]).toEqual({ managed: false, createdAt: 1000 });
      expect(w.changes()).toBe(1);
      // Removing it deletes its node.
      await w.store.apply({ remove: [uri], add: [] });
      expect(w.tree.exists(uri)).toBe(false);
      expect(await w.store.list()).toEqual([]);
      expect(w.records).toEqual({});
    }
  });

  it('takes a managed account the server added as managed, named by its node; a user duplicate (address and host) is replaced, others stay', async () => {
    const w = world();
    for (const request of [{ email: 'alice@contoso.com', host: 'MAIL.contoso.com' }, { email: 'alice@contoso.com', host: 'old.contoso.com' }]) {
      await w.store.apply(rulesFor('windows10').addUserAccount(await w.store.list(), request, w.ctx()).change);
    }
    expect(w.serverAdds(G3).code).toBe(200);
    const outcomes = await w.take();
    expect(outcomes).toEqual([expect.objectContaining({ kind: 'replacedUserAccount', replaced: [expect.objectContaining({ host: 'MAIL.contoso.com', managed: false })] })]);
    const accounts = await w.store.list();
    expect(accounts.map((a) => [a.host, a.managed, a.replacedUserAccount ?? false, a.managedBy])).toEqual([
      ['old.contoso.com', false, false, undefined],
      ['mail.contoso.com', true, true, `{${G3}}`],
    ]);
    expect(accounts[1]!.createdAt).toBe(5000);
    expect(w.tree.exists(accountUri('user', G1))).toBe(false);

    // A new version of the same account (the server replaces values): updated, same id, still "replaced".
    w.tree.execute([{ kind: 'Atomic', cmdId: '9', commands: [{ kind: 'Replace', cmdId: '10', items: [{ target: `${accountUri('user', G3)}/Options/MailAgeFilter`, data: '4' }] }] }]);
    expect(await w.take()).toEqual([expect.objectContaining({ kind: 'updated' })]);
    expect((await w.store.list())[1]).toMatchObject({ id: accountUri('user', G3), createdAt: 5000, replacedUserAccount: true, settings: { daysToSync: 14 } });

    // The server deletes its account node: the user's remaining account stays.
    w.tree.execute([{ kind: 'Delete', cmdId: '11', items: [{ target: accountUri('user', G3) }] }]);
    expect(await w.take()).toEqual([{ kind: 'removed', key: accountKey(accountUri('user', G3)) }]);
    expect((await w.store.list()).map((a) => a.host)).toEqual(['old.contoso.com']);
    expect(Object.keys(w.records)).toEqual([accountKey(accountUri('user', G2))]);
  });

  it('refuses a change it cannot apply whole, and changes nothing', async () => {
    const w = world();
    await w.store.apply(rulesFor('windows10').addUserAccount([], { email: 'a@b.c', host: 'h' }, w.ctx()).change);
    const before = await w.store.list();
    const unknown = await w.store.apply({ remove: [before[0]!.id, accountUri('user', G3)], add: [] }).catch((e: unknown) => e);
    expect(isMailStoreError(unknown, 'unknownId')).toBe(true);
    const managedWithoutNode = { ...before[0]!, id: accountUri('user', G2), managed: true };
    expect(isMailStoreError(await w.store.apply({ remove: [before[0]!.id], add: [managedWithoutNode] }).catch((e: unknown) => e), 'unknownId')).toBe(true);
    expect(isMailStoreError(await w.store.apply({ remove: [], add: [before[0]!] }).catch((e: unknown) => e), 'duplicateId')).toBe(true);
    expect(await w.store.list()).toEqual(before);
    expect(w.tree.exists(before[0]!.id)).toBe(true);
  });

  it('reads a windowsPhone81 profile on a Windows 10 device under the device path, and skips an account without address or host', async () => {
    const w = world('windows10');
    expect(w.serverAdds(G1, { profilePlatform: 'windowsPhone81', daysToSync: 3 }).code).toBe(200);
    w.tree.execute([{ kind: 'Atomic', cmdId: '20', commands: [{ kind: 'Add', cmdId: '21', items: [{ target: accountUri('user', G2), format: 'node' }] }] }]);
    const outcomes = await w.take();
    expect(outcomes.map((o) => o.kind)).toEqual(['installed', 'ignored']);
    expect(readTreeAccounts(w.tree).map((a) => a.scope)).toEqual(['user', 'device']);
    expect(await w.store.list()).toEqual([expect.objectContaining({ id: accountUri('device', G1), managed: true, settings: expect.objectContaining({ daysToSync: 3 }) })]);
  });
});
