import type { Logger } from 'pino';
import type { DevicePlatform } from '../protocol/admin/platforms.js';
import { DEVICE_PLATFORMS } from '../protocol/admin/platforms.js';
import type { AndroidDeviceOptions } from './android-channel/android-device.js';
import type { SimulatedDevice } from './device.js';
import type { KeyPool } from './identity/key-pool.js';
import { AfwDevice } from './android/afw-device.js';
import { IosDevice } from './ios/ios-device.js';
import { WindowsDevice } from './windows/windows-device.js';
import type { PushSetting } from './push/push-setting.js';
import { KnoxDevice } from './knox/knox-device.js';

/** What every runner (scenario, fleet, demo, benchmarks) gives a device it creates. */
export interface DeviceFactoryOptions {
  id: string;
  platform: DevicePlatform;
  seed: string;
  /** The server the device enrolls with: an http:// one puts the device in lab mode (allowHttp). */
  serverUrl: string;
  caPem?: string;
  /** A seeded pool makes key choices repeatable; default the process-wide pool. */
  keyPool?: KeyPool;
  /**
   * Periodic check-ins (0 = only push and user actions). iOS: default none; Windows: default the
   * DMClient poll schedule the server provisioned.
   */
  periodicCheckInMs?: number;
  /** The push service (default 'auto': mdmlab's gateway next to the MDM server when there is one). */
  push?: PushSetting;
  /** Accept http:// MDM URLs (default: when `serverUrl` is http://). */
  allowHttp?: boolean;
  /** Where the device logs (default: silent). */
  logger?: Logger;
}

type DeviceFactory = (o: DeviceFactoryOptions) => Promise<SimulatedDevice>;

/**
 * The simulated platforms, one entry each: the only list of them. Runners, the scenario loader and
 * the CLI ask it what exists; adding a platform adds its folder under agents/ and a line here.
 */
const SIMULATED: Partial<Record<DevicePlatform, DeviceFactory>> = {
  ios: (o) =>
    IosDevice.create({
      id: o.id,
      seed: o.seed,
      // Real iOS needs https; a plain-HTTP lab server is accepted by our devices when told so.
      allowHttp: o.allowHttp ?? o.serverUrl.startsWith('http://'),
      ...(o.push ? { push: o.push } : {}),
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.caPem ? { caPem: o.caPem } : {}),
      ...(o.keyPool ? { keyPool: o.keyPool } : {}),
      periodicCheckInMs: o.periodicCheckInMs ?? 0,
    }),
  windows10: (o) => windowsDevice(o, 'windows10'),
  windowsPhone81: (o) => windowsDevice(o, 'windowsPhone81'),
  samsungKnox: (o) => KnoxDevice.create(androidOptions(o)),
  androidForWork: (o) => AfwDevice.create(androidOptions(o)),
};

/**
 * Windows accepts a plain-HTTP lab server as it is (the ticket's discovery URL decides). Push:
 * `none` keeps the WNS-like channel closed (the device polls), a URL names the gateway.
 */
function windowsDevice(o: DeviceFactoryOptions, platform: 'windows10' | 'windowsPhone81'): Promise<SimulatedDevice> {
  return WindowsDevice.create({
    platform,
    id: o.id,
    seed: o.seed,
    ...(o.push === 'none' ? { pushChannel: false } : typeof o.push === 'object' ? { pushUrl: o.push.url } : {}),
    ...(o.logger ? { logger: o.logger } : {}),
    ...(o.caPem ? { caPem: o.caPem } : {}),
    ...(o.keyPool ? { keyPool: o.keyPool } : {}),
    ...(o.periodicCheckInMs !== undefined ? { pollIntervalMs: o.periodicCheckInMs } : {}),
  });
}

/** Knox and Android for Work devices: enrolled from the QR payload, refused when it names another server. */
function androidOptions(o: DeviceFactoryOptions): AndroidDeviceOptions {
  return {
    id: o.id,
    seed: o.seed,
    serverUrl: o.serverUrl,
    ...(o.caPem ? { caPem: o.caPem } : {}),
    ...(o.keyPool ? { keyPool: o.keyPool } : {}),
    periodicSyncMs: o.periodicCheckInMs ?? 0,
  };
}

/** The platforms that can be simulated, in DEVICE_PLATFORMS order. */
export const SIMULATED_PLATFORMS: readonly DevicePlatform[] = DEVICE_PLATFORMS.filter((p) => SIMULATED[p] !== undefined);

export function isSimulated(platform: string): platform is DevicePlatform {
  return (SIMULATED_PLATFORMS as readonly string[]).includes(platform);
}

/** The simulated device for a platform. */
export async function createSimulatedDevice(o: DeviceFactoryOptions): Promise<SimulatedDevice> {
  const create = SIMULATED[o.platform];
  if (!create) throw new Error(`${o.platform} devices are not simulated yet (simulated: ${SIMULATED_PLATFORMS.join(', ')})`);
  return create(o);
}
