import type {
  AndroidProfile,
  DevicePlatform,
  MailAccount,
  ManagedAccountRequest,
  UserAccountRef,
  UserAccountRequest,
  WorkApp,
} from './mail-account.js';
import { androidProfileOf, normalizeEmail, normalizeHost, sameEmail, sameHost } from './mail-account.js';
import type { MailStoreChange } from './mail-store.js';
import { NO_CHANGE } from './mail-store.js';
import type {
  ManagedInstallResult,
  ManagedRemoveResult,
  PlatformRule,
  RuleContext,
  UserAddResult,
  UserRemoveResult,
} from './rule-outcomes.js';
import { MailRuleError } from './rule-outcomes.js';

/**
 * THE platform rule table: what each platform's native mail client does when a managed account
 * arrives and the user already has that account, and when the user sets up by hand an account a
 * profile already manages. Source of truth: the table in docs/email-profiles.md, "What each platform
 * does when the account already exists" (from Microsoft Intune's "Add email settings to devices using
 * Intune", "How Intune handles existing email accounts", and its email-profile troubleshooting page,
 * MicrosoftDocs/memdocs intune/configuration/troubleshoot-email-profiles-in-microsoft-intune.md; iOS:
 * Apple MDM Protocol Reference, "Error Codes", MCEASErrorDomain 21005; Windows: Microsoft Learn,
 * "ActiveSync CSP"; KNOX: Samsung Knox SDK reference, ExchangeAccountPolicy (finding an existing
 * account, replacing it); Android for Work:
 * DevicePolicyManager.setApplicationRestrictions, per user, and the Android Management API's
 * Policy.applications[] vs personalApplications[]).
 *
 * Every function is pure over a snapshot of the device's store and returns a typed outcome plus
 * the MailStoreChange to apply. Two rules hold on every platform (helpers below the table):
 * - a profile re-applied replaces its own previous account (`updated`), keeping one;
 * - user-created accounts are unique by (Android profile, email, host): the user can never set up
 *   the very same account twice, so "remove the account alice@contoso.com on mail.contoso.com" is
 *   never ambiguous.
 */

/** iOS 8+: duplicate = email AND host, across manual and managed accounts (MCEASErrorDomain 21005). */
const IOS: PlatformRule = oneStoreRule({
  describe:
    'iOS: a duplicate is the same email address and host. A user-created duplicate blocks the managed ' +
    'profile (nothing changes) until the user removes it; the user cannot add an account that already ' +
    'exists, managed or not.',
  duplicateKey: emailAndHost,
  userDuplicate: 'blocks',
  otherProfileDuplicate: 'blocks',
  userAddsManagedAccount: 'isRefused',
});

/** Windows 10 and Windows Phone 8.1 (ActiveSync CSP): duplicate = email AND host; the managed account overwrites. */
const WINDOWS: PlatformRule = oneStoreRule({
  describe:
    'Windows 10 / Windows Phone 8.1: a duplicate is the same email address and host. The managed account ' +
    'replaces the user-created one; the user cannot add an account a profile manages.',
  duplicateKey: emailAndHost,
  userDuplicate: 'isReplaced',
  otherProfileDuplicate: 'isReplaced',
  userAddsManagedAccount: 'isRefused',
});

/** Samsung KNOX Standard 4.0+: duplicate = email ONLY; host ignored. */
const KNOX: PlatformRule = oneStoreRule({
  describe:
    'Samsung KNOX: a duplicate is the same email address, whatever the host. The managed account replaces ' +
    "it (also another profile's account: two profiles with one address on two hosts replace each other). " +
    'The user may set the account up again; the next sync replaces it again.',
  duplicateKey: emailOnly,
  userDuplicate: 'isReplaced',
  otherProfileDuplicate: 'isReplaced',
  userAddsManagedAccount: 'isAcceptedUntilSync',
});

/**
 * Android for Work (Gmail, Nine Work): the profile configures one app in the work profile only.
 * - the app is not in the work profile → waitingForApp, nothing changes (the configuration waits);
 * - a user-created work account with the same email and host in that app → replaced; any account
 *   another profile configured in that app → replaced (an app has one managed configuration);
 * - personal-profile accounts are never matched; the user's own adds go to the personal profile
 *   unless the user picks the work profile.
 */
const ANDROID_FOR_WORK: PlatformRule = {
  describe:
    'Android for Work: the profile configures only its app (Gmail or Nine Work) in the work profile and waits ' +
    'while the app is not installed there. The personal profile is a separate store, never touched: the user ' +
    'may add the same account there.',
  duplicateKey: emailAndHostInProfile,
  installManaged: installInWorkApp,
  addUserAccount: addInAndroidProfile,
};

export const PLATFORM_RULES: Readonly<Record<DevicePlatform, PlatformRule>> = Object.freeze({
  ios: IOS,
  windows10: WINDOWS,
  windowsPhone81: WINDOWS,
  samsungKnox: KNOX,
  androidForWork: ANDROID_FOR_WORK,
});

export function rulesFor(platform: DevicePlatform): PlatformRule {
  return PLATFORM_RULES[platform];
}

/** The table in words, one line per device platform, for docs and UI. */
export function describePlatformRules(): { platform: DevicePlatform; rule: string }[] {
  return (Object.keys(PLATFORM_RULES) as DevicePlatform[]).map((platform) => ({
    platform,
    rule: PLATFORM_RULES[platform].describe,
  }));
}

/** Removing a profile (every platform) removes only its own managed account(s); user-created accounts stay. */
export function removeManaged(accounts: readonly MailAccount[], profileId: string): ManagedRemoveResult {
  const removed = accounts.filter((a) => isOwnedBy(a, profileId));
  return { removed, change: removed.length === 0 ? NO_CHANGE : { remove: ids(removed), add: [] } };
}

/**
 * The user deletes an account by hand (every platform). Only a user-created account can go; when
 * only a managed one matches the user is refused (iOS: it leaves only with its profile; Windows,
 * KNOX and the Android work profile likewise keep the administrator's account).
 */
export function removeUserAccount(accounts: readonly MailAccount[], ref: UserAccountRef): UserRemoveResult {
  const matches = accounts.filter(
    (a) =>
      sameEmail(a, ref) &&
      sameHost(a, ref) &&
      (ref.androidProfile === undefined || androidProfileOf(a) === ref.androidProfile),
  );
  const userAccount =
    matches.find((a) => !a.managed && androidProfileOf(a) === 'personal') ?? matches.find((a) => !a.managed);
  if (userAccount) return { kind: 'removed', account: userAccount, change: { remove: [userAccount.id], add: [] } };
  const managed = matches[0];
  if (managed) return { kind: 'refusedManaged', account: managed, change: NO_CHANGE };
  return { kind: 'notFound', change: NO_CHANGE };
}

// ---------------------------------------------------------------------------------------------
// Helpers: the duplicate keys and the generic behaviours the table is built from.
// ---------------------------------------------------------------------------------------------

type AccountIdentity = Pick<MailAccount, 'email' | 'host' | 'androidProfile'>;

function emailAndHost(a: AccountIdentity): string {
  return `${normalizeEmail(a.email)}|${normalizeHost(a.host)}`;
}

function emailOnly(a: AccountIdentity): string {
  return normalizeEmail(a.email);
}

/** Android's personal and work profiles are separate stores: a key never matches across them. */
function emailAndHostInProfile(a: AccountIdentity): string {
  return `${androidProfileOf(a)}|${emailAndHost(a)}`;
}

/** How a platform with a single account store (iOS, Windows, KNOX) treats duplicates. */
interface OneStorePolicy {
  describe: string;
  /** docs/email-profiles.md, duplicate table, column "a duplicate is". */
  duplicateKey: (a: AccountIdentity) => string;
  /** A user-created duplicate when a managed account arrives. */
  userDuplicate: 'blocks' | 'isReplaced';
  /** Another profile's managed duplicate when a managed account arrives. */
  otherProfileDuplicate: 'blocks' | 'isReplaced';
  /** docs/email-profiles.md, duplicate table, last column: the user sets up by hand an account a profile manages. */
  userAddsManagedAccount: 'isRefused' | 'isAcceptedUntilSync';
}

function oneStoreRule(policy: OneStorePolicy): PlatformRule {
  const { describe, duplicateKey, userDuplicate, otherProfileDuplicate } = policy;
  return Object.freeze({
    describe,
    duplicateKey,
    installManaged: (accounts: readonly MailAccount[], request: ManagedAccountRequest, ctx: RuleContext) => {
      const key = duplicateKey(request);
      return installManagedAccount(accounts, request, ctx, {
        isDuplicate: (a) => duplicateKey(a) === key,
        userDuplicate,
        otherProfileDuplicate,
      });
    },
    addUserAccount: (accounts: readonly MailAccount[], request: UserAccountRequest, ctx: RuleContext) =>
      addAccountByHand(accounts, request, ctx, policy),
  });
}

interface InstallPolicy {
  /** Is this existing account (not the profile's own) the same account as the one being installed? */
  isDuplicate: (a: MailAccount) => boolean;
  userDuplicate: 'blocks' | 'isReplaced';
  otherProfileDuplicate: 'blocks' | 'isReplaced';
}

/** Where a new managed account lives (androidForWork: the work profile's app). */
interface Placement {
  androidProfile?: AndroidProfile;
  app?: WorkApp;
}

/**
 * A managed account arrives. The profile's own previous account is always replaced (same id and
 * createdAt: the profile re-applied updates its account, as a Windows Replace on the same GUID);
 * duplicates are blocked or replaced as the policy says. Outcome precedence when several apply:
 * replacedOtherProfile (the server needs the flapping signal) > replacedUserAccount > updated > installed.
 */
function installManagedAccount(
  accounts: readonly MailAccount[],
  request: ManagedAccountRequest,
  ctx: RuleContext,
  policy: InstallPolicy,
  placement: Placement = {},
): ManagedInstallResult {
  const own = accounts.filter((a) => isOwnedBy(a, request.profileId));
  const duplicates = accounts.filter((a) => !isOwnedBy(a, request.profileId) && policy.isDuplicate(a));
  const userDuplicates = duplicates.filter((a) => !a.managed);
  const otherProfiles = duplicates.filter((a) => a.managed);

  const blockingUser = userDuplicates[0];
  if (blockingUser && policy.userDuplicate === 'blocks') {
    return { kind: 'blockedByUserAccount', blocking: blockingUser, change: NO_CHANGE };
  }
  const blockingProfile = otherProfiles[0];
  if (blockingProfile && policy.otherProfileDuplicate === 'blocks') {
    return { kind: 'blockedByOtherProfile', blocking: blockingProfile, change: NO_CHANGE };
  }

  const previous = own[0];
  const account: MailAccount = {
    id: previous?.id ?? ctx.newId(),
    email: request.email,
    host: request.host,
    ...(request.username !== undefined && { username: request.username }),
    settings: { ...request.settings },
    managed: true,
    managedBy: request.profileId,
    ...placement,
    ...((userDuplicates.length > 0 || previous?.replacedUserAccount) && { replacedUserAccount: true }),
    createdAt: previous?.createdAt ?? ctx.now,
  };
  const change: MailStoreChange = { remove: ids([...own, ...duplicates]), add: [account] };

  if (otherProfiles.length > 0) {
    const otherProfileIds = [...new Set(otherProfiles.map((a) => a.managedBy ?? ''))];
    return { kind: 'replacedOtherProfile', account, replaced: duplicates, otherProfileIds, change };
  }
  if (userDuplicates.length > 0) return { kind: 'replacedUserAccount', account, replaced: userDuplicates, change };
  if (previous) return { kind: 'updated', account, previous, change };
  return { kind: 'installed', account, change };
}

/** The user sets up an account by hand on iOS, Windows or KNOX (one store per device). */
function addAccountByHand(
  accounts: readonly MailAccount[],
  request: UserAccountRequest,
  ctx: RuleContext,
  policy: OneStorePolicy,
): UserAddResult {
  const identity = { email: request.email, host: request.host };
  const sameUserAccount = accounts.find((a) => !a.managed && emailAndHost(a) === emailAndHost(identity));
  if (sameUserAccount) return { kind: 'refusedDuplicate', existing: sameUserAccount, change: NO_CHANGE };

  const managed = accounts.find((a) => a.managed && policy.duplicateKey(a) === policy.duplicateKey(identity));
  if (managed && policy.userAddsManagedAccount === 'isRefused') {
    return { kind: 'refusedDuplicate', existing: managed, change: NO_CHANGE };
  }
  const account = newUserAccount(request, ctx, {});
  const change: MailStoreChange = { remove: [], add: [account] };
  if (managed) return { kind: 'acceptedUntilSync', account, managed, change };
  return { kind: 'added', account, change };
}

/**
 * Android for Work managed install: only the work profile's `request.app` is configured. A managed
 * configuration belongs to the app (one bundle per app and user: DevicePolicyManager.setApplicationRestrictions), so it
 * owns that app's account: it replaces a user-created work account with the same email and host
 * in that app (or in an unknown app), and any account another profile configured in that app.
 * Gmail re-creates its managed account when the configuration changes (Gmail's own handling of its
 * managed configuration, which Google's "Use Gmail to support Exchange ActiveSync" does not
 * describe); modelled as `updated`.
 */
function installInWorkApp(
  accounts: readonly MailAccount[],
  request: ManagedAccountRequest,
  ctx: RuleContext,
): ManagedInstallResult {
  const app = request.app;
  if (app === undefined) {
    throw new MailRuleError('appRequired', `androidForWork profile ${request.profileId} names no work app`);
  }
  if (!ctx.installedApps?.includes(app)) return { kind: 'waitingForApp', app, change: NO_CHANGE };

  const key = emailAndHostInProfile({ email: request.email, host: request.host, androidProfile: 'work' });
  const sameWorkAppAccount = (a: MailAccount): boolean =>
    androidProfileOf(a) === 'work' &&
    (a.managed ? a.app === app : emailAndHostInProfile(a) === key && (a.app === undefined || a.app === app));

  return installManagedAccount(
    accounts,
    request,
    ctx,
    { isDuplicate: sameWorkAppAccount, userDuplicate: 'isReplaced', otherProfileDuplicate: 'isReplaced' },
    { androidProfile: 'work', app },
  );
}

/** Android for Work user add: the chosen profile's store (personal by default) takes it. */
function addInAndroidProfile(
  accounts: readonly MailAccount[],
  request: UserAccountRequest,
  ctx: RuleContext,
): UserAddResult {
  const androidProfile = request.androidProfile ?? 'personal';
  const key = emailAndHostInProfile({ email: request.email, host: request.host, androidProfile });
  const existing = accounts.find((a) => emailAndHostInProfile(a) === key);
  if (existing) return { kind: 'refusedDuplicate', existing, change: NO_CHANGE };

  const placement: Placement =
    androidProfile === 'work' && request.app !== undefined ? { androidProfile, app: request.app } : { androidProfile };
  const account = newUserAccount(request, ctx, placement);
  const change: MailStoreChange = { remove: [], add: [account] };
  if (androidProfile === 'work') return { kind: 'added', account, change };
  const managedInWork = accounts.filter((a) => a.managed && androidProfileOf(a) === 'work' && sameEmail(a, request));
  return { kind: 'addedToPersonal', account, managedInWork, change };
}

function newUserAccount(request: UserAccountRequest, ctx: RuleContext, placement: Placement): MailAccount {
  return {
    id: ctx.newId(),
    email: request.email,
    host: request.host,
    ...(request.username !== undefined && { username: request.username }),
    settings: { ...request.settings },
    managed: false,
    ...placement,
    createdAt: ctx.now,
  };
}

function isOwnedBy(a: MailAccount, profileId: string): boolean {
  return a.managed && a.managedBy === profileId;
}

function ids(accounts: readonly MailAccount[]): string[] {
  return accounts.map((a) => a.id);
}
