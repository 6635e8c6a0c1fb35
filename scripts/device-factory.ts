import type { SimulatedDevice } from '../agents/device.js';
import { IosDevice } from '../agents/ios/ios-device.js';
import type { DevicePlatform } from '../protocol/admin/platforms.js';

export interface DeviceFactoryOptions {
  id: string;
  platform: DevicePlatform;
  seed: string;
  caPem?: string;
  /** Periodic check-ins (0 = only push and user actions). */
  periodicCheckInMs?: number;
}

/** The simulated device for a platform; only iOS exists so far (the scenario runner refuses others first). */
export async function createSimulatedDevice(o: DeviceFactoryOptions): Promise<SimulatedDevice> {
  switch (o.platform) {
    case 'ios':
      return IosDevice.create({ id: o.id, seed: o.seed, ...(o.caPem ? { caPem: o.caPem } : {}), periodicCheckInMs: o.periodicCheckInMs ?? 0 });
    default:
      throw new Error(`${o.platform} devices are not simulated yet`);
  }
}
