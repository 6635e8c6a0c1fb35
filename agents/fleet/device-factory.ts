import { KeyPool } from '../identity/key-pool.js';
import { createSimulatedDevice } from '../platforms.js';
import type { CreateDevice } from './device-runner.js';

/**
 * How a share makes its devices, as plain data a worker thread can receive: every platform's
 * device comes from agents/platforms.ts (the one list of simulated platforms).
 */
export interface DeviceFactoryInput {
  /** The MDM server (an http:// one puts the devices in lab mode). */
  serverUrl: string;
  /** The CA the devices trust for https before enrolling. */
  caPem?: string;
  /** Unprompted check-ins of each device (0 = push and user actions only). */
  periodicCheckInMs: number;
  /** This share's slice of the key folder, so no two threads of a fleet hand out one key. */
  keys?: { seed?: string; slice?: { index: number; of: number } };
}

export function fleetDeviceFactory(f: DeviceFactoryInput): CreateDevice {
  const keyPool = f.keys ? new KeyPool({ ...(f.keys.seed !== undefined ? { seed: f.keys.seed } : {}), ...(f.keys.slice ? { slice: f.keys.slice } : {}) }) : undefined;
  return (d) =>
    createSimulatedDevice({
      id: d.plan.id,
      platform: d.plan.platform,
      seed: d.plan.seed,
      serverUrl: f.serverUrl,
      ...(f.caPem ? { caPem: f.caPem } : {}),
      ...(keyPool ? { keyPool } : {}),
      periodicCheckInMs: f.periodicCheckInMs,
    });
}
