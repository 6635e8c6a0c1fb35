import { describe, expect, it } from 'vitest';
import {
  activeSyncAccountsChanged,
  ACTIVESYNC_CONTENT_TYPES,
  readActiveSyncAccount,
  readActiveSyncAccounts,
  type DmTreeEvent,
} from '../../../../agents/windows/dm-tree/index.js';
import { accountAdds, add, atomic, del, deviceAccount, enc, GUID, GUID2, newTree, replace, run, userAccount } from './helpers.js';

describe('ActiveSync accounts read from the tree', () => {
  it('reads each account with its identity and the settings its mail client uses', () => {
    const tree = newTree();
    const a = userAccount();
    run(
      tree,
      atomic(
        ...accountAdds(a, { email: 'alice@contoso.com', host: 'mail.contoso.com', user: 'alice', name: 'Corp mail' }),
        add(`${a}/Domain`, 'CONTOSO'),
        add(`${a}/Options/Schedule`, '30'),
        add(`${a}/Options/ContentTypes/${enc(ACTIVESYNC_CONTENT_TYPES.contacts)}/Enabled`, '0'),
        add(`${a}/Options/ContentTypes/${enc(ACTIVESYNC_CONTENT_TYPES.calendar.toUpperCase())}/Name`, 'Calendar'),
      ),
    );
    expect(readActiveSyncAccounts(tree)).toEqual([
      {
        guid: GUID,
        uri: a,
        path: 'user',
        email: 'alice@contoso.com',
        host: 'mail.contoso.com',
        username: 'alice',
        accountName: 'Corp mail',
        accountType: 'Exchange',
        domain: 'CONTOSO',
        settings: { accountName: 'Corp mail', username: 'alice', daysToSync: 7, syncSchedule: 30, useSsl: true, contentTypes: ['email', 'calendar'] },
      },
    ]);
  });

  it('applies the CSP defaults to what an account leaves out, and maps every MailAgeFilter and Schedule value', () => {
    const tree = newTree();
    const a = deviceAccount();
    run(tree, add(`${a}/EmailAddress`, 'wp@contoso.com'));
    expect(readActiveSyncAccount(tree, a)).toMatchObject({ path: 'device', settings: { daysToSync: 7, syncSchedule: 'asMessagesArrive', useSsl: true } });
    expect(readActiveSyncAccount(tree, a)!.settings.contentTypes).toBeUndefined();
    const days: Record<string, unknown> = { '0': 'unlimited', '1': 1, '2': 3, '3': 7, '4': 14, '5': 30, '6': 90 };
    for (const [filter, expected] of Object.entries(days)) {
      tree.setLocal(`${a}/Options/MailAgeFilter`, filter);
      expect(readActiveSyncAccount(tree, a)!.settings.daysToSync).toBe(expected);
    }
    for (const [schedule, expected] of [['0', 'manual'], ['-1', 'asMessagesArrive'], ['60', 60]] as const) {
      tree.setLocal(`${a}/Options/Schedule`, schedule);
      expect(readActiveSyncAccount(tree, a)!.settings.syncSchedule).toBe(expected);
    }
    tree.setLocal(`${a}/Options/UseSSL`, '0');
    expect(readActiveSyncAccount(tree, `./Device/Vendor/MSFT/ActiveSync/Accounts/${enc(GUID.toLowerCase())}`)!.settings.useSsl).toBe(false);
    expect(readActiveSyncAccount(tree, deviceAccount(GUID2))).toBeUndefined();
  });

  it('names the accounts a tree event touched (the device re-reads them; a missing one was deleted)', () => {
    const tree = newTree();
    const events: DmTreeEvent[] = [];
    tree.subscribe((e) => events.push(e));
    run(tree, atomic(...accountAdds(userAccount()), ...accountAdds(userAccount(GUID2))));
    run(tree, atomic(replace(`${userAccount()}/Options/UseSSL`, '0')));
    run(tree, add(`${deviceAccount()}/EmailAddress`, 'x@y.z'));
    tree.setLocal('./DevInfo/DevId', 'F00D');
    run(tree, del(userAccount(GUID2)));
    expect(events.map(activeSyncAccountsChanged)).toEqual([
      [userAccount().toLowerCase(), userAccount(GUID2).toLowerCase()],
      [userAccount().toLowerCase()],
      [deviceAccount().toLowerCase()],
      [],
      [userAccount(GUID2).toLowerCase()],
    ]);
    expect(readActiveSyncAccounts(tree).map((a) => a.uri)).toEqual([userAccount(), deviceAccount()]);
  });
});
