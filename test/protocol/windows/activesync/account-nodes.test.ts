import { describe, expect, it } from 'vitest';
import { accountIdentityFor } from '../../../../protocol/admin/account-identity.js';
import { DAYS_TO_SYNC, SYNC_SCHEDULE_MINUTES } from '../../../../protocol/admin/email-profile-settings.js';
import {
  activeSyncAccountNodes,
  activeSyncAccountUri,
  bareGuid,
  CONTENT_TYPE_GUIDS,
  daysToSyncFor,
  mailAgeFilterFor,
  parseActiveSyncUri,
  readActiveSyncAccounts,
  scheduleFor,
  syncScheduleFor,
  type ActiveSyncAccountInput,
} from '../../../../protocol/windows/activesync/index.js';
import { expectWindowsError } from '../fixtures.js';
import { ddfNodes, ddfPathOf } from './ddf-lookup.js';

const GUID = '1D5E8B4C-7A2F-4E3B-9C1D-2E3F4A5B6C7D';
const user = { upn: 'alice@contoso.onmicrosoft.com', primarySmtp: 'alice@contoso.com', username: 'CONTOSO\\alice' };
const settings = { host: 'mail.contoso.com', accountName: 'Corp mail', useSsl: true, daysToSync: 14 as const, syncSchedule: 30 as const, contentTypes: ['email' as const, 'calendar' as const] };
const win10 = (patch: Partial<ActiveSyncAccountInput> = {}): ActiveSyncAccountInput => ({
  platform: 'windows10',
  accountGuid: `{${GUID}}`,
  settings,
  identity: accountIdentityFor({ emailSource: 'primarySmtpAddress', usernameSource: 'username' }, user),
  ...patch,
});

describe('an email profile as ActiveSync nodes', () => {
  it('writes the account under the user path for windows10, braces percent-encoded, account node first', () => {
    const base = `./User/Vendor/MSFT/ActiveSync/Accounts/%7B${GUID}%7D`;
    expect(activeSyncAccountNodes(win10())).toEqual([
      { locUri: base, format: 'node' },
      { locUri: `${base}/EmailAddress`, format: 'chr', value: 'alice@contoso.com' },
      { locUri: `${base}/ServerName`, format: 'chr', value: 'mail.contoso.com' },
      { locUri: `${base}/UserName`, format: 'chr', value: 'CONTOSO\\alice' },
      { locUri: `${base}/AccountName`, format: 'chr', value: 'Corp mail' },
      { locUri: `${base}/AccountType`, format: 'chr', value: 'Exchange' },
      { locUri: `${base}/Options/UseSSL`, format: 'chr', value: '1' },
      { locUri: `${base}/Options/MailAgeFilter`, format: 'chr', value: '4' },
      { locUri: `${base}/Options/Schedule`, format: 'chr', value: '30' },
      { locUri: `${base}/Options/ContentTypes/%7B${CONTENT_TYPE_GUIDS.email}%7D/Enabled`, format: 'chr', value: '1' },
      { locUri: `${base}/Options/ContentTypes/%7B${CONTENT_TYPE_GUIDS.contacts}%7D/Enabled`, format: 'chr', value: '0' },
      { locUri: `${base}/Options/ContentTypes/%7B${CONTENT_TYPE_GUIDS.calendar}%7D/Enabled`, format: 'chr', value: '1' },
      { locUri: `${base}/Options/ContentTypes/%7B${CONTENT_TYPE_GUIDS.tasks}%7D/Enabled`, format: 'chr', value: '0' },
    ]);
    expect(activeSyncAccountUri('windows10', GUID)).toBe(base);
  });

  it('writes windowsPhone81 accounts under the device path', () => {
    const nodes = activeSyncAccountNodes(win10({ platform: 'windowsPhone81', accountGuid: `%7b${GUID}%7d`, settings: { ...settings, daysToSync: 'unlimited', syncSchedule: 'manual', useSsl: false, contentTypes: undefined } }));
    expect(nodes[0]!.locUri).toBe(`./Vendor/MSFT/ActiveSync/Accounts/%7B${GUID}%7D`);
    const value = (suffix: string) => nodes.find((n) => n.locUri.endsWith(suffix))?.value;
    expect([value('/UseSSL'), value('/MailAgeFilter'), value('/Schedule')]).toEqual(['0', '0', '0']);
    expect(nodes.filter((n) => n.locUri.endsWith('/Enabled')).map((n) => n.value)).toEqual(['1', '1', '1', '1']);
  });

  it('uses only nodes, formats and values the ActiveSync DDF defines, for every value a profile may hold', () => {
    const ddf = new Map([...ddfNodes('ActiveSync.ddfv2.xml'), ...ddfNodes('ActiveSyncCSP_DDF.v1-devicepath.xml')]);
    for (const platform of ['windows10', 'windowsPhone81'] as const) {
      for (const daysToSync of DAYS_TO_SYNC[platform]) {
        for (const syncSchedule of ['asMessagesArrive', 'manual', ...SYNC_SCHEDULE_MINUTES[platform]!] as const) {
          for (const node of activeSyncAccountNodes(win10({ platform, settings: { ...settings, daysToSync, syncSchedule } }))) {
            const def = ddf.get(ddfPathOf(node.locUri));
            expect(def, node.locUri).toBeDefined();
            expect(def!.format, node.locUri).toBe(node.format);
            if (def!.enumValues) expect(def!.enumValues, node.locUri).toContain(node.value);
            if (def!.range === '[(-1)-4294967295]') expect(Number(node.value)).toBeGreaterThanOrEqual(-1);
          }
        }
      }
    }
  });

  it('maps days and schedules both ways, refusing what the client does not offer', () => {
    expect(DAYS_TO_SYNC.windows10.map((d) => mailAgeFilterFor(d))).toEqual(['1', '2', '3', '4', '5', '6', '0']);
    for (const d of DAYS_TO_SYNC.windows10) expect(daysToSyncFor(mailAgeFilterFor(d))).toBe(d);
    expectWindowsError(() => mailAgeFilterFor(1, 'windowsPhone81'), 'invalidValue', 'daysToSync');
    expectWindowsError(() => mailAgeFilterFor(90, 'windowsPhone81'), 'invalidValue', 'daysToSync');
    expectWindowsError(() => mailAgeFilterFor(5), 'invalidValue', 'daysToSync');
    expectWindowsError(() => daysToSyncFor('7'), 'invalidValue', 'Options/MailAgeFilter');
    expect(['asMessagesArrive', 'manual', 15, 60].map((s) => syncScheduleFor(scheduleFor(s as never)))).toEqual(['asMessagesArrive', 'manual', 15, 60]);
    expectWindowsError(() => scheduleFor(0), 'invalidValue', 'syncSchedule');
    expectWindowsError(() => scheduleFor(2.5), 'invalidValue', 'syncSchedule');
    expectWindowsError(() => syncScheduleFor('-2'), 'invalidValue', 'Options/Schedule');
  });

  it('refuses what cannot become an account', () => {
    expectWindowsError(() => activeSyncAccountNodes(win10({ accountGuid: 'not-a-guid' })), 'invalidValue', 'accountGuid');
    expectWindowsError(() => activeSyncAccountNodes(win10({ settings: { ...settings, contentTypes: ['email', 'notes'] } })), 'invalidValue', 'contentTypes');
    expect(bareGuid(`%7B${GUID}%7D`)).toBe(GUID);
    expect(bareGuid(GUID.toLowerCase())).toBe(GUID.toLowerCase());
  });
});

describe('ActiveSync nodes back to a mail account (the device side)', () => {
  it('reads what the server wrote into the settings the mail client holds', () => {
    const nodes = [...activeSyncAccountNodes(win10()), ...activeSyncAccountNodes(win10({ platform: 'windowsPhone81', accountGuid: '0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0', settings: { ...settings, syncSchedule: 'asMessagesArrive', daysToSync: 30 } }))];
    const [desktop, phone] = readActiveSyncAccounts(nodes);
    expect(desktop).toEqual({
      scope: 'user',
      accountGuid: GUID,
      email: 'alice@contoso.com',
      host: 'mail.contoso.com',
      username: 'CONTOSO\\alice',
      accountName: 'Corp mail',
      accountType: 'Exchange',
      settings: { accountName: 'Corp mail', username: 'CONTOSO\\alice', daysToSync: 14, useSsl: true, syncSchedule: 30, contentTypes: ['email', 'calendar'], authMethod: 'password' },
    });
    expect(phone).toMatchObject({ scope: 'device', accountGuid: '0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0', settings: { daysToSync: 30, syncSchedule: 'asMessagesArrive' } });
  });

  it("applies the CSP's defaults to nodes an account lacks and accepts literal braces and ./Device paths", () => {
    const [account] = readActiveSyncAccounts([
      { locUri: `./Device/Vendor/MSFT/ActiveSync/Accounts/{${GUID}}/EmailAddress`, value: 'bob@contoso.com' },
      { locUri: `./Device/Vendor/MSFT/ActiveSync/Accounts/{${GUID}}/Options/ContentTypes/{${CONTENT_TYPE_GUIDS.tasks}}/Enabled`, value: '0' },
      { locUri: './Vendor/MSFT/ActiveSync/Accounts', value: 'ignored' },
      { locUri: './User/Vendor/MSFT/Other/x', value: 'ignored' },
    ]);
    expect(account).toEqual({
      scope: 'device',
      accountGuid: GUID,
      email: 'bob@contoso.com',
      settings: { daysToSync: 7, useSsl: true, syncSchedule: 'asMessagesArrive', contentTypes: ['email', 'contacts', 'calendar'], authMethod: 'password' },
    });
  });

  it('parses account URIs and names invalid values', () => {
    expect(parseActiveSyncUri(`./User/Vendor/MSFT/ActiveSync/Accounts/%7B${GUID}%7D/Options/ContentTypes/%7B${CONTENT_TYPE_GUIDS.email}%7D/Enabled`)).toEqual({
      scope: 'user',
      accountGuid: GUID,
      path: `Options/ContentTypes/{${CONTENT_TYPE_GUIDS.email}}/Enabled`,
    });
    expect(parseActiveSyncUri(`./Vendor/MSFT/ActiveSync/Accounts/%7B${GUID}%7D`)).toEqual({ scope: 'device', accountGuid: GUID, path: '' });
    expect(parseActiveSyncUri('./Vendor/MSFT/ActiveSync/Accounts/%7Bnot-a-guid%7D')).toBeUndefined();
    const at = (path: string, value: string) => [{ locUri: `./Vendor/MSFT/ActiveSync/Accounts/%7B${GUID}%7D/${path}`, value }];
    expectWindowsError(() => readActiveSyncAccounts(at('Options/UseSSL', 'yes')), 'invalidValue', 'Options/UseSSL');
    expectWindowsError(() => readActiveSyncAccounts(at('Options/MailAgeFilter', '9')), 'invalidValue', 'Options/MailAgeFilter');
    expectWindowsError(() => readActiveSyncAccounts(at(`Options/ContentTypes/%7B${CONTENT_TYPE_GUIDS.email}%7D/Enabled`, '2')), 'invalidValue');
  });
});
