/**
 * Which Apple platform an Authenticate comes from. Every Apple device enrolls through the same
 * check-in protocol, so only the message says what it is (Apple: mdm/checkin/authenticate.yaml):
 * `ProductName` is the hardware model identifier ("iPhone15,2", "MacBookPro18,3", "AppleTV11,1"),
 * and `Model`, `ModelName` and `DeviceName` are sent by macOS only (iOS, tvOS, watchOS, visionOS:
 * "n/a"; macOS: required).
 */

import type { AuthenticateMessage } from './checkin.js';

export type ApplePlatform = 'iOS' | 'macOS' | 'tvOS' | 'watchOS' | 'visionOS' | 'audioOS';

/** Model identifier prefixes, as Apple names its hardware (iPadOS devices are iOS to MDM). */
const BY_PRODUCT: readonly [RegExp, ApplePlatform][] = [
  [/^(?:iPhone|iPad|iPod)\d+,\d+$/, 'iOS'],
  [/^(?:Mac|iMac|VirtualMac)/, 'macOS'], // Mac14,2, MacBookPro18,3, MacBookAir10,1, Macmini9,1, MacPro7,1, iMac21,1, iMacPro1,1, VirtualMac2,1
  [/^AppleTV/, 'tvOS'],
  [/^Watch/, 'watchOS'],
  [/^RealityDevice/, 'visionOS'],
  [/^AudioAccessory/, 'audioOS'], // HomePod
];

export type PlatformVerdict = { platform: ApplePlatform; from: string } | { platform: undefined; from: string };

/**
 * The platform of the device behind `m`. ProductName decides when present (an unknown one gives
 * `platform: undefined`); without it, a macOS-only key means macOS. With neither, nothing says it
 * is not iOS: iOS 9 and later always send ProductName to a server granted device information, so
 * only a hand-made message lacks both.
 */
export function applePlatformOf(m: Pick<AuthenticateMessage, 'ProductName' | 'Model' | 'ModelName' | 'DeviceName'>): PlatformVerdict {
  if (m.ProductName !== undefined) {
    const hit = BY_PRODUCT.find(([re]) => re.test(m.ProductName!));
    return { platform: hit?.[1], from: `ProductName ${m.ProductName}` } as PlatformVerdict;
  }
  const macOnly = (['Model', 'ModelName', 'DeviceName'] as const).find((k) => m[k] !== undefined);
  if (macOnly) return { platform: 'macOS', from: `${macOnly} (sent by macOS only)` };
  return { platform: 'iOS', from: 'no ProductName' };
}
