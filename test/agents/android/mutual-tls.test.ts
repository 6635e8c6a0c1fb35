import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/android-wire.js';
import { startTestServer } from '../../helpers/server.js';
import { androidWorld, profileState, type AndroidWorld } from './helpers.js';

/**
 * With `mdmlab serve --tls` the devices prove themselves with their device certificate in the TLS
 * handshake (mutual TLS) instead of signing requests: enrollment, policy syncs, reports and the
 * push connection all over TLS, trusting the lab CA.
 */
let world: AndroidWorld;
beforeAll(async () => {
  world = await androidWorld(await startTestServer({ tls: true }));
});
afterAll(async () => {
  await world.close();
  await world.server.stop();
});

describe('Android devices over https', () => {
  it('enroll, sync and report over mutual TLS (Knox and Android for Work)', async () => {
    const caPem = world.server.identity.ca.certPem;
    expect(world.server.url).toMatch(/^https:/);
    const { userId, groupId } = await world.user('tls@contoso.com');
    const knox = await world.knox({ caPem });
    const afw = await world.afw({ caPem });
    await afw.installApp('gmail');
    await knox.enroll(await world.ticket(userId, 'samsungKnox'));
    await afw.enroll(await world.ticket(userId, 'androidForWork'));
    const knoxProfile = await world.profile({ platform: 'samsungKnox', host: 'mail.contoso.com' }, [groupId]);
    const gmailProfile = await world.profile({ platform: 'afwGmail', host: 'mail.contoso.com' }, [groupId]);
    await eventually(() => profileState(world, knox.hardwareId, knoxProfile), (s) => s?.state === 'installed');
    await eventually(() => profileState(world, afw.hardwareId, gmailProfile), (s) => s?.state === 'installed');
    expect(await knox.mailAccounts()).toEqual([expect.objectContaining({ managed: true, managedBy: knoxProfile })]);
    expect(await afw.mailAccounts()).toEqual([expect.objectContaining({ managed: true, androidProfile: 'work', app: 'gmail' })]);
  });
});
