import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAndroidDeviceError } from '../../../agents/android-channel/android-errors.js';
import { eventually } from '../../helpers/android-wire.js';
import { androidWorld, profileState, type AndroidWorld } from '../android/helpers.js';

/**
 * The simulated Samsung Knox device against the real server over real HTTP: enrollment from the
 * enrollment token's QR payload, signed policy syncs, the Knox section applied with the KNOX rule
 * (same address on any host replaced, the user's new copy replaced again at the next sync), and the
 * keyed app states that make the server's profile states.
 */
let world: AndroidWorld;
beforeAll(async () => {
  world = await androidWorld();
});
afterAll(() => world.close());

describe('a Knox device', () => {
  it('enrolls from the QR payload, gets its account, and the server reports the profile installed', async () => {
    const { userId, groupId } = await world.user('kim@contoso.com');
    const profileId = await world.profile({ platform: 'samsungKnox', host: 'mail.contoso.com', daysToSync: 7 }, [groupId]);
    const device = await world.knox();
    await device.enroll(await world.ticket(userId, 'samsungKnox'));
    expect(device.isEnrolled()).toBe(true);
    expect(await device.mailAccounts()).toEqual([
      expect.objectContaining({ email: 'kim@contoso.com', host: 'mail.contoso.com', managed: true, managedBy: profileId, settings: expect.objectContaining({ daysToSync: 7, useSsl: false }) }),
    ]);
    expect(await profileState(world, device.hardwareId, profileId)).toMatchObject({ state: 'installed' });
    expect(await device.managedProfileIds()).toEqual([profileId]);
  });

  it('replaces the account the user made with the same address on another host, and again after the user sets it up again', async () => {
    const { userId, groupId } = await world.user('lee@contoso.com');
    const device = await world.knox();
    await device.addAccount({ email: 'lee@contoso.com', host: 'imap.elsewhere.com' });
    await device.enroll(await world.ticket(userId, 'samsungKnox'));
    const profileId = await world.profile({ platform: 'samsungKnox', host: 'mail.contoso.com' }, [groupId]);
    await eventually(() => device.mailAccounts(), (a) => a.length === 1 && a[0]!.managed);
    await device.whenIdle(10_000);
    expect(await device.mailAccounts()).toEqual([expect.objectContaining({ email: 'lee@contoso.com', host: 'mail.contoso.com', managed: true, replacedUserAccount: true })]);
    const again = await device.addAccount({ email: 'lee@contoso.com', host: 'mail.contoso.com' });
    expect(again.kind).toBe('acceptedUntilSync');
    expect(await device.mailAccounts()).toHaveLength(2);
    await device.checkIn();
    expect(await device.mailAccounts()).toEqual([expect.objectContaining({ managed: true, managedBy: profileId })]);
    expect(await profileState(world, device.hardwareId, profileId)).toMatchObject({ state: 'installed' });
  });

  it('enrolls when the push gateway gives no token in time, and syncs when asked', async () => {
    const { userId, groupId } = await world.user('ned@contoso.com');
    const profileId = await world.profile({ platform: 'samsungKnox', host: 'mail.contoso.com' }, [groupId]);
    // Nothing listens there: no push token, ever.
    const device = await world.knox({ pushUrl: 'ws://127.0.0.1:9/push', pushTokenTimeoutMs: 200, retry: { initialMs: 60_000, maxMs: 60_000 } });
    await device.enroll(await world.ticket(userId, 'samsungKnox'));
    expect(device.isEnrolled()).toBe(true);
    expect(device.pushToken).toBeUndefined();
    expect(await profileState(world, device.hardwareId, profileId)).toMatchObject({ state: 'installed' });
    await device.checkIn();
  });

  it('refuses a QR code for another server, and a spent enrollment token surfaces as the channel refusal', async () => {
    const { userId } = await world.user('max@contoso.com');
    const ticket = await world.ticket(userId, 'samsungKnox');
    const other = await world.knox({ serverUrl: 'http://mdm.other.example:8080' });
    const refused = await other.enroll(ticket).catch((e: unknown) => e);
    expect(isAndroidDeviceError(refused, 'qrForAnotherServer')).toBe(true);
    expect(other.isEnrolled()).toBe(false);
    const first = await world.knox();
    await first.enroll(ticket);
    const second = await world.knox();
    const spent = await second.enroll(ticket).catch((e: unknown) => e);
    expect(isAndroidDeviceError(spent, 'enrollmentRefused')).toBe(true);
    expect(spent).toMatchObject({ status: expect.any(Number), reason: expect.any(String) });
  });
});
