import type { PlatformContext } from '../platform/platform-module.js';

/** What the Apple services share: the platform context plus the push topic. */
export interface AppleContext extends PlatformContext {
  /** `com.apple.mgmt.External.<uuid>`: fixed at first start (changing it strands every device, as with an APNs topic). */
  topic: string;
}

export const APPLE_PATHS = {
  enroll: '/mdm/enroll',
  checkIn: '/mdm/checkin',
  connect: '/mdm/connect',
  scep: '/scep',
} as const;

const MINUTE = 60_000;
export const addMinutes = (d: Date, minutes: number): string => new Date(d.getTime() + minutes * MINUTE).toISOString();
