import type { SimulatedDevice } from '../device.js';
import type { DevicePlatform } from '../../protocol/admin/platforms.js';
import { FleetRun } from './fleet-run.js';

/**
 * A one-platform fleet on the main thread against an mdmlab server, for benchmarks and tests that
 * reach into the devices themselves (`run.devices`): what `mdmlab fleet --workers 0` runs.
 */
export function inProcessFleet(o: {
  serverUrl: string;
  adminToken: string;
  platform: DevicePlatform;
  count: number;
  concurrency: number;
  seed: string;
  createDevice: (id: string, seed: string) => Promise<SimulatedDevice>;
  /** Email profile settings to create and deploy to the fleet's group before enrolling. */
  profile?: Record<string, unknown> & { platform: string; host: string };
}): FleetRun {
  return new FleetRun({
    target: { kind: 'mdmlab', serverUrl: o.serverUrl, adminToken: o.adminToken },
    seed: o.seed,
    count: o.count,
    mix: [{ platform: o.platform, weight: 1 }],
    manualFirst: 0,
    reactDelayMs: [0, 0],
    appDelayMs: [0, 0],
    profiles: o.profile ? [{ label: 'profile', settings: o.profile as never }] : [],
    workers: 0,
    concurrency: o.concurrency,
    enrollAttempts: 5,
    checkInMs: 0,
    createDevice: (d) => o.createDevice(d.plan.id, d.plan.seed),
  });
}
