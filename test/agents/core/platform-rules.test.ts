import { describe, it, expect } from 'vitest';
import type { DevicePlatform } from '../../../agents/core/mail-account.js';
import { isEmptyChange } from '../../../agents/core/mail-store.js';
import { describePlatformRules, PLATFORM_RULES, rulesFor } from '../../../agents/core/platform-rules.js';
import { MailRuleError } from '../../../agents/core/rule-outcomes.js';
import { MailDevice } from './mail-device.js';

/**
 * One story per row of docs/email-profiles.md's duplicate table, both columns ("a user-created
 * duplicate" and "the user adds by hand an account a profile manages"), played on a device store.
 */

const ALICE = 'alice@contoso.com';
const HOST = 'mail.contoso.com';
const OTHER_HOST = 'mail2.contoso.com';
const CORP = { email: ALICE, host: HOST };

describe('iOS: duplicate = email and host; a user-created duplicate blocks the managed profile', () => {
  it('a manual account with the same email and host blocks the install; nothing changes', async () => {
    const device = new MailDevice('ios');
    await device.userAdds(CORP);
    const [manual] = await device.snapshot();

    const result = await device.installProfile('p1', CORP);

    expect(result).toMatchObject({ kind: 'blockedByUserAccount', blocking: manual });
    expect(isEmptyChange(result.change)).toBe(true);
    await device.expectAccounts([{ ...CORP, managed: false }]);
  });

  it('once the user removes the manual account, the profile installs', async () => {
    const device = new MailDevice('ios');
    await device.userAdds(CORP);
    expect((await device.installProfile('p1', CORP)).kind).toBe('blockedByUserAccount');

    expect((await device.userRemoves(CORP)).kind).toBe('removed');
    const retried = await device.installProfile('p1', CORP);

    expect(retried.kind).toBe('installed');
    await device.expectAccounts([{ ...CORP, managed: true, profile: 'p1' }]);
  });

  it('the same address on another host is not a duplicate: both accounts coexist', async () => {
    const device = new MailDevice('ios');
    await device.userAdds({ email: ALICE, host: OTHER_HOST });

    expect((await device.installProfile('p1', CORP)).kind).toBe('installed');
    await device.expectAccounts([
      { email: ALICE, host: OTHER_HOST, managed: false },
      { ...CORP, managed: true, profile: 'p1' },
    ]);
  });

  it('re-applying the same profile updates its own account, keeping one', async () => {
    const device = new MailDevice('ios');
    const first = await device.installProfile('p1', CORP);
    const again = await device.installProfile('p1', { ...CORP, settings: { daysToSync: 31 } });

    expect(again.kind).toBe('updated');
    const accounts = await device.snapshot();
    expect(accounts).toHaveLength(1);
    expect(accounts[0]?.settings).toEqual({ daysToSync: 31 });
    expect(accounts[0]?.id).toBe(first.kind === 'installed' ? first.account.id : 'no first account');
  });

  it("another profile's account with the same email and host blocks too (account not unique)", async () => {
    const device = new MailDevice('ios');
    await device.installProfile('p1', CORP);

    const result = await device.installProfile('p2', CORP);

    expect(result.kind).toBe('blockedByOtherProfile');
    await device.expectAccounts([{ ...CORP, managed: true, profile: 'p1' }]);
  });

  it('the user adding an account a profile manages is refused; the store is unchanged', async () => {
    const device = new MailDevice('ios');
    await device.installProfile('p1', CORP);

    const result = await device.userAdds(CORP);

    expect(result.kind).toBe('refusedDuplicate');
    if (result.kind === 'refusedDuplicate') expect(result.existing.managedBy).toBe('p1');
    await device.expectAccounts([{ ...CORP, managed: true, profile: 'p1' }]);
  });

  it('the user adding the same manual account twice is refused ("account already exists")', async () => {
    const device = new MailDevice('ios');
    await device.userAdds(CORP);
    expect((await device.userAdds(CORP)).kind).toBe('refusedDuplicate');
    await device.expectAccounts([{ ...CORP, managed: false }]);
  });

  it('the user cannot delete a managed account: it goes only with its profile', async () => {
    const device = new MailDevice('ios');
    await device.installProfile('p1', CORP);
    expect((await device.userRemoves(CORP)).kind).toBe('refusedManaged');
    await device.removeProfile('p1');
    await device.expectAccounts([]);
  });
});

describe.each<DevicePlatform>(['windows10', 'windowsPhone81'])(
  '%s: duplicate = email and host; the managed account replaces the user-created one',
  (platform) => {
    it("the managed account replaces the user's duplicate", async () => {
      const device = new MailDevice(platform);
      await device.userAdds(CORP);

      const result = await device.installProfile('p1', CORP);

      expect(result.kind).toBe('replacedUserAccount');
      if (result.kind === 'replacedUserAccount') expect(result.replaced.map((a) => a.managed)).toEqual([false]);
      await device.expectAccounts([{ ...CORP, managed: true, profile: 'p1', replacedUserAccount: true }]);
    });

    it('the same address on another host is not a duplicate and stays', async () => {
      const device = new MailDevice(platform);
      await device.userAdds({ email: ALICE, host: OTHER_HOST });

      expect((await device.installProfile('p1', CORP)).kind).toBe('installed');
      await device.expectAccounts([
        { email: ALICE, host: OTHER_HOST, managed: false },
        { ...CORP, managed: true, profile: 'p1' },
      ]);
    });

    it('the user adding an account a profile manages is refused; the store is unchanged', async () => {
      const device = new MailDevice(platform);
      await device.userAdds(CORP);
      await device.installProfile('p1', CORP);

      const result = await device.userAdds(CORP);

      expect(result.kind).toBe('refusedDuplicate');
      expect(isEmptyChange(result.change)).toBe(true);
      await device.expectAccounts([{ ...CORP, managed: true, profile: 'p1', replacedUserAccount: true }]);
    });

    it('re-applying the profile updates its account and keeps the replacedUserAccount mark', async () => {
      const device = new MailDevice(platform);
      await device.userAdds(CORP);
      await device.installProfile('p1', CORP);

      expect((await device.installProfile('p1', CORP)).kind).toBe('updated');
      await device.expectAccounts([{ ...CORP, managed: true, profile: 'p1', replacedUserAccount: true }]);
    });
  },
);

describe('Samsung KNOX: duplicate = email only; replaced, and replaced again', () => {
  it('a user-created account with the same address on another host is replaced (host ignored)', async () => {
    const device = new MailDevice('samsungKnox');
    await device.userAdds({ email: ALICE, host: OTHER_HOST });

    const result = await device.installProfile('p1', CORP);

    expect(result.kind).toBe('replacedUserAccount');
    await device.expectAccounts([{ ...CORP, managed: true, profile: 'p1', replacedUserAccount: true }]);
  });

  it('a user-created account with the same address and host is replaced', async () => {
    const device = new MailDevice('samsungKnox');
    await device.userAdds(CORP);
    expect((await device.installProfile('p1', CORP)).kind).toBe('replacedUserAccount');
    await device.expectAccounts([{ ...CORP, managed: true, profile: 'p1', replacedUserAccount: true }]);
  });

  it('the user sets the account up again: accepted now, replaced again at the next sync', async () => {
    const device = new MailDevice('samsungKnox');
    await device.installProfile('p1', CORP);

    const added = await device.userAdds(CORP);
    expect(added.kind).toBe('acceptedUntilSync');
    if (added.kind === 'acceptedUntilSync') expect(added.managed.managedBy).toBe('p1');
    await device.expectAccounts([
      { ...CORP, managed: true, profile: 'p1' },
      { ...CORP, managed: false },
    ]);

    const nextSync = await device.installProfile('p1', CORP);
    expect(nextSync.kind).toBe('replacedUserAccount');
    await device.expectAccounts([{ ...CORP, managed: true, profile: 'p1', replacedUserAccount: true }]);
  });

  it('two profiles with one address on two hosts replace each other at every sync', async () => {
    const device = new MailDevice('samsungKnox');
    expect((await device.installProfile('p1', CORP)).kind).toBe('installed');

    const second = await device.installProfile('p2', { email: ALICE, host: OTHER_HOST });
    expect(second.kind).toBe('replacedOtherProfile');
    if (second.kind === 'replacedOtherProfile') expect(second.otherProfileIds).toEqual(['p1']);
    await device.expectAccounts([{ email: ALICE, host: OTHER_HOST, managed: true, profile: 'p2' }]);

    const third = await device.installProfile('p1', CORP);
    expect(third.kind).toBe('replacedOtherProfile');
    if (third.kind === 'replacedOtherProfile') expect(third.otherProfileIds).toEqual(['p2']);
    await device.expectAccounts([{ ...CORP, managed: true, profile: 'p1' }]);
  });

  it('the user cannot delete the managed account', async () => {
    const device = new MailDevice('samsungKnox');
    await device.installProfile('p1', CORP);
    expect((await device.userRemoves(CORP)).kind).toBe('refusedManaged');
    await device.expectAccounts([{ ...CORP, managed: true, profile: 'p1' }]);
  });
});

describe('Android for Work: only the work profile app; the personal profile is never touched', () => {
  it('without the app in the work profile the profile waits; once installed it applies', async () => {
    const device = new MailDevice('androidForWork');
    const waiting = await device.installProfile('p1', { ...CORP, app: 'gmail' });
    expect(waiting).toMatchObject({ kind: 'waitingForApp', app: 'gmail' });
    await device.expectAccounts([]);

    device.installApp('gmail');
    expect((await device.installProfile('p1', { ...CORP, app: 'gmail' })).kind).toBe('installed');
    await device.expectAccounts([{ ...CORP, managed: true, profile: 'p1', androidProfile: 'work', app: 'gmail' }]);
  });

  it("a personal account with the same address and host is untouched when the work account installs", async () => {
    const device = new MailDevice('androidForWork', { apps: ['gmail'] });
    await device.userAdds(CORP);

    expect((await device.installProfile('p1', { ...CORP, app: 'gmail' })).kind).toBe('installed');
    await device.expectAccounts([
      { ...CORP, managed: false, androidProfile: 'personal' },
      { ...CORP, managed: true, profile: 'p1', androidProfile: 'work', app: 'gmail' },
    ]);
  });

  it('the user adding the managed account takes it into the personal profile; the work app is untouched', async () => {
    const device = new MailDevice('androidForWork', { apps: ['nineWork'] });
    await device.installProfile('p1', { ...CORP, app: 'nineWork' });

    const result = await device.userAdds(CORP);

    expect(result.kind).toBe('addedToPersonal');
    if (result.kind === 'addedToPersonal') expect(result.managedInWork.map((a) => a.managedBy)).toEqual(['p1']);
    await device.expectAccounts([
      { ...CORP, managed: false, androidProfile: 'personal' },
      { ...CORP, managed: true, profile: 'p1', androidProfile: 'work', app: 'nineWork' },
    ]);
  });

  it("a user-created work account in the profile's app is taken over by the managed configuration", async () => {
    const device = new MailDevice('androidForWork', { apps: ['gmail'] });
    await device.userAdds({ ...CORP, androidProfile: 'work', app: 'gmail' });

    expect((await device.installProfile('p1', { ...CORP, app: 'gmail' })).kind).toBe('replacedUserAccount');
    await device.expectAccounts([
      { ...CORP, managed: true, profile: 'p1', androidProfile: 'work', app: 'gmail', replacedUserAccount: true },
    ]);
  });

  it('a user-created work account in the other app stays', async () => {
    const device = new MailDevice('androidForWork', { apps: ['gmail', 'nineWork'] });
    await device.userAdds({ ...CORP, androidProfile: 'work', app: 'nineWork' });

    expect((await device.installProfile('p1', { ...CORP, app: 'gmail' })).kind).toBe('installed');
    await device.expectAccounts([
      { ...CORP, managed: false, androidProfile: 'work', app: 'nineWork' },
      { ...CORP, managed: true, profile: 'p1', androidProfile: 'work', app: 'gmail' },
    ]);
  });

  it('the user adding the managed account inside the work profile is refused', async () => {
    const device = new MailDevice('androidForWork', { apps: ['gmail'] });
    await device.installProfile('p1', { ...CORP, app: 'gmail' });
    expect((await device.userAdds({ ...CORP, androidProfile: 'work' })).kind).toBe('refusedDuplicate');
  });

  it("a second profile for the same app takes over the app's managed account (one configuration per app)", async () => {
    const device = new MailDevice('androidForWork', { apps: ['gmail'] });
    await device.installProfile('p1', { ...CORP, app: 'gmail' });

    const result = await device.installProfile('p2', { email: 'alice@fabrikam.com', host: 'mail.fabrikam.com', app: 'gmail' });

    expect(result).toMatchObject({ kind: 'replacedOtherProfile', otherProfileIds: ['p1'] });
    await device.expectAccounts([
      { email: 'alice@fabrikam.com', host: 'mail.fabrikam.com', managed: true, profile: 'p2', androidProfile: 'work', app: 'gmail' },
    ]);
  });

  it('a managed request without an app is a programming error', () => {
    expect(() =>
      rulesFor('androidForWork').installManaged([], { profileId: 'p1', ...CORP, settings: {} }, new MailDevice('androidForWork').ctx()),
    ).toThrow(MailRuleError);
  });
});

describe.each<DevicePlatform>(['ios', 'windows10', 'windowsPhone81', 'samsungKnox', 'androidForWork'])(
  '%s: removing a profile',
  (platform) => {
    it('removes only its managed account; user-created accounts stay', async () => {
      const device = new MailDevice(platform, { apps: ['gmail', 'nineWork'] });
      await device.userAdds({ email: 'bob@contoso.com', host: HOST });
      await device.installProfile('p1', { ...CORP, app: 'gmail' });
      await device.installProfile('p2', { email: 'carol@contoso.com', host: HOST, app: 'nineWork' });

      const result = await device.removeProfile('p1');

      expect(result.removed.map((a) => a.managedBy)).toEqual(['p1']);
      const remaining = await device.snapshot();
      expect(remaining.filter((a) => !a.managed).map((a) => a.email)).toEqual(['bob@contoso.com']);
      expect(remaining.filter((a) => a.managed).map((a) => a.managedBy)).toEqual(['p2']);
    });
  },
);

describe('email and host compare case-insensitively; the original spelling is kept for display', () => {
  it('iOS: a differently-cased manual account still blocks', async () => {
    const device = new MailDevice('ios');
    await device.userAdds({ email: 'Alice@Contoso.com', host: 'MAIL.contoso.com' });
    expect((await device.installProfile('p1', { email: 'ALICE@CONTOSO.COM', host: HOST })).kind).toBe(
      'blockedByUserAccount',
    );
  });

  it('KNOX: a differently-cased address on another host is replaced; the profile spelling is kept', async () => {
    const device = new MailDevice('samsungKnox');
    await device.userAdds({ email: 'ALICE@contoso.COM', host: OTHER_HOST });
    expect((await device.installProfile('p1', { email: 'Alice@Contoso.com', host: HOST })).kind).toBe(
      'replacedUserAccount',
    );
    await device.expectAccounts([
      { email: 'Alice@Contoso.com', host: HOST, managed: true, profile: 'p1', replacedUserAccount: true },
    ]);
  });

  it('Windows: a differently-cased user add of a managed account is refused; removal matches too', async () => {
    const device = new MailDevice('windows10');
    await device.installProfile('p1', CORP);
    expect((await device.userAdds({ email: 'ALICE@CONTOSO.COM', host: 'Mail.Contoso.Com' })).kind).toBe(
      'refusedDuplicate',
    );
    await device.userAdds({ email: 'Bob@Contoso.com', host: HOST });
    expect((await device.userRemoves({ email: 'bob@CONTOSO.com', host: 'MAIL.CONTOSO.COM' })).kind).toBe('removed');
    await device.expectAccounts([{ ...CORP, managed: true, profile: 'p1' }]);
  });
});

describe('the table itself', () => {
  it('has one rule per device platform; Windows 10 and Windows Phone 8.1 share one', () => {
    expect(describePlatformRules().map((r) => r.platform)).toEqual([
      'ios',
      'windows10',
      'windowsPhone81',
      'samsungKnox',
      'androidForWork',
    ]);
    expect(PLATFORM_RULES.windows10).toBe(PLATFORM_RULES.windowsPhone81);
  });

  it('duplicate keys: KNOX ignores the host, the others do not; Android keeps profiles apart', () => {
    const a = { email: 'Alice@Contoso.com', host: 'mail.contoso.com' };
    const b = { email: 'alice@contoso.com', host: 'MAIL2.contoso.com' };
    expect(PLATFORM_RULES.samsungKnox.duplicateKey(a)).toBe(PLATFORM_RULES.samsungKnox.duplicateKey(b));
    expect(PLATFORM_RULES.ios.duplicateKey(a)).not.toBe(PLATFORM_RULES.ios.duplicateKey(b));
    expect(PLATFORM_RULES.windows10.duplicateKey(a)).not.toBe(PLATFORM_RULES.windows10.duplicateKey(b));
    const afw = PLATFORM_RULES.androidForWork;
    expect(afw.duplicateKey({ ...a, androidProfile: 'work' })).not.toBe(afw.duplicateKey({ ...a, androidProfile: 'personal' }));
  });

  it('removing an account nobody has reports notFound and changes nothing', async () => {
    const device = new MailDevice('ios');
    const result = await device.userRemoves(CORP);
    expect(result.kind).toBe('notFound');
    expect(isEmptyChange(result.change)).toBe(true);
  });
});
