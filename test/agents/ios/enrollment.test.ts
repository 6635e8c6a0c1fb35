import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCms } from '../../../certs/cms-signed.js';
import { isIosDeviceError } from '../../../agents/ios/errors.js';
import { IosDevice } from '../../../agents/ios/ios-device.js';
import { UDID_PATTERN } from '../../../agents/ios/hardware.js';
import { buildEnrollmentProfile } from '../../../protocol/apple/enrollment-profile.js';
import { encodePlist } from '../../../protocol/apple/plist-codec.js';
import { deployProfile, eventually, settle, startIosWorld, type IosTestWorld } from './helpers.js';

let world: IosTestWorld;
beforeAll(async () => {
  world = await startIosWorld();
});
afterAll(async () => {
  await world.close();
});

describe('iOS device enrollment against the real server', () => {
  it('enrolls, picks up the deployed profile and holds the managed account with the profile settings', async () => {
    const user = await world.newUser('alice@contoso.com', { username: 'alice' });
    const profile = await deployProfile(world.admin, [user.groupId], {
      daysToSync: 14,
      useSsl: false,
      usernameSource: 'username',
      contentTypes: ['email', 'calendar'],
      allowSendFromThirdPartyApps: false,
    });
    const device = await world.newDevice({ seed: 'alice-iphone' });
    const handled: string[] = [];
    device.on('commandHandled', (e) => handled.push(`${e.requestType}:${e.status}`));

    await device.enroll(user.enrollUrl);
    const view = await settle(world, device);

    expect(device.udid).toMatch(UDID_PATTERN);
    expect(device.isEnrolled()).toBe(true);
    expect(handled).toEqual(['InstallProfile:Acknowledged']);
    expect(view.status).toBe('enrolled');
    expect(view.compliance).toBe('compliant');
    expect(view.profiles).toEqual([expect.objectContaining({ profileId: profile.id, state: 'installed' })]);
    expect(view.apple?.pushToken).toBe(device.pushToken);
    const accounts = await device.mailAccounts();
    expect(accounts).toEqual([
      expect.objectContaining({
        email: 'alice@contoso.com',
        host: 'mail.contoso.com',
        username: 'alice',
        managed: true,
        managedBy: profile.identifier,
        settings: {
          accountName: 'Corp mail',
          username: 'alice',
          daysToSync: 14,
          useSsl: false,
          contentTypes: ['email', 'calendar'],
          authMethod: 'password',
          useSmime: false,
          allowSendFromThirdPartyApps: false,
        },
      }),
    ]);
    expect(await device.profileIdentifiers()).toEqual(['com.mdmlab.enroll', profile.identifier]);
  });

  it('answers ProfileList with Apple keys, IsManaged true only for what MDM installed', async () => {
    const user = await world.newUser('bob@contoso.com');
    const profile = await deployProfile(world.admin, [user.groupId]);
    const device = await world.newDevice();
    await device.enroll(user.enrollUrl);
    const view = await settle(world, device);

    await world.admin.post(`/devices/${view.id}/commands`, { requestType: 'ProfileList' });
    const listed = await eventually(
      () => world.serverDevice(device.udid),
      (v) => (v.apple?.installedProfiles?.length ?? 0) > 0,
    );
    expect(listed.apple?.installedProfiles).toEqual([
      expect.objectContaining({ identifier: 'com.mdmlab.enroll', managed: false }),
      expect.objectContaining({ identifier: profile.identifier, managed: true }),
    ]);
  });

  it('resumes from its state folder: same UDID, accounts and push token, still enrolled', async () => {
    const user = await world.newUser('carol@contoso.com');
    const first = await deployProfile(world.admin, [user.groupId]);
    const stateDir = world.tempDir();
    const before = await world.newDevice({ stateDir });
    await before.enroll(user.enrollUrl);
    await settle(world, before);
    await before.addAccount({ email: 'carol@gmail.com', host: 'imap.gmail.com' });
    const accounts = await before.mailAccounts();
    const token = before.pushToken;
    await before.stop();

    const after = await world.newDevice({ stateDir, seed: 'another seed changes nothing on resume' });
    expect(after.udid).toBe(before.udid);
    expect(after.isEnrolled()).toBe(true);
    expect(after.pushToken).toBe(token);
    expect(await after.mailAccounts()).toEqual(accounts);
    await after.checkIn(); // signed with the stored identity: the server accepts it
    expect((await world.serverDevice(after.udid)).status).toBe('enrolled');

    // The resumed device is reachable by push: a second profile arrives without a check-in.
    const second = await deployProfile(world.admin, [user.groupId], { host: 'mail2.contoso.com' });
    const view = await eventually(
      () => world.serverDevice(after.udid),
      (v) => v.profiles.find((p) => p.profileId === second.id)?.state === 'installed',
    );
    expect(view.profiles.map((p) => [p.profileId, p.state]).sort()).toEqual([[first.id, 'installed'], [second.id, 'installed']].sort());
    expect((await after.mailAccounts()).map((a) => a.host).sort()).toEqual(['imap.gmail.com', 'mail.contoso.com', 'mail2.contoso.com']);
  });

  it('unenroll sends CheckOut: the server shows it unenrolled, managed accounts go, user accounts stay', async () => {
    const user = await world.newUser('dave@contoso.com');
    await deployProfile(world.admin, [user.groupId]);
    const device = await world.newDevice();
    await device.addAccount({ email: 'dave@contoso.com', host: 'imap.other.example' });
    await device.enroll(user.enrollUrl);
    await settle(world, device);
    expect(await device.mailAccounts()).toHaveLength(2);

    await device.unenroll();

    expect(device.isEnrolled()).toBe(false);
    expect(await device.mailAccounts()).toEqual([expect.objectContaining({ email: 'dave@contoso.com', host: 'imap.other.example', managed: false })]);
    expect(await device.profileIdentifiers()).toEqual([]);
    const view = await world.serverDevice(device.udid);
    expect(view.status).toBe('unenrolled');
    // What was installed is recorded as removed with the management that carried it.
    expect(view.profiles).toEqual([expect.objectContaining({ state: 'removed' })]);
    await expect(device.checkIn()).rejects.toSatisfy((e) => isIosDeviceError(e, 'notEnrolled'));
  });

  it('fails enrollment with a clear error when the SCEP server refuses the request', async () => {
    // An enrollment profile signed by the lab CA whose SCEP challenge the server never issued.
    const ca = world.server.identity.ca;
    const uuid = () => randomUUID().toUpperCase();
    const xml = encodePlist(
      buildEnrollmentProfile({
        identifier: 'com.mdmlab.enroll',
        uuids: { profile: uuid(), root: uuid(), scep: uuid(), mdm: uuid() },
        displayName: 'forged',
        caCertDer: ca.certDer,
        scep: { url: `${world.server.url}/scep`, challenge: 'never-issued', subject: [[['CN', 'x']]] },
        mdm: { serverUrl: `${world.server.url}/mdm/connect`, checkInUrl: `${world.server.url}/mdm/checkin`, topic: 'com.apple.mgmt.External.test' },
      }),
    );
    const signed = signCms({ content: Buffer.from(xml), detached: false, signerCertDer: ca.certDer, signerKey: ca.privateKey });
    const host = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/x-apple-aspen-config' }).end(signed));
    await new Promise<void>((ok) => host.listen(0, '127.0.0.1', ok));
    try {
      const device = await world.newDevice();
      const err = await device.enroll(`http://127.0.0.1:${(host.address() as AddressInfo).port}/enroll`).catch((e: unknown) => e);
      expect(isIosDeviceError(err, 'scepFailed')).toBe(true);
      expect((err as Error).message).toMatch(/refused.*badRequest/);
      expect(device.isEnrolled()).toBe(false);
      expect(await device.profileIdentifiers()).toEqual([]);
    } finally {
      host.close();
    }
  });

  it('refuses an enrollment URL whose token is unknown', async () => {
    const device = await world.newDevice();
    const err = await device.enroll(`${world.server.url}/mdm/enroll?token=nope`).catch((e: unknown) => e);
    expect(isIosDeviceError(err, 'enrollmentProfileRefused')).toBe(true);
    expect((err as IosDeviceErrorLike).status).toBe(403);
  });

  it('generates the same hardware from the same seed', async () => {
    const a = await IosDevice.create({ seed: 'same' });
    const b = await IosDevice.create({ seed: 'same' });
    const c = await IosDevice.create({ seed: 'other' });
    expect(a.hardware).toEqual(b.hardware);
    expect(c.udid).not.toBe(a.udid);
    expect(a.hardware).toMatchObject({ productName: 'iPhone15,2', osVersion: '18.1', buildVersion: '22B83' });
    expect(a.hardware.serialNumber).toMatch(/^[0-9A-Z]{10}$/);
    await Promise.all([a.stop(), b.stop(), c.stop()]);
  });
});

interface IosDeviceErrorLike {
  status?: number;
}
