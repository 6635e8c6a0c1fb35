import type { SeededRandom } from '../random/seeded-random.js';

/**
 * What an iOS device says about itself in Authenticate (notes/apple.md §2.3: UDID, OSVersion,
 * BuildVersion, ProductName, SerialNumber; DeviceName/Model/ModelName are macOS-only and never sent).
 *
 * UDID: devices since the iPhone XS use `XXXXXXXX-XXXXXXXXXXXXXXXX`: the SoC's chip id (8 hex)
 * and its 16-hex ECID (notes §2.3 "Identifiers"). Serial numbers since 2021 are 10 random
 * characters (no vowels O and I, which read as digits).
 */
export interface IosHardware {
  udid: string;
  serialNumber: string;
  productName: string;
  osVersion: string;
  buildVersion: string;
}

export interface IosModel {
  productName: string;
  /** Chip id forming the first UDID group. */
  chipId: string;
  /** Marketing name, for logs. */
  name: string;
}

/** A few current models; `iPhone15,2` (iPhone 14 Pro, A16) is the default. */
export const IOS_MODELS: readonly IosModel[] = [
  { productName: 'iPhone15,2', chipId: '00008120', name: 'iPhone 14 Pro' },
  { productName: 'iPhone15,4', chipId: '00008120', name: 'iPhone 15' },
  { productName: 'iPhone16,1', chipId: '00008130', name: 'iPhone 15 Pro' },
  { productName: 'iPhone17,3', chipId: '00008140', name: 'iPhone 16' },
];

/** iOS 18.1 (22B83), the release the Apple schema snapshot in notes §0 describes. */
export const DEFAULT_OS = { osVersion: '18.1', buildVersion: '22B83' } as const;

const SERIAL_ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';

export const UDID_PATTERN = /^[0-9A-F]{8}-[0-9A-F]{16}$/;

/** A new device's hardware from a seeded stream; `overrides` win (a scenario may pin a model). */
export function generateHardware(random: SeededRandom, overrides: Partial<IosHardware> = {}): IosHardware {
  const model = IOS_MODELS.find((m) => m.productName === overrides.productName) ?? IOS_MODELS[0]!;
  return {
    udid: overrides.udid ?? `${model.chipId}-00${random.hex(14)}`,
    serialNumber: overrides.serialNumber ?? random.chars(10, SERIAL_ALPHABET),
    productName: overrides.productName ?? model.productName,
    osVersion: overrides.osVersion ?? DEFAULT_OS.osVersion,
    buildVersion: overrides.buildVersion ?? DEFAULT_OS.buildVersion,
  };
}
