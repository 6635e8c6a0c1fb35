import type { SimulatedDevice } from '../agents/device.js';
import type { KeyPool } from '../agents/identity/key-pool.js';
import { IosDevice } from '../agents/ios/ios-device.js';
import type { DevicePlatform } from '../protocol/admin/platforms.js';

export interface DeviceFactoryOptions {
  id: string;
  platform: DevicePlatform;
  seed: string;
  /** The server the device enrolls with: an http:// one puts the device in lab mode (allowHttp). */
  serverUrl: string;
  caPem?: string;
  /** A seeded pool makes key choices repeatable; default the process-wide pool. */
  keyPool?: KeyPool;
  /** Periodic check-ins (0 = only push and user actions). */
  periodicCheckInMs?: number;
}

/** The simulated device for a platform; only iOS exists so far (the scenario runner refuses others first). */
export async function createSimulatedDevice(o: DeviceFactoryOptions): Promise<SimulatedDevice> {
  switch (o.platform) {
    case 'ios':
      return IosDevice.create({
        id: o.id,
        seed: o.seed,
        // Real iOS needs https; a plain-HTTP lab server is accepted by our devices when told so.
        allowHttp: o.serverUrl.startsWith('http://'),
        ...(o.caPem ? { caPem: o.caPem } : {}),
        ...(o.keyPool ? { keyPool: o.keyPool } : {}),
        periodicCheckInMs: o.periodicCheckInMs ?? 0,
      });
    default:
      throw new Error(`${o.platform} devices are not simulated yet`);
  }
}
