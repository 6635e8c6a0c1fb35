import type { SeededRandom } from '../random/seeded-random.js';
import type { WindowsVariant } from './variant.js';

/**
 * What a Windows device says about itself: in the enrollment request's AdditionalContext (MS-MDE2
 * §2.2.9.3: DeviceID, HWDevID, DeviceName, MAC, IMEI, OSVersion, ApplicationVersion, OSEdition) and
 * in ./DevInfo (DevInfo CSP: DevId, Man, Mod, DmV, Lang), which every OMA-DM session reports.
 *
 * The DeviceID is 32 hex digits and the HWDevID 64 (a Windows 10 client's enrollment request, as
 * captured in Fleet's Windows MDM proof of concept); MAC addresses are written `00-0C-29-…`.
 */
export interface WindowsHardware {
  deviceId: string;
  hwDevId: string;
  manufacturer: string;
  model: string;
  deviceName: string;
  osVersion: string;
  /** The enrollment client's version (a dotted quad). */
  applicationVersion: string;
  /** Product type (MS-MDE2 §2.2.9.6): 4 PRODUCT_ENTERPRISE; phones report their own value. */
  osEdition: number;
  language: string;
  macAddresses: string[];
  /** Phones only. */
  imeis: string[];
}

const DEVICE_NAME_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A new device's hardware from a seeded stream; `overrides` win. */
export function generateHardware(random: SeededRandom, variant: WindowsVariant, overrides: Partial<WindowsHardware> = {}): WindowsHardware {
  const phone = variant.platform === 'windowsPhone81';
  const mac = () => `00-0C-29-${random.hex(2)}-${random.hex(2)}-${random.hex(2)}`;
  const imei = () => `35${String(random.int(1e9)).padStart(9, '0')}${String(random.int(1e4)).padStart(4, '0')}`;
  const base: WindowsHardware = phone
    ? {
        deviceId: random.hex(32),
        hwDevId: random.hex(64),
        manufacturer: 'NOKIA',
        model: 'Lumia 930',
        deviceName: 'Windows Phone',
        osVersion: '8.10.14219.341',
        applicationVersion: '8.10.14219.341',
        osEdition: 3,
        language: 'en-US',
        macAddresses: [mac()],
        imeis: [imei()],
      }
    : {
        deviceId: random.hex(32),
        hwDevId: random.hex(64),
        manufacturer: 'Microsoft Corporation',
        model: 'Surface Laptop 5',
        deviceName: `DESKTOP-${random.chars(7, DEVICE_NAME_ALPHABET)}`,
        osVersion: '10.0.19045.3803',
        applicationVersion: '10.0.19045.3803',
        osEdition: 4,
        language: 'en-US',
        macAddresses: [mac(), mac()],
        imeis: [],
      };
  return { ...base, ...overrides };
}

export const DEVICE_ID_PATTERN = /^[0-9A-F]{32}$/;
