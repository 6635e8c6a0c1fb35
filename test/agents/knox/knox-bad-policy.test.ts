import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/android-wire.js';
import { startTestServer } from '../../helpers/server.js';
import { androidWorld, profileState, type AndroidWorld } from '../android/helpers.js';
import { startRewritingProxy, type RewritingProxy } from '../android/rewriting-proxy.js';

/**
 * What a Knox device does with a Knox section it cannot use, which mdmlab's server never sends
 * (played by a proxy that edits the real server's policy): a field of the wrong type is reported as
 * INVALID_VALUE at its path and Knox's default is used; an account without its required fields is
 * not created; a key pair whose PKCS#12 does not open leaves the account without its certificate
 * (certificateMissing). The device never stops syncing.
 */
let world: AndroidWorld;
let proxy: RewritingProxy;
beforeAll(async () => {
  proxy = await startRewritingProxy();
  const server = await startTestServer({ baseUrl: proxy.url });
  proxy.target = `http://127.0.0.1:${server.port}`;
  world = await androidWorld(server);
});
afterAll(async () => {
  await world.close();
  await world.server.stop();
  await proxy.close();
});

const editPolicy = (edit: (policy: any) => void) => {
  proxy.rewrite = ({ method, path, status, body }) => {
    if (method !== 'GET' || path !== '/android/v1/policy' || status !== 200) return undefined;
    const policy = JSON.parse(body.toString('utf8'));
    edit(policy);
    return Buffer.from(JSON.stringify(policy));
  };
};
const knox = () => world.knox({ serverUrl: proxy.url, pushUrl: `ws://127.0.0.1:${world.server.port}/push` });

describe('a Knox device given a Knox section it cannot use', () => {
  it('reports a field of the wrong type as INVALID_VALUE and creates the account with the default', async () => {
    const { userId, groupId } = await world.user('ivy@contoso.com');
    const d = await knox();
    await d.enroll(await world.ticket(userId, 'samsungKnox'));
    editPolicy((p) => {
      for (const a of p.mdmlab?.knoxExchangeAccounts ?? []) a.syncLookback = 'a week';
    });
    try {
      const profileId = await world.profile({ platform: 'samsungKnox', host: 'mail.contoso.com', daysToSync: 7 }, [groupId]);
      const failed = await eventually(() => profileState(world, d.hardwareId, profileId), (s) => s?.state === 'failed');
      expect(failed?.detail).toMatch(/INVALID_VALUE at mdmlab\.knoxExchangeAccounts\[0\]\.syncLookback \(value "a week"\)/);
      await d.whenIdle(10_000);
      // ExchangeAccount's default look-back (code 1: one day) for the unusable value.
      expect(await d.mailAccounts()).toEqual([expect.objectContaining({ managed: true, settings: expect.objectContaining({ daysToSync: 1 }) })]);
      await d.checkIn();
    } finally {
      proxy.rewrite = undefined;
    }
  });

  it('creates no account without its address, and none whose certificate did not open (certificateMissing)', async () => {
    const { userId, groupId } = await world.user('jon@contoso.com');
    const d = await knox();
    await d.enroll(await world.ticket(userId, 'samsungKnox'));
    const scep = (await world.server.api.post('/certificate-profiles', { name: 'knox identity', kind: 'scep', platform: 'samsungKnox' }).expect(201)).body.id as string;
    editPolicy((p) => {
      for (const k of p.mdmlab?.keyPairs ?? []) k.password = 'not the password';
      const [certificateAccount] = p.mdmlab?.knoxExchangeAccounts ?? [];
      if (certificateAccount) p.mdmlab.knoxExchangeAccounts.push({ ...certificateAccount, id: 'broken-account', emailAddress: 42, certificateAlias: undefined });
    });
    try {
      const profileId = await world.profile({ platform: 'samsungKnox', host: 'mail.contoso.com', authMethod: 'certificate', identityCertificateProfileId: scep }, [groupId]);
      const failed = await eventually(() => profileState(world, d.hardwareId, profileId), (s) => s?.state === 'failed');
      expect(failed?.detail).toMatch(/certificateMissing: the keystore holds no certificate mdmlab-/);
      await d.whenIdle(10_000);
      expect(await d.mailAccounts()).toEqual([]);
      expect(d.isEnrolled()).toBe(true);
    } finally {
      proxy.rewrite = undefined;
    }
  });
});
