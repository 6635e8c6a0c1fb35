/**
 * An email profile as ActiveSync CSP nodes, and back (docs/email-profiles.md "Where each setting
 * lands"; Microsoft's ActiveSync CSP page and its DDF v2):
 *
 * | setting                  | node under Accounts/{Account GUID}                  | value                          |
 * |--------------------------|-----------------------------------------------------|--------------------------------|
 * | (user's address)         | EmailAddress                                        | chr                            |
 * | host                     | ServerName                                          | chr                            |
 * | (user's name)            | UserName                                            | chr                            |
 * | accountName              | AccountName                                         | chr                            |
 * | —                        | AccountType                                         | `Exchange`                     |
 * | useSsl                   | Options/UseSSL                                      | 1 / 0                          |
 * | daysToSync               | Options/MailAgeFilter                               | 0 all, 1 1 day, 2 3 days, 3 1 week, 4 2 weeks, 5 1 month, 6 3 months |
 * | syncSchedule             | Options/Schedule                                    | -1 as items arrive, 0 manual, minutes |
 * | contentTypes             | Options/ContentTypes/{Content Type GUID}/Enabled    | 1 / 0 for each of the four     |
 *
 * Every node is Format chr, Type text/plain (DDF). The account node comes first (Format node), as a
 * Windows account is created by adding its GUID node. `windows10` profiles live under the user path
 * `./User/Vendor/MSFT/ActiveSync`, `windowsPhone81` ones under the device path `./Vendor/MSFT/ActiveSync`
 * (ActiveSync CSP: the device path is the Windows Phone 8.1 one). In OMA-DM URIs the GUID braces are
 * written %7B and %7D. The password is never sent: the user types it.
 */
import type { ContentType, DaysToSync, EmailProfileSettings, SyncSchedule } from '../../admin/email-profile-settings.js';
import { invalid } from '../errors.js';

export type ActiveSyncPlatform = 'windows10' | 'windowsPhone81';
export type ActiveSyncScope = 'user' | 'device';

export const ACTIVESYNC_ROOT: Readonly<Record<ActiveSyncScope, string>> = {
  user: './User/Vendor/MSFT/ActiveSync',
  device: './Vendor/MSFT/ActiveSync',
};

export const scopeOfPlatform = (p: ActiveSyncPlatform): ActiveSyncScope => (p === 'windows10' ? 'user' : 'device');

/** Content type GUIDs of Options/ContentTypes (ActiveSync CSP). */
export const CONTENT_TYPE_GUIDS = {
  email: 'c6d47067-6e92-480e-b0fc-4ba82182fac7',
  contacts: '0dd8685c-e272-4fcb-9ecf-2ead7ea2497b',
  calendar: '4a5d9fe0-f139-4a63-a5a4-4f31ceea02ad',
  tasks: '783ae4f6-4c12-4423-8270-66361260d4f1',
} as const;
export type ActiveSyncContentType = keyof typeof CONTENT_TYPE_GUIDS;
const CONTENT_TYPES = Object.keys(CONTENT_TYPE_GUIDS) as ActiveSyncContentType[];

/** MailAgeFilter per days of mail (DDF v2 ENUM 0–6); Windows Phone 8.1 offers 0 and 2–5 only (2017 CSP page). */
const MAIL_AGE_FILTER: ReadonlyArray<readonly [DaysToSync, string]> = [
  ['unlimited', '0'],
  [1, '1'],
  [3, '2'],
  [7, '3'],
  [14, '4'],
  [30, '5'],
  [90, '6'],
];
const PHONE_MAIL_AGE_FILTERS = new Set(['0', '2', '3', '4', '5']);
/** Schedule's DDF range: [(-1)-4294967295] minutes. */
const MAX_SCHEDULE = 4294967295;

export interface ActiveSyncNode {
  locUri: string;
  format: 'node' | 'chr';
  /** Absent for the account node itself. */
  value?: string;
}

export interface ActiveSyncAccountInput {
  platform: ActiveSyncPlatform;
  /** `{GUID}`, `%7BGUID%7D` or the bare GUID; a new one for every new account (ActiveSync CSP). */
  accountGuid: string;
  settings: Pick<EmailProfileSettings, 'host' | 'accountName' | 'useSsl' | 'daysToSync' | 'syncSchedule' | 'contentTypes'>;
  /** The device user's address and user name (protocol/admin/account-identity.ts). */
  identity: { email: string; username: string };
}

const GUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

/** The bare GUID of `{GUID}`, `%7BGUID%7D` (any case) or `GUID`; invalidValue otherwise. */
export function bareGuid(guid: string): string {
  const m = /^(?:\{|%7B)?([^{}%]*)(?:\}|%7D)?$/i.exec(guid.trim());
  const bare = m?.[1];
  if (!bare || !GUID.test(bare)) throw invalid('accountGuid', `"${guid.slice(0, 60)}" is not a GUID`);
  return bare;
}

/** The account node's URI, braces percent-encoded (the URI a Delete of the account targets). */
export function activeSyncAccountUri(platform: ActiveSyncPlatform, accountGuid: string): string {
  return `${ACTIVESYNC_ROOT[scopeOfPlatform(platform)]}/Accounts/%7B${bareGuid(accountGuid)}%7D`;
}

export function mailAgeFilterFor(days: DaysToSync, platform: ActiveSyncPlatform = 'windows10'): string {
  const v = MAIL_AGE_FILTER.find(([d]) => d === days)?.[1];
  if (v === undefined || (platform === 'windowsPhone81' && !PHONE_MAIL_AGE_FILTERS.has(v))) {
    throw invalid('daysToSync', `${platform} cannot sync ${days === 'unlimited' ? 'all' : days} days of mail`);
  }
  return v;
}

export function daysToSyncFor(mailAgeFilter: string): DaysToSync {
  const d = MAIL_AGE_FILTER.find(([, v]) => v === mailAgeFilter.trim())?.[0];
  if (d === undefined) throw invalid('Options/MailAgeFilter', `MailAgeFilter must be 0–6, got "${mailAgeFilter.slice(0, 20)}"`);
  return d;
}

export function scheduleFor(schedule: SyncSchedule): string {
  if (schedule === 'asMessagesArrive') return '-1';
  if (schedule === 'manual') return '0';
  if (!Number.isSafeInteger(schedule) || schedule < 1 || schedule > MAX_SCHEDULE) throw invalid('syncSchedule', `a sync schedule of ${schedule} minutes is out of range`);
  return String(schedule);
}

export function syncScheduleFor(value: string): SyncSchedule {
  const v = value.trim();
  if (!/^-?\d{1,10}$/.test(v) || Number(v) < -1 || Number(v) > MAX_SCHEDULE) throw invalid('Options/Schedule', `Schedule must be -1, 0 or minutes, got "${value.slice(0, 20)}"`);
  const n = Number(v);
  return n === -1 ? 'asMessagesArrive' : n === 0 ? 'manual' : n;
}

/** The nodes that make one account, account node first. */
export function activeSyncAccountNodes(input: ActiveSyncAccountInput): ActiveSyncNode[] {
  const s = input.settings;
  const account = activeSyncAccountUri(input.platform, input.accountGuid);
  const types = new Set<ContentType>(s.contentTypes ?? CONTENT_TYPES);
  for (const t of types) if (!(t in CONTENT_TYPE_GUIDS)) throw invalid('contentTypes', `Windows does not sync ${t}`);
  const leaf = (path: string, value: string): ActiveSyncNode => ({ locUri: `${account}/${path}`, format: 'chr', value });
  return [
    { locUri: account, format: 'node' },
    leaf('EmailAddress', input.identity.email),
    leaf('ServerName', s.host),
    leaf('UserName', input.identity.username),
    leaf('AccountName', s.accountName),
    leaf('AccountType', 'Exchange'),
    leaf('Options/UseSSL', s.useSsl ? '1' : '0'),
    leaf('Options/MailAgeFilter', mailAgeFilterFor(s.daysToSync, input.platform)),
    leaf('Options/Schedule', scheduleFor(s.syncSchedule ?? 'asMessagesArrive')),
    ...CONTENT_TYPES.map((t) => leaf(`Options/ContentTypes/%7B${CONTENT_TYPE_GUIDS[t]}%7D/Enabled`, types.has(t) ? '1' : '0')),
  ];
}

/** Where a URI sits in an ActiveSync tree, or undefined when it is not an account node or below one. */
export interface ActiveSyncUri {
  scope: ActiveSyncScope;
  /** Bare GUID, as written. */
  accountGuid: string;
  /** Below the account node, braces decoded: `EmailAddress`, `Options/ContentTypes/{…}/Enabled`; '' for the account itself. */
  path: string;
}

const URI = /^\.\/(User\/|Device\/)?Vendor\/MSFT\/ActiveSync\/Accounts\/(?:\{|%7B)([^/{}%]+)(?:\}|%7D)(?:\/(.*))?$/i;

export function parseActiveSyncUri(locUri: string): ActiveSyncUri | undefined {
  const m = URI.exec(locUri.trim());
  if (!m || !GUID.test(m[2]!)) return undefined;
  return {
    scope: m[1]?.toLowerCase() === 'user/' ? 'user' : 'device',
    accountGuid: m[2]!,
    path: (m[3] ?? '').replace(/%7B/gi, '{').replace(/%7D/gi, '}'),
  };
}

/** The settings a mail client holds, named as agents/core/mail-account.ts MailAccountSettings names them. */
export interface ActiveSyncAccountSettings {
  accountName?: string;
  username?: string;
  daysToSync: DaysToSync;
  useSsl: boolean;
  syncSchedule: SyncSchedule;
  contentTypes: ActiveSyncContentType[];
  /** Windows email profiles authenticate with the password the user types (docs/email-profiles.md, "Settings"). */
  authMethod: 'password';
}

export interface ActiveSyncAccount {
  scope: ActiveSyncScope;
  accountGuid: string;
  email?: string;
  host?: string;
  username?: string;
  accountName?: string;
  accountType?: string;
  settings: ActiveSyncAccountSettings;
}

/**
 * The accounts the given nodes describe (the device reading its own tree), in first-seen order.
 * Nodes an account lacks take the CSP's defaults (DDF DefaultValue): MailAgeFilter 3, Schedule -1,
 * UseSSL 1, every content type enabled.
 */
export function readActiveSyncAccounts(nodes: Iterable<{ locUri: string; value?: string }>): ActiveSyncAccount[] {
  const byKey = new Map<string, { scope: ActiveSyncScope; guid: string; values: Map<string, string> }>();
  for (const n of nodes) {
    const u = parseActiveSyncUri(n.locUri);
    if (!u) continue;
    const key = `${u.scope}/${u.accountGuid.toLowerCase()}`;
    let acc = byKey.get(key);
    if (!acc) byKey.set(key, (acc = { scope: u.scope, guid: u.accountGuid, values: new Map() }));
    if (u.path !== '' && n.value !== undefined) acc.values.set(u.path.toLowerCase(), n.value);
  }
  return [...byKey.values()].map(({ scope, guid, values }) => accountOf(scope, guid, values));
}

function accountOf(scope: ActiveSyncScope, accountGuid: string, v: Map<string, string>): ActiveSyncAccount {
  const ssl = v.get('options/usessl')?.trim() ?? '1';
  if (ssl !== '0' && ssl !== '1') throw invalid('Options/UseSSL', `UseSSL must be 0 or 1, got "${ssl.slice(0, 20)}"`);
  const contentTypes = CONTENT_TYPES.filter((t) => {
    const e = v.get(`options/contenttypes/{${CONTENT_TYPE_GUIDS[t]}}/enabled`)?.trim() ?? '1';
    if (e !== '0' && e !== '1') throw invalid(`Options/ContentTypes/{${CONTENT_TYPE_GUIDS[t]}}/Enabled`, `Enabled must be 0 or 1, got "${e.slice(0, 20)}"`);
    return e === '1';
  });
  const settings: ActiveSyncAccountSettings = {
    daysToSync: daysToSyncFor(v.get('options/mailagefilter') ?? '3'),
    useSsl: ssl === '1',
    syncSchedule: syncScheduleFor(v.get('options/schedule') ?? '-1'),
    contentTypes,
    authMethod: 'password',
  };
  const account: ActiveSyncAccount = { scope, accountGuid, settings };
  const set = (k: 'email' | 'host' | 'username' | 'accountName' | 'accountType', node: string) => {
    const value = v.get(node);
    if (value !== undefined) account[k] = value;
  };
  set('email', 'emailaddress');
  set('host', 'servername');
  set('username', 'username');
  set('accountName', 'accountname');
  set('accountType', 'accounttype');
  if (account.accountName !== undefined) settings.accountName = account.accountName;
  if (account.username !== undefined) settings.username = account.username;
  return account;
}
