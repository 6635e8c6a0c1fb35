import { SeededRandom } from '../random/seeded-random.js';

/**
 * What an iOS device is: what it says in Authenticate (Apple YAML mdm/checkin/authenticate.yaml:
 * UDID, OSVersion, BuildVersion, ProductName, SerialNumber; DeviceName/Model/ModelName are
 * macOS-only there) and what it answers to DeviceInformation (Apple
 * mdm/commands/information.device.yaml: DeviceName, Model, ModelName, DeviceCapacity, IMEI, MEID,
 * MAC addresses, …) and InstalledApplicationList.
 *
 * UDID: devices since the iPhone XS use `XXXXXXXX-XXXXXXXXXXXXXXXX`: the SoC's chip id (8 hex)
 * and its 16-hex ECID (micromdm/nanomdm docs/operations-guide.md; fleetdm/fleet
 * pkg/mdm/mdmtest/apple.go, RandUDID). Serial numbers since 2021 are 10 random characters (no
 * vowels O and I, which read as digits).
 *
 * The fields after the first five were added later: a device state saved before them lacks them,
 * so they are optional here and `completeHardware` derives the missing ones from the UDID (the
 * same values every time for the same device).
 */
export interface IosHardware {
  udid: string;
  serialNumber: string;
  productName: string;
  osVersion: string;
  buildVersion: string;
  /** The name the user gave the device (Settings › General › About › Name); iOS 16+ answers "iPhone" without an entitlement. */
  deviceName?: string;
  /** The part number, e.g. `MQ0D3LL/A` (DeviceInformation `Model`). */
  modelNumber?: string;
  /** Total and free capacity in base-10 GB (DeviceInformation `DeviceCapacity`, `AvailableDeviceCapacity`). */
  capacityGb?: number;
  availableGb?: number;
  /** 15 digits, the last one a Luhn check digit (3GPP TS 23.003 §6.2.1). */
  imei?: string;
  wifiMac?: string;
  bluetoothMac?: string;
  /** Battery level, 0.0 to 1.0. */
  batteryLevel?: number;
  /** The device has a passcode (SecurityInfo `PasscodePresent`). */
  passcodePresent?: boolean;
  /** IANA time zone name (DeviceInformation `TimeZone`, iOS 14+). */
  timeZone?: string;
  /** Third-party apps the user installed (InstalledApplicationList; iOS lists no system apps before iOS 26). */
  apps?: InstalledApp[];
}

/** One app as InstalledApplicationList describes it (application.installed.list.yaml). */
export interface InstalledApp {
  identifier: string;
  name: string;
  version: string;
  shortVersion: string;
  bundleSize?: number;
  dynamicSize?: number;
}

export interface IosModel {
  productName: string;
  /** Chip id forming the first UDID group. */
  chipId: string;
  /** Marketing name, for logs. */
  name: string;
  /** Part number of the base configuration (made up in Apple's format: Mxxxx3LL/A). */
  modelNumber: string;
  /** Marketed capacities in GB; the device reports a little less (the system's share). */
  capacities: readonly number[];
  /** First digits of the IMEI (the type allocation code): made up, in the 35xxxxxx range Apple's phones use. */
  tac: string;
  /** Also a CDMA phone: it has an MEID (the IMEI's first 14 digits) and CellularTechnology 3 (GSM and CDMA). */
  cdma: boolean;
  /** Baseband firmware (DeviceInformation `ModemFirmwareVersion`). */
  modemFirmware: string;
}

/** A few current models; `iPhone15,2` (iPhone 14 Pro, A16) is the default. */
export const IOS_MODELS: readonly IosModel[] = [
  { productName: 'iPhone15,2', chipId: '00008120', name: 'iPhone 14 Pro', modelNumber: 'MQ0D3LL/A', capacities: [128, 256, 512], tac: '35389118', cdma: true, modemFirmware: '2.60.02' },
  { productName: 'iPhone15,4', chipId: '00008120', name: 'iPhone 15', modelNumber: 'MTLG3LL/A', capacities: [128, 256], tac: '35529821', cdma: false, modemFirmware: '1.60.03' },
  { productName: 'iPhone16,1', chipId: '00008130', name: 'iPhone 15 Pro', modelNumber: 'MTQ43LL/A', capacities: [128, 256, 512], tac: '35663542', cdma: false, modemFirmware: '1.60.03' },
  { productName: 'iPhone17,3', chipId: '00008140', name: 'iPhone 16', modelNumber: 'MYE73LL/A', capacities: [128, 256], tac: '35861257', cdma: false, modemFirmware: '1.11.01' },
];

/**
 * iOS 18.1 (22B83), the release Apple's device-management YAML the project follows describes (tag
 * Release_iOS-18-1_macOS-15-1).
 */
export const DEFAULT_OS = { osVersion: '18.1', buildVersion: '22B83' } as const;

const SERIAL_ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';

export const UDID_PATTERN = /^[0-9A-F]{8}-[0-9A-F]{16}$/;

/** A new device's hardware from a seeded stream; `overrides` win (a scenario may pin a model). */
export function generateHardware(random: SeededRandom, overrides: Partial<IosHardware> = {}): Required<IosHardware> {
  const model = modelOf(overrides.productName);
  const base: IosHardware = {
    ...overrides,
    udid: overrides.udid ?? `${model.chipId}-00${random.hex(14)}`,
    serialNumber: overrides.serialNumber ?? random.chars(10, SERIAL_ALPHABET),
    productName: overrides.productName ?? model.productName,
    osVersion: overrides.osVersion ?? DEFAULT_OS.osVersion,
    buildVersion: overrides.buildVersion ?? DEFAULT_OS.buildVersion,
  };
  return completeHardware(base);
}

/** The model a product name belongs to (the default model for one we do not list). */
export function modelOf(productName: string | undefined): IosModel {
  return IOS_MODELS.find((m) => m.productName === productName) ?? IOS_MODELS[0]!;
}

/** Every optional field filled: the given ones kept, the missing ones derived from the UDID. */
export function completeHardware(hw: IosHardware): Required<IosHardware> {
  const random = new SeededRandom(`${hw.udid}/facts`);
  const model = modelOf(hw.productName);
  const marketed = random.pick(model.capacities);
  // What a phone reports: about 93 % of the marketed size, then the user's data takes some.
  const capacityGb = hw.capacityGb ?? round(marketed * (0.925 + 0.01 * random.next()), 6);
  const imeiBody = `${model.tac}${random.chars(6, '0123456789')}`;
  return {
    ...hw,
    deviceName: hw.deviceName ?? 'iPhone',
    modelNumber: hw.modelNumber ?? model.modelNumber,
    capacityGb,
    availableGb: hw.availableGb ?? round(capacityGb * (0.35 + 0.5 * random.next()), 6),
    imei: hw.imei ?? `${imeiBody}${luhnCheckDigit(imeiBody)}`,
    wifiMac: hw.wifiMac ?? mac(random),
    bluetoothMac: hw.bluetoothMac ?? mac(random),
    batteryLevel: hw.batteryLevel ?? round(0.2 + 0.8 * random.next(), 2),
    passcodePresent: hw.passcodePresent ?? true,
    timeZone: hw.timeZone ?? 'America/New_York',
    apps: hw.apps ?? [],
  };
}

/** The Luhn check digit of a string of digits (ISO/IEC 7812-1 Annex B; IMEI per 3GPP TS 23.003 App. B). */
export function luhnCheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** A locally administered unicast MAC (IEEE 802: bit 1 of the first octet set, bit 0 clear), as iOS's private addresses are. */
function mac(random: SeededRandom): string {
  const b = random.bytes(6);
  b[0] = (b[0]! & 0xfc) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

function round(n: number, places: number): number {
  const f = 10 ** places;
  return Math.round(n * f) / f;
}
