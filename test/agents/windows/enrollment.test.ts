import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../certs/certificate.js';
import { isWindowsDeviceError } from '../../../agents/windows/errors.js';
import { DEVICE_ID_PATTERN } from '../../../agents/windows/hardware.js';
import { accountUidOf } from '../../../agents/windows/enrollment/apply-provisioning.js';
import { CLIENT_CREDENTIALS, dmAccountUri, readDmAccount } from '../../../agents/windows/omadm/dm-account.js';
import { settle, startWindowsWorld, type WindowsTestWorld } from './helpers.js';

let world: WindowsTestWorld;
beforeAll(async () => {
  world = await startWindowsWorld();
});
afterAll(async () => {
  await world.close();
});

const thumbprint = (der: Buffer) => createHash('sha1').update(der).digest('hex').toUpperCase();

describe('Windows enrollment (MS-MDE2) against the real server', () => {
  it('enrolls a Windows 10 laptop: discovery, policies, WSTEP, the provisioning document applied to its tree, a first session that authenticates by MD5 in lab mode', async () => {
    const user = await world.newUser('alice@contoso.com');
    const device = await world.newDevice({ hardware: { deviceName: 'DESKTOP-ALICE' } });
    await device.enroll(await world.ticket(user.userId));
    const view = await settle(world, device);

    expect(device.isEnrolled()).toBe(true);
    expect(device.deviceId).toMatch(DEVICE_ID_PATTERN);
    const paths = world.http.sent.filter((r) => !r.path.startsWith('/api/')).map((r) => `${r.method} ${r.path}`);
    expect(paths.slice(0, 5)).toEqual([
      'GET /EnrollmentServer/Discovery.svc',
      'POST /EnrollmentServer/Discovery.svc',
      'POST /EnrollmentServer/Policy.svc',
      'POST /EnrollmentServer/Enrollment.svc',
      'POST /ManagementServer/MDM.svc',
    ]);
    // The server took the device's first session (plain HTTP: MD5 credentials from the provisioned APPSRV block).
    expect(view).toMatchObject({ platform: 'windows10', status: 'enrolled', compliance: 'compliant', hardwareId: device.deviceId });
    expect(view.windows).toMatchObject({
      deviceId: device.deviceId,
      enrollmentType: 'Full',
      certificateStore: 'My/User',
      loginStatus: 'user',
      enrollmentContext: { DeviceType: 'CIMClient_Windows', RequestVersion: '4.0', DeviceName: 'DESKTOP-ALICE' },
      devInfo: { DevId: device.deviceId, Man: device.hardware.manufacturer, Mod: device.hardware.model, DmV: '1.3', Lang: 'en-US' },
    });

    // The tree holds what the provisioning document said.
    const tree = device.tree;
    const cert = device.certificate!;
    expect(parseCertificate(cert).subject.string).toBe(`CN=${device.deviceId}`);
    expect(tree.value(`./Vendor/MSFT/CertificateStore/My/User/${thumbprint(cert)}/EncodedCertificate`)).toBe(cert.toString('base64'));
    expect(tree.value(`./Vendor/MSFT/CertificateStore/Root/System/${thumbprint(world.server.identity.ca.certDer)}/EncodedCertificate`)).toBe(world.server.identity.ca.certDer.toString('base64'));
    const uid = accountUidOf('mdmlab');
    expect(device.enrollment).toMatchObject({ providerId: 'mdmlab', accountUid: uid, serverUrl: `${world.server.url}/ManagementServer/MDM.svc`, upn: 'alice@contoso.com' });
    expect(tree.value(`${dmAccountUri(uid)}/ServerID`)).toBe('mdmlab');
    expect(readDmAccount(tree, uid)).toMatchObject({ serverUrl: `${world.server.url}/ManagementServer/MDM.svc`, client: { type: 'DIGEST', name: device.deviceId } });
    expect(tree.value(`${dmAccountUri(uid)}/AppAuth/${CLIENT_CREDENTIALS}/AAuthLevel`)).toBe('CLCRED');
    expect(tree.value('./Vendor/MSFT/DMClient/Provider/mdmlab/Poll/IntervalForFirstSetOfRetries')).toBe('3');
    expect(tree.value('./Vendor/MSFT/DMClient/Provider/mdmlab/UPN')).toBe('alice@contoso.com');
    // The server turned push on (PFN) and read the channel the device opened.
    expect(tree.value('./Vendor/MSFT/DMClient/Provider/mdmlab/Push/PFN')).toBe('mdmlab.wns');
    expect(tree.value('./Vendor/MSFT/DMClient/Provider/mdmlab/Push/ChannelURI')).toBe(`${world.server.url}/push/wns/${device.pushToken}`);
    expect(view.windows!.push.pfnSet).toBe(true);
    expect(view.windows!.push.channelUri).toMatch(/\/push\/wns\//);
  });

  it('without a push service (pushChannel false, a server with no push gateway) opens no channel although the server sets Push/PFN, and syncs when its user asks', async () => {
    const user = await world.newUser('nopush@contoso.com');
    const device = await world.newDevice({ pushChannel: false });
    await device.enroll(await world.ticket(user.userId));
    await settle(world, device);
    await device.checkIn();
    const view = await settle(world, device);
    expect(device.tree.value('./Vendor/MSFT/DMClient/Provider/mdmlab/Push/PFN')).toBe('mdmlab.wns');
    expect(device.tree.value('./Vendor/MSFT/DMClient/Provider/mdmlab/Push/ChannelURI')).toBeUndefined();
    expect(device.pushToken).toBeUndefined();
    expect(view.windows!.push.pfnSet).toBe(true);
    expect(view.windows!.push.channelUri).toBeUndefined();
  });

  it('enrolls a Windows Phone 8.1 device as a device enrollment: older RequestVersion, My/System, no user scope, no LoginStatus', async () => {
    const user = await world.newUser('wp@contoso.com');
    const device = await world.newDevice({ platform: 'windowsPhone81' });
    await device.enroll(await world.ticket(user.userId, 'windowsPhone81'));
    const view = await settle(world, device);
    expect(device.platform).toBe('windowsPhone81');
    expect(view).toMatchObject({ platform: 'windowsPhone81', status: 'enrolled' });
    expect(view.windows).toMatchObject({ enrollmentType: 'Device', certificateStore: 'My/System', enrollmentContext: { DeviceType: 'WindowsPhone', RequestVersion: '2.0', EnrollmentType: 'Device' } });
    expect(view.windows!.loginStatus).toBeUndefined();
    expect(world.http.syncml().filter((m) => m.includes(device.deviceId)).some((m) => m.includes('com.microsoft/MDM/LoginStatus'))).toBe(false);
    // A phone has no per-user tree: a ./User node is not there to be found.
    const [status] = device.tree.execute([{ kind: 'Get', cmdId: '1', items: [{ target: './User/Vendor/MSFT/ActiveSync/Accounts' }] }]);
    expect(status!.code).toBe(404);
    expect(device.tree.exists('./Vendor/MSFT/ActiveSync/Accounts')).toBe(true);
  });

  it('is refused with the server\'s SOAP fault when the token was spent, and refuses a ticket it cannot enroll with', async () => {
    const user = await world.newUser('bob@contoso.com');
    const ticket = await world.ticket(user.userId);
    await (await world.newDevice()).enroll(ticket);
    const second = await world.newDevice();
    const err = await second.enroll(ticket).catch((e: unknown) => e);
    expect(isWindowsDeviceError(err, 'enrollmentRefused'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(/Authentication/);
    expect(second.isEnrolled()).toBe(false);
    expect(second.tree.exists(dmAccountUri(accountUidOf('mdmlab')))).toBe(false);

    const noUpn = await second.enroll({ discoveryUrl: ticket.discoveryUrl!, token: 'x' }).catch((e: unknown) => e);
    expect(isWindowsDeviceError(noUpn, 'badTicket')).toBe(true);
    await second.setOnline(false);
    const offline = await second.enroll(await world.ticket(user.userId)).catch((e: unknown) => e);
    expect(isWindowsDeviceError(offline, 'offline')).toBe(true);
  });

  it('says so when the server is not there (network), without enrolling', async () => {
    const device = await world.newDevice();
    const err = await device.enroll({ discoveryUrl: 'http://127.0.0.1:1/EnrollmentServer/Discovery.svc', upn: 'x@y.z', token: 't' }).catch((e: unknown) => e);
    expect(isWindowsDeviceError(err, 'network')).toBe(true);
    expect(device.isEnrolled()).toBe(false);
  });
});

describe('Windows enrollment and sessions over TLS', () => {
  let tls: WindowsTestWorld;
  beforeAll(async () => {
    tls = await startWindowsWorld({ tls: true });
  });
  afterAll(async () => {
    await tls.close();
  });

  it('presents its client certificate on every OMA-DM session (mutual TLS), which proves it even when its digest would not', async () => {
    const user = await tls.newUser('carol@contoso.com');
    const device = await tls.newDevice();
    await device.enroll(await tls.ticket(user.userId));
    expect((await settle(tls, device)).status).toBe('enrolled');
    expect(tls.http.sent.filter((r) => r.path.endsWith('/MDM.svc')).every((r) => r.clientCertificate)).toBe(true);
    expect(tls.http.sent.filter((r) => r.path.startsWith('/EnrollmentServer')).some((r) => r.clientCertificate)).toBe(false);

    // A wrong DM secret: over mutual TLS the certificate speaks for the device, so the session still goes through.
    device.tree.setLocal(`${dmAccountUri(accountUidOf('mdmlab'))}/AppAuth/${CLIENT_CREDENTIALS}/AAuthSecret`, 'not the secret');
    const profile = await tls.deploy([user.groupId]);
    await device.checkIn();
    const view = await settle(tls, device);
    expect(view.profiles).toEqual([expect.objectContaining({ profileId: profile.id, state: 'installed' })]);
  });

  it('without TLS the same wrong secret is refused after the challenge (the digest is all that proves the device)', async () => {
    const user = await world.newUser('dave@contoso.com');
    const device = await world.newDevice();
    await device.enroll(await world.ticket(user.userId));
    await settle(world, device);
    device.tree.setLocal(`${dmAccountUri(accountUidOf('mdmlab'))}/AppAuth/${CLIENT_CREDENTIALS}/AAuthSecret`, 'not the secret');
    const err = await device.checkIn().catch((e: unknown) => e);
    expect(isWindowsDeviceError(err, 'authenticationFailed'), String(err)).toBe(true);
  });
});
