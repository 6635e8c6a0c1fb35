import { parseCertificate } from '../../certs/certificate.js';
import { nameValue } from '../../certs/name.js';
import { DEVICE_INFORMATION_KEYS, type InstalledApplicationListRequest, type QueryRequest } from '../../protocol/apple/device-queries.js';
import { PlistReal, type PlistDict, type PlistValue } from '../../protocol/apple/plist-types.js';
import { SeededRandom } from '../random/seeded-random.js';
import type { IosStateStore } from './device-state.js';
import { modelOf, type InstalledApp, type IosHardware } from './hardware.js';

/**
 * The answers of a simulated iOS device to the inventory queries (protocol/apple/device-queries.ts),
 * from its own state, in the shapes of Apple's schemas (apple/device-management mdm/commands:
 * information.device.yaml, information.security.yaml, application.installed.list.yaml,
 * certificate.list.yaml, profile.provisioning.list.yaml, application.managed.list.yaml) and of the
 * examples on Apple's "Device Information" and "Security Info" documentation pages.
 *
 * What the device is not (so says so): supervised, multi-user, in Lost Mode, awaiting DEP
 * configuration, backed up to iCloud; it has no managed apps and no provisioning profiles, and its
 * SIM details (ICCID, carrier, phone number) are not simulated, so those keys are left out, as iOS
 * leaves out what it does not have.
 */

export interface QueryContext {
  state: IosStateStore;
  hardware: Required<IosHardware>;
  accessRights: number;
  /** The enrollment profile's identifier: its certificates count as managed (CertificateList ManagedOnly). */
  enrollmentProfileIdentifier: string;
}

export interface QueryAnswer {
  /** The answer's key(s) beside the report envelope (QueryResponses, SecurityInfo, …). */
  results: PlistDict;
  /** A few words for logs and the commandHandled event. */
  detail: string;
}

export function answerQuery(command: QueryRequest, ctx: QueryContext): QueryAnswer {
  switch (command.RequestType) {
    case 'DeviceInformation': {
      const QueryResponses = deviceInformation(command.Queries, ctx);
      return { results: { QueryResponses }, detail: `${Object.keys(QueryResponses).length} of ${command.Queries.length} queried keys` };
    }
    case 'SecurityInfo':
      return { results: { SecurityInfo: securityInfo(ctx.hardware) }, detail: 'security information' };
    case 'InstalledApplicationList': {
      const list = installedApplications(command, ctx.hardware.apps);
      return { results: { InstalledApplicationList: list }, detail: `${list.length} apps` };
    }
    case 'CertificateList': {
      const list = certificateList(ctx, command.ManagedOnly === true);
      return { results: { CertificateList: list }, detail: `${list.length} certificates` };
    }
    case 'ProvisioningProfileList':
      return { results: { ProvisioningProfileList: [] }, detail: '0 provisioning profiles' };
    case 'ManagedApplicationList':
      return { results: { ManagedApplicationList: {} }, detail: '0 managed apps' };
  }
}

/**
 * QueryResponses: each queried key the device knows and the enrollment's AccessRights let it tell
 * (DEVICE_INFORMATION_KEYS); others are left out. Values as Apple types them: capacities and the
 * battery level are `<real>` whatever their value, the IMEI is grouped as iOS prints it
 * ("35 735005 003432 4" on Apple's Device Information page), the MEID is 14 digits.
 */
export function deviceInformation(queries: readonly string[], ctx: QueryContext): PlistDict {
  const facts = deviceFacts(ctx.hardware);
  const out: PlistDict = {};
  for (const key of queries) {
    const known = DEVICE_INFORMATION_KEYS[key];
    const value = Object.hasOwn(facts, key) ? facts[key] : undefined;
    if (!known || value === undefined) continue;
    if (known.right !== 0 && (ctx.accessRights & known.right) === 0) continue;
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function deviceFacts(hw: Required<IosHardware>): Record<string, PlistValue | undefined> {
  const model = modelOf(hw.productName);
  const imei = hw.imei;
  return {
    UDID: hw.udid,
    DeviceName: hw.deviceName,
    OSVersion: hw.osVersion,
    BuildVersion: hw.buildVersion,
    ModelName: 'iPhone',
    Model: hw.modelNumber,
    ProductName: hw.productName,
    SerialNumber: hw.serialNumber,
    DeviceCapacity: new PlistReal(hw.capacityGb),
    AvailableDeviceCapacity: new PlistReal(hw.availableGb),
    IMEI: `${imei.slice(0, 2)} ${imei.slice(2, 8)} ${imei.slice(8, 14)} ${imei.slice(14)}`,
    MEID: model.cdma ? imei.slice(0, 14) : undefined,
    ModemFirmwareVersion: model.modemFirmware,
    CellularTechnology: model.cdma ? 3 : 1,
    BatteryLevel: new PlistReal(hw.batteryLevel),
    IsSupervised: false,
    IsMultiUser: false,
    // Find My is on, as on most phones, and with it Activation Lock (unsupervised: the user's).
    IsDeviceLocatorServiceEnabled: true,
    IsActivationLockEnabled: true,
    IsDoNotDisturbInEffect: false,
    EASDeviceIdentifier: new SeededRandom(`${hw.udid}/eas`).chars(26, '0123456789ABCDEFGHIJKLMNOPQRSTUV'),
    IsCloudBackupEnabled: false,
    IsMDMLostModeEnabled: false,
    AwaitingConfiguration: false,
    DiagnosticSubmissionEnabled: false,
    AppAnalyticsEnabled: false,
    TimeZone: hw.timeZone,
    // Settings (MDMOptions) was never sent to this device: empty, as on Apple's example.
    MDMOptions: {},
    iTunesStoreAccountIsActive: false,
    WiFiMAC: hw.wifiMac,
    BluetoothMAC: hw.bluetoothMac,
    DataRoamingEnabled: false,
    VoiceRoamingEnabled: false,
    PersonalHotspotEnabled: false,
    IsNetworkTethered: false,
    IsRoaming: false,
  };
}

/**
 * SecurityInfo on an iPhone (information.security.yaml; the PasscodeLockGracePeriod keys are
 * Shared iPad only, the FDE_/firewall keys macOS only): hardware and file encryption (3), the
 * passcode, and compliance with passcode policies — none is simulated, so compliant.
 */
function securityInfo(hw: Required<IosHardware>): PlistDict {
  return {
    HardwareEncryptionCaps: 3,
    PasscodePresent: hw.passcodePresent,
    PasscodeCompliant: true,
    PasscodeCompliantWithProfiles: true,
    ManagementStatus: { IsUserEnrollment: false },
  };
}

/** The user's apps (none is managed), filtered by Identifiers and reduced to Items (Identifier always kept). */
function installedApplications(c: InstalledApplicationListRequest, apps: readonly InstalledApp[]): PlistDict[] {
  if (c.ManagedAppsOnly) return [];
  const wanted = c.Identifiers && c.Identifiers.length > 0 ? new Set(c.Identifiers) : undefined;
  return apps
    .filter((a) => !wanted || wanted.has(a.identifier))
    .map((a) => {
      const all: PlistDict = {
        Identifier: a.identifier,
        Name: a.name,
        Version: a.version,
        ShortVersion: a.shortVersion,
        BundleSize: a.bundleSize ?? 0,
        DynamicSize: a.dynamicSize ?? 0,
        Installing: false,
        IsValidated: true,
        AppStoreVendable: true,
        DeviceBasedVPP: false,
        BetaApp: false,
        AdHocCodeSigned: false,
        HasUpdateAvailable: false,
        IsAppClip: false,
      };
      if (!c.Items) return all;
      const keep = new Set(['Identifier', ...c.Items]);
      return Object.fromEntries(Object.entries(all).filter(([k]) => keep.has(k)));
    });
}

/**
 * The certificates profiles installed: identities (SCEP, PKCS#12) and roots. ManagedOnly keeps
 * those of profiles MDM installed and of the enrollment profile (certificate.list.yaml); the
 * simulated device has no other certificates.
 */
function certificateList(ctx: QueryContext, managedOnly: boolean): PlistDict[] {
  const managed = new Set(ctx.state.listProfiles().filter((p) => p.managed || p.identifier === ctx.enrollmentProfileIdentifier).map((p) => p.identifier));
  return ctx.state
    .listCertificates()
    .filter((c) => !managedOnly || managed.has(c.profileIdentifier))
    .map((c) => ({ CommonName: commonNameOf(c.certDer, c.subject), IsIdentity: c.kind === 'identity', Data: c.certDer }));
}

function commonNameOf(certDer: Buffer, fallback: string): string {
  try {
    return nameValue(parseCertificate(certDer).subject, 'CN') ?? fallback;
  } catch {
    return fallback;
  }
}
