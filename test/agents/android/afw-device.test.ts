import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAndroidDeviceError } from '../../../agents/android-channel/android-errors.js';
import { AfwDevice } from '../../../agents/android/afw-device.js';
import { encodeChannelError } from '../../../protocol/android/channel.js';
import { GMAIL_KEYS } from '../../../protocol/android/managed-config/gmail.js';
import { admin, eventually } from '../../helpers/android-wire.js';
import { startTestServer } from '../../helpers/server.js';
import { androidWorld, profileState, type AndroidWorld } from './helpers.js';
import { startRewritingProxy, type RewritingProxy } from './rewriting-proxy.js';

/**
 * The simulated Android for Work device against the real server, over real HTTP: the managed
 * configuration waits for its app in the work profile, Gmail's account is made in the work profile
 * only, the personal profile is never touched, unenrolling removes the work profile. A proxy in
 * front of the server plays what mdmlab never sends (a value of the wrong type, a refusal at a
 * chosen moment).
 */
let world: AndroidWorld;
let proxy: RewritingProxy;
beforeAll(async () => {
  proxy = await startRewritingProxy();
  const server = await startTestServer({ baseUrl: proxy.url });
  proxy.target = `http://127.0.0.1:${server.port}`; // server.url is its base URL: the proxy's
  world = await androidWorld(server);
});
afterAll(async () => {
  await world.close();
  await world.server.stop();
  await proxy.close();
});

const pushUrl = () => `ws://127.0.0.1:${world.server.port}/push`;
/** A device that talks to the server through the proxy (its QR code names the proxy), with its push connection straight to the server. */
const device = () => world.afw({ serverUrl: proxy.url, pushUrl: pushUrl() });

describe('an Android for Work device', () => {
  it('waits for Gmail (waitingForApp), creates the work account once the user installs it, and leaves the personal account alone', async () => {
    const { userId, groupId } = await world.user('ann@contoso.com');
    const d = await device();
    await d.addAccount({ email: 'ann@contoso.com', host: 'mail.contoso.com' }); // personal profile
    await d.enroll(await world.ticket(userId, 'androidForWork'));
    const profileId = await world.profile({ platform: 'afwGmail', host: 'mail.contoso.com' }, [groupId]);
    await eventually(() => profileState(world, d.hardwareId, profileId), (s) => s?.state === 'waitingForApp');
    await d.whenIdle(10_000);
    expect((await d.mailAccounts()).map((a) => [a.androidProfile, a.managed])).toEqual([['personal', false]]);

    await d.installApp('gmail');
    expect(d.workApps()).toEqual(['gmail']);
    expect(await profileState(world, d.hardwareId, profileId)).toMatchObject({ state: 'installed' });
    const accounts = await d.mailAccounts();
    expect(accounts).toHaveLength(2);
    expect(accounts).toContainEqual(expect.objectContaining({ email: 'ann@contoso.com', androidProfile: 'personal', managed: false }));
    expect(accounts).toContainEqual(expect.objectContaining({ email: 'ann@contoso.com', androidProfile: 'work', app: 'gmail', managed: true }));

    await d.unenroll();
    expect(await d.mailAccounts()).toEqual([expect.objectContaining({ androidProfile: 'personal', managed: false })]);
    expect(d.workApps()).toEqual([]);
    expect((await world.serverDevice(d.hardwareId)).status).toBe('unenrolled');
  });

  it('reports a managed configuration value of the wrong type as INVALID_VALUE, keeps running, and makes the account with the default', async () => {
    const { userId, groupId } = await world.user('bea@contoso.com');
    const d = await device();
    await d.installApp('gmail');
    await d.enroll(await world.ticket(userId, 'androidForWork'));
    proxy.rewrite = ({ method, path, status, body }) => {
      if (method !== 'GET' || path !== '/android/v1/policy' || status !== 200) return undefined;
      const policy = JSON.parse(body.toString('utf8'));
      for (const app of policy.applications ?? []) if (app.managedConfiguration) app.managedConfiguration[GMAIL_KEYS.sslRequired] = 'yes';
      return Buffer.from(JSON.stringify(policy));
    };
    try {
      const profileId = await world.profile({ platform: 'afwGmail', host: 'mail.contoso.com', useSsl: true }, [groupId]);
      const failed = await eventually(() => profileState(world, d.hardwareId, profileId), (s) => s?.state === 'failed');
      expect(failed?.detail).toMatch(/INVALID_VALUE at applications\[\d+\]\.managedConfiguration\.exchange_ssl_required \(value "yes"\)/);
      await d.whenIdle(10_000);
      // Gmail falls back to its default (SSL required) for the unusable value.
      expect(await d.mailAccounts()).toEqual([expect.objectContaining({ androidProfile: 'work', managed: true, settings: expect.objectContaining({ useSsl: true }) })]);
      await d.checkIn();
      expect(d.isEnrolled()).toBe(true);
    } finally {
      proxy.rewrite = undefined;
    }
  });

  it('surfaces a refusal in the channel’s form as a DeviceError with its reason', async () => {
    const { userId } = await world.user('cal@contoso.com');
    const d = await device();
    await d.enroll(await world.ticket(userId, 'androidForWork'));
    proxy.rewrite = ({ path }) =>
      path === '/android/v1/policy'
        ? { status: 429, headers: { 'content-type': 'application/json' }, body: encodeChannelError({ code: 429, status: 'RESOURCE_EXHAUSTED', reason: 'tooManyRequests', message: 'slow down' }) }
        : undefined;
    try {
      const err = await d.checkIn().catch((e: unknown) => e);
      expect(isAndroidDeviceError(err, 'serverRefused')).toBe(true);
      expect(err).toMatchObject({ status: 429, reason: 'tooManyRequests' });
    } finally {
      proxy.rewrite = undefined;
    }
    await d.checkIn();
  });

  it('Gmail re-creates its account when an account-defining key changes; Nine Work changes its account in place', async () => {
    const { userId, groupId } = await world.user('eve@contoso.com');
    const d = await device();
    await d.installApp('gmail');
    await d.installApp('nineWork');
    await d.enroll(await world.ticket(userId, 'androidForWork'));
    const gmail = await world.profile({ platform: 'afwGmail', host: 'mail.contoso.com', useSsl: false, daysToSync: 7 }, [groupId]);
    const nine = await world.profile({ platform: 'afwNineWork', host: 'mail.contoso.com', useSsl: false, daysToSync: 7 }, [groupId]);
    await eventually(() => d.mailAccounts(), (a) => a.length === 2);
    await d.whenIdle(10_000);
    const idOf = async (app: string) => (await d.mailAccounts()).find((a) => a.app === app)!.id;
    const [gmailBefore, nineBefore] = [await idOf('gmail'), await idOf('nineWork')];
    // exchange_ssl_required is account-defining for Gmail; Nine Work's SSL setting is not.
    await admin(world.server, 'PATCH', `/email-profiles/${gmail}`, { useSsl: true }, 200);
    await admin(world.server, 'PATCH', `/email-profiles/${nine}`, { useSsl: true }, 200);
    await eventually(() => d.mailAccounts(), (a) => a.length === 2 && a.every((x) => x.settings.useSsl === true));
    await d.whenIdle(10_000);
    expect(await idOf('gmail')).not.toBe(gmailBefore);
    expect(await idOf('nineWork')).toBe(nineBefore);
    expect(await profileState(world, d.hardwareId, gmail)).toMatchObject({ state: 'installed' });
    expect(await profileState(world, d.hardwareId, nine)).toMatchObject({ state: 'installed' });
  });

  it('offline it misses the push; back online it syncs and applies what changed meanwhile', async () => {
    const { userId, groupId } = await world.user('fay@contoso.com');
    const d = await device();
    await d.installApp('gmail');
    await d.enroll(await world.ticket(userId, 'androidForWork'));
    await d.setOnline(false);
    const profileId = await world.profile({ platform: 'afwGmail', host: 'mail.contoso.com' }, [groupId]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await d.mailAccounts()).toEqual([]);
    await d.setOnline(true);
    await eventually(() => profileState(world, d.hardwareId, profileId), (s) => s?.state === 'installed');
    expect(await d.mailAccounts()).toHaveLength(1);
  });

  it('resumes from its state folder: enrolled, same serial, accounts and apps', async () => {
    const { userId, groupId } = await world.user('dan@contoso.com');
    const dir = world.tempDir();
    const opts = { serverUrl: proxy.url, pushUrl: pushUrl(), stateDir: dir, periodicSyncMs: 0 };
    const first = await AfwDevice.create({ ...opts, seed: 'dan' });
    await first.installApp('nineWork');
    await first.enroll(await world.ticket(userId, 'androidForWork'));
    await world.profile({ platform: 'afwNineWork', host: 'mail.contoso.com' }, [groupId]);
    await eventually(() => first.mailAccounts(), (a) => a.length === 1);
    await first.whenIdle(10_000);
    await first.stop();
    const again = await AfwDevice.create(opts);
    try {
      expect(again.isEnrolled()).toBe(true);
      expect(again.hardwareId).toBe(first.hardwareId);
      expect(again.workApps()).toEqual(['nineWork']);
      expect(await again.mailAccounts()).toEqual([expect.objectContaining({ app: 'nineWork', managed: true })]);
      await again.checkIn();
    } finally {
      await again.stop();
    }
  });
});

