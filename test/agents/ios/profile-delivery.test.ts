import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployProfile, eventually, settle, startIosWorld, type IosTestWorld } from './helpers.js';

let world: IosTestWorld;
beforeAll(async () => {
  world = await startIosWorld();
});
afterAll(async () => {
  await world.close();
});

const scepProfile = async (name: string, subject?: string): Promise<string> =>
  (await world.admin.post('/certificate-profiles', { name, kind: 'scep', platform: 'ios', ...(subject ? { subject } : {}) })).id;

describe('what iOS profiles carry, and how they reach the device', () => {
  it('certificate authentication: the device runs the profile SCEP payload before creating the account', async () => {
    const user = await world.newUser('jane@contoso.com');
    const certProfile = await scepProfile('Exchange identity', 'CN={{upn}},O=Contoso');
    const profile = await deployProfile(world.admin, [user.groupId], { authMethod: 'certificate', identityCertificateProfileId: certProfile });
    const device = await world.newDevice();
    await device.enroll(user.enrollUrl);
    const view = await settle(world, device);

    expect(view.profiles[0]).toMatchObject({ profileId: profile.id, state: 'installed' });
    const [account] = await device.mailAccounts();
    expect(account?.settings.authMethod).toBe('certificate');
    const identities = device.certificates().filter((c) => c.profileIdentifier === profile.identifier && c.kind === 'identity');
    expect(identities).toHaveLength(1);
    const cert = new X509Certificate(identities[0]!.certDer);
    expect(cert.subject).toContain('CN=jane@contoso.com');
    expect(cert.verify(new X509Certificate(world.caPem).publicKey)).toBe(true);
    expect(identities[0]!.keyPem).toContain('BEGIN PRIVATE KEY');
  });

  it('S/MIME: a signing certificate is obtained and the account signs mail', async () => {
    const user = await world.newUser('kim@contoso.com');
    const certProfile = await scepProfile('S/MIME signing');
    const profile = await deployProfile(world.admin, [user.groupId], { useSmime: true, signingCertificateProfileId: certProfile });
    const device = await world.newDevice();
    await device.enroll(user.enrollUrl);
    const view = await settle(world, device);

    expect(view.profiles[0]?.state).toBe('installed');
    const [account] = await device.mailAccounts();
    expect(account?.settings).toMatchObject({ useSmime: true, authMethod: 'password' });
    const signing = device.certificates().filter((c) => c.profileIdentifier === profile.identifier && c.kind === 'identity');
    expect(signing).toHaveLength(1);
    expect(new X509Certificate(signing[0]!.certDer).keyUsage ?? []).toContain('1.3.6.1.5.5.7.3.4'); // emailProtection
  });

  it('all content types off: the device refuses the profile with MCEASErrorDomain 21009 and installs nothing', async () => {
    const user = await world.newUser('liam@contoso.com');
    const profile = await deployProfile(world.admin, [user.groupId], { contentTypes: [] });
    const device = await world.newDevice();
    const results: string[] = [];
    device.on('commandHandled', (e) => results.push(`${e.status} ${e.detail ?? ''}`));
    await device.enroll(user.enrollUrl);
    const view = await settle(world, device);

    expect(view.profiles[0]).toMatchObject({ profileId: profile.id, state: 'failed' });
    expect(view.profiles[0]?.detail).toMatch(/MCInstallationErrorDomain 4001.*MCEASErrorDomain 21009/);
    expect(results[0]).toMatch(/^Error .*21009/);
    expect(await device.mailAccounts()).toEqual([]);
    expect(await device.profileIdentifiers()).toEqual(['com.mdmlab.enroll']);
  });

  it('a busy device answers NotNow, keeps nothing, and polls again by itself once free', async () => {
    const user = await world.newUser('mia@contoso.com');
    const device = await world.newDevice();
    await device.enroll(user.enrollUrl);
    await settle(world, device);
    const statuses: string[] = [];
    device.on('commandHandled', (e) => statuses.push(e.status));

    device.setBusy(true);
    const profile = await deployProfile(world.admin, [user.groupId]);
    await eventually(async () => statuses, (s) => s.includes('NotNow'));
    await device.whenIdle(2000);
    const waiting = await world.serverDevice(device.udid);
    expect(waiting.profiles[0]).toMatchObject({ profileId: profile.id, state: 'pending' });
    expect(await world.admin.get(`/devices/${waiting.id}/commands`)).toEqual({
      queued: [expect.objectContaining({ requestType: 'InstallProfile', status: 'notNow', notNowCount: 1 })],
      history: [],
    });
    expect(await device.mailAccounts()).toEqual([]);

    device.setBusy(false);
    expect(device.isIdle()).toBe(false); // the poll is due at once
    const view = await settle(world, device);
    expect(statuses).toEqual(['NotNow', 'Acknowledged']);
    expect(view.profiles[0]?.state).toBe('installed');
    expect(await device.mailAccounts()).toHaveLength(1);
  });

  it('NotNow stays the last answer when the server slips another command in, so the device still polls once free', async () => {
    const user = await world.newUser('olga@contoso.com');
    const device = await world.newDevice();
    await device.enroll(user.enrollUrl);
    const enrolled = await settle(world, device);
    const seen: string[] = [];
    device.on('commandHandled', (e) => seen.push(`${e.requestType}:${e.status}`));

    device.setBusy(true);
    const profile = await deployProfile(world.admin, [user.groupId]);
    await eventually(async () => seen, (s) => s.includes('InstallProfile:NotNow'));
    await world.admin.post(`/devices/${enrolled.id}/commands`, { requestType: 'ProfileList' });
    await eventually(async () => seen, (s) => s.includes('ProfileList:Acknowledged'));
    await device.whenIdle(2000);
    // The server offers the NotNow command again after any other answer (NanoMDM's queue rule), so
    // the exchange ends on NotNow and Apple's "poll again when conditions change" still applies.
    expect(seen).toEqual(['InstallProfile:NotNow', 'InstallProfile:NotNow', 'ProfileList:Acknowledged', 'InstallProfile:NotNow']);

    device.setBusy(false);
    const view = await settle(world, device);
    expect(view.profiles.find((p) => p.profileId === profile.id)?.state).toBe('installed');
    expect(seen.at(-1)).toBe('InstallProfile:Acknowledged');
  });

  it('offline while deployed: the push is held, and delivered when the device is back online', async () => {
    const user = await world.newUser('noah@contoso.com');
    const device = await world.newDevice();
    await device.enroll(user.enrollUrl);
    await settle(world, device);

    await device.setOnline(false);
    const profile = await deployProfile(world.admin, [user.groupId]);
    await new Promise((r) => setTimeout(r, 150));
    const offline = await world.serverDevice(device.udid);
    expect(offline.profiles[0]).toMatchObject({ profileId: profile.id, state: 'pending' });
    expect(world.server.push.stats().held).toBeGreaterThanOrEqual(1);
    expect(device.isIdle()).toBe(true);
    await device.checkIn(); // offline: nothing is sent
    expect(await device.mailAccounts()).toEqual([]);

    await device.setOnline(true);
    const view = await eventually(() => world.serverDevice(device.udid), (v) => v.profiles[0]?.state === 'installed');
    await device.whenIdle(2000);
    expect(view.profiles[0]?.state).toBe('installed');
    expect(await device.mailAccounts()).toEqual([expect.objectContaining({ managedBy: profile.identifier })]);
  });
});
