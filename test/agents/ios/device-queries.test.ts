import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../certs/certificate.js';
import { IosDevice } from '../../../agents/ios/ios-device.js';
import { luhnCheckDigit } from '../../../agents/ios/hardware.js';
import { HttpClient } from '../../../agents/transport/http.js';
import { isPlistDict, plistTypeOf, type PlistDict, type PlistValue } from '../../../protocol/apple/plist-types.js';
import { startForeignMdmServer, type ForeignMdmServer } from './foreign-mdm-server.js';

/**
 * The inventory queries MDM servers send in a device's first minutes, answered by the simulated
 * iOS device over real HTTP from its own state, checked against Apple's schemas: the types below
 * are those of apple/device-management mdm/commands/information.device.yaml (responsekeys
 * QueryResponses), information.security.yaml, application.installed.list.yaml,
 * certificate.list.yaml, profile.provisioning.list.yaml and application.managed.list.yaml (the
 * schemas are not among the specs this suite reads; the values of Apple's "Device Information" and "Security Info"
 * documentation examples agree with them: IMEI "35 735005 003432 4", MEID of 14 digits,
 * HardwareEncryptionCaps 3, ManagementStatus {IsUserEnrollment}).
 */

const APPLE_QUERY_RESPONSE_TYPES: Record<string, string> = {
  UDID: 'string',
  DeviceName: 'string',
  OSVersion: 'string',
  BuildVersion: 'string',
  ModelName: 'string',
  Model: 'string',
  ProductName: 'string',
  SerialNumber: 'string',
  DeviceCapacity: 'real',
  AvailableDeviceCapacity: 'real',
  IMEI: 'string',
  MEID: 'string',
  ModemFirmwareVersion: 'string',
  CellularTechnology: 'integer',
  BatteryLevel: 'real',
  IsSupervised: 'boolean',
  IsMultiUser: 'boolean',
  IsDeviceLocatorServiceEnabled: 'boolean',
  IsActivationLockEnabled: 'boolean',
  IsDoNotDisturbInEffect: 'boolean',
  EASDeviceIdentifier: 'string',
  IsCloudBackupEnabled: 'boolean',
  IsMDMLostModeEnabled: 'boolean',
  AwaitingConfiguration: 'boolean',
  MDMOptions: 'dictionary',
  DiagnosticSubmissionEnabled: 'boolean',
  AppAnalyticsEnabled: 'boolean',
  TimeZone: 'string',
  iTunesStoreAccountIsActive: 'boolean',
  WiFiMAC: 'string',
  BluetoothMAC: 'string',
  DataRoamingEnabled: 'boolean',
  VoiceRoamingEnabled: 'boolean',
  PersonalHotspotEnabled: 'boolean',
  IsNetworkTethered: 'boolean',
  IsRoaming: 'boolean',
};
/** Keys Apple marks `introduced: n/a` for iOS (macOS or tvOS only): never in an iPhone's answer. */
const NOT_ON_IOS = ['ProvisioningUDID', 'IsAppleSilicon', 'IsActivationLockSupported', 'DeviceID', 'ActiveManagedUsers', 'OSUpdateSettings', 'LocalHostName', 'HostName', 'EthernetMAC'];

const http = new HttpClient({ timeoutMs: 10_000 });
let full: ForeignMdmServer;
let limited: ForeignMdmServer;
let device: IosDevice;
let inspectOnly: IosDevice;

beforeAll(async () => {
  [full, limited] = await Promise.all([
    startForeignMdmServer({ scepCipher: 'aes256' }),
    // Inspect profiles and install them, nothing else: no device, network, app or security queries.
    startForeignMdmServer({ scepCipher: 'aes256', accessRights: 1 | 2 }),
  ]);
  device = await IosDevice.create({
    http,
    allowHttp: true,
    periodicCheckInMs: 0,
    seed: 'queries',
    hardware: { deviceName: "Alice's iPhone", apps: [{ identifier: 'com.microsoft.Office.Outlook', name: 'Outlook', version: '4.2423.0', shortVersion: '4.2423.0', bundleSize: 250_000_000 }] },
  });
  inspectOnly = await IosDevice.create({ http, allowHttp: true, periodicCheckInMs: 0, seed: 'queries limited' });
  await device.enroll(full.enrollUrl);
  await inspectOnly.enroll(limited.enrollUrl);
});
afterAll(async () => {
  await Promise.allSettled([device.stop(), inspectOnly.stop()]);
  await Promise.allSettled([full.close(), limited.close()]);
  http.destroy();
});

/** Queues `command`, has the device check in (no push), and returns its report. */
async function ask(server: ForeignMdmServer, d: IosDevice, command: PlistDict): Promise<PlistDict> {
  const uuid = server.enqueue({ Command: command });
  await d.checkIn();
  return server.reportFor(uuid);
}

/** A whole-number real (a capacity of 128.0) decodes to a PlistReal, which plistTypeOf calls `real`. */
const typeOf = (v: PlistValue): string => plistTypeOf(v);

describe('DeviceInformation', () => {
  it('answers every queried key it knows with the type Apple gives it, and leaves out the rest', async () => {
    const queries = [...Object.keys(APPLE_QUERY_RESPONSE_TYPES), ...NOT_ON_IOS, 'PushToken', 'NoSuchKey'];
    const report = await ask(full, device, { RequestType: 'DeviceInformation', Queries: queries });
    expect(report.Status).toBe('Acknowledged');
    const answers = report.QueryResponses as PlistDict;
    expect(Object.keys(answers).sort()).toEqual(Object.keys(APPLE_QUERY_RESPONSE_TYPES).sort());
    for (const [key, value] of Object.entries(answers)) expect({ key, type: typeOf(value) }).toEqual({ key, type: APPLE_QUERY_RESPONSE_TYPES[key] });
  });

  it('tells the device it is: the values the server already knows from Authenticate, and plausible hardware', async () => {
    const report = await ask(full, device, { RequestType: 'DeviceInformation', Queries: Object.keys(APPLE_QUERY_RESPONSE_TYPES) });
    const a = report.QueryResponses as PlistDict;
    const authenticate = full.checkIns.find((c) => c.messageType === 'Authenticate')!.dict;
    expect(a).toMatchObject({
      UDID: device.udid,
      SerialNumber: authenticate.SerialNumber,
      ProductName: authenticate.ProductName,
      OSVersion: authenticate.OSVersion,
      BuildVersion: authenticate.BuildVersion,
      DeviceName: "Alice's iPhone",
      ModelName: 'iPhone',
      IsSupervised: false,
      AwaitingConfiguration: false,
    });
    expect(report.UDID).toBe(device.udid);
    // The IMEI as iOS prints it, a valid Luhn number; the MEID (a CDMA phone) its first 14 digits.
    const imei = String(a.IMEI);
    expect(imei).toMatch(/^\d{2} \d{6} \d{6} \d$/);
    const digits = imei.replace(/ /g, '');
    expect(luhnCheckDigit(digits.slice(0, 14))).toBe(digits[14]);
    expect(a.MEID).toBe(digits.slice(0, 14));
    expect(a.CellularTechnology).toBe(3);
    expect(Number(a.AvailableDeviceCapacity)).toBeLessThan(Number(a.DeviceCapacity));
    expect(Number(a.BatteryLevel)).toBeGreaterThanOrEqual(0);
    expect(Number(a.BatteryLevel)).toBeLessThanOrEqual(1);
    expect(String(a.WiFiMAC)).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    // The same answers next time: they are the device's state, not dice.
    const again = (await ask(full, device, { RequestType: 'DeviceInformation', Queries: ['IMEI', 'DeviceCapacity', 'EASDeviceIdentifier'] })).QueryResponses as PlistDict;
    expect(again).toEqual({ IMEI: a.IMEI, DeviceCapacity: a.DeviceCapacity, EASDeviceIdentifier: a.EASDeviceIdentifier });
  });

  it('leaves out what the enrollment does not allow it to tell (AccessRights 16 and 32), answering the rest', async () => {
    const report = await ask(limited, inspectOnly, { RequestType: 'DeviceInformation', Queries: ['UDID', 'SerialNumber', 'DeviceCapacity', 'WiFiMAC', 'AwaitingConfiguration', 'iTunesStoreAccountIsActive'] });
    expect(report.Status).toBe('Acknowledged');
    expect(report.QueryResponses).toEqual({ UDID: inspectOnly.udid, AwaitingConfiguration: false });
  });

  it('answers CommandFormatError when Queries is missing', async () => {
    const report = await ask(full, device, { RequestType: 'DeviceInformation' });
    expect(report.Status).toBe('CommandFormatError');
  });
});

describe('SecurityInfo, InstalledApplicationList, CertificateList and the empty lists', () => {
  it('SecurityInfo: hardware and file encryption, the passcode, not a user enrollment', async () => {
    const report = await ask(full, device, { RequestType: 'SecurityInfo' });
    expect(report).toMatchObject({
      Status: 'Acknowledged',
      SecurityInfo: { HardwareEncryptionCaps: 3, PasscodePresent: true, PasscodeCompliant: true, PasscodeCompliantWithProfiles: true, ManagementStatus: { IsUserEnrollment: false } },
    });
    // Without AllowQuerySecurity (1024) the enrollment may not ask: MCMDMErrorDomain 12000.
    const refused = await ask(limited, inspectOnly, { RequestType: 'SecurityInfo' });
    expect(refused).toMatchObject({ Status: 'Error', ErrorChain: [{ ErrorDomain: 'MCMDMErrorDomain', ErrorCode: 12000 }] });
  });

  it("InstalledApplicationList: the user's apps, with Identifiers and Items honoured; none is managed", async () => {
    const all = await ask(full, device, { RequestType: 'InstalledApplicationList' });
    const list = all.InstalledApplicationList as PlistDict[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ Identifier: 'com.microsoft.Office.Outlook', Name: 'Outlook', ShortVersion: '4.2423.0', BundleSize: 250_000_000, Installing: false });
    for (const [key, type] of Object.entries({ Identifier: 'string', Name: 'string', Version: 'string', ShortVersion: 'string', BundleSize: 'integer', DynamicSize: 'integer', Installing: 'boolean', IsValidated: 'boolean', AppStoreVendable: 'boolean', DeviceBasedVPP: 'boolean', BetaApp: 'boolean', AdHocCodeSigned: 'boolean', HasUpdateAvailable: 'boolean', IsAppClip: 'boolean' })) {
      expect({ key, type: typeOf(list[0]![key]!) }).toEqual({ key, type });
    }
    const items = await ask(full, device, { RequestType: 'InstalledApplicationList', Items: ['Name'] });
    expect(items.InstalledApplicationList).toEqual([{ Identifier: 'com.microsoft.Office.Outlook', Name: 'Outlook' }]);
    const other = await ask(full, device, { RequestType: 'InstalledApplicationList', Identifiers: ['com.example.none'] });
    expect(other.InstalledApplicationList).toEqual([]);
    const managed = await ask(full, device, { RequestType: 'InstalledApplicationList', ManagedAppsOnly: true });
    expect(managed.InstalledApplicationList).toEqual([]);
  });

  it('CertificateList: the enrollment profile\'s root and the identity, with CommonName, IsIdentity and the DER', async () => {
    const report = await ask(full, device, { RequestType: 'CertificateList', ManagedOnly: true });
    const list = report.CertificateList as PlistDict[];
    expect(list.map((c) => [c.CommonName, c.IsIdentity])).toEqual([
      ['Foreign MDM CA', false],
      ['foreign device', true],
    ]);
    for (const c of list) {
      expect(Object.keys(c).sort()).toEqual(['CommonName', 'Data', 'IsIdentity']);
      expect(parseCertificate(c.Data as Buffer).der.equals(c.Data as Buffer)).toBe(true);
    }
    // The identity is the one the device signs its messages with.
    expect((list[1]!.Data as Buffer).equals(full.checkIns[0]!.signerCertDer)).toBe(true);
  });

  it('ProvisioningProfileList and ManagedApplicationList: the device has none', async () => {
    expect(await ask(full, device, { RequestType: 'ProvisioningProfileList' })).toMatchObject({ Status: 'Acknowledged', ProvisioningProfileList: [] });
    const managed = await ask(full, device, { RequestType: 'ManagedApplicationList' });
    expect(managed.Status).toBe('Acknowledged');
    expect(isPlistDict(managed.ManagedApplicationList) && Object.keys(managed.ManagedApplicationList)).toEqual([]);
  });
});

describe('commands the device does not simulate', () => {
  it('answers Error 12021 saying the command is not simulated and naming what it answers', async () => {
    const report = await ask(full, device, { RequestType: 'RestartDevice' });
    expect(report.Status).toBe('Error');
    const [item] = report.ErrorChain as PlistDict[];
    expect(item).toMatchObject({ ErrorDomain: 'MCMDMErrorDomain', ErrorCode: 12021 });
    expect(String(item!.LocalizedDescription)).toMatch(/RestartDevice is not simulated .*DeviceInformation.*CertificateList/);
  });
});
