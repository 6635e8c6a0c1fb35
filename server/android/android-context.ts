import { randomBytes } from 'node:crypto';
import { resourceName } from '../../protocol/android/amapi/values.js';
import type { DevicePlatform } from '../../protocol/admin/platforms.js';
import type { PlatformContext } from '../platform/platform-module.js';
import type { Store } from '../store/port.js';

/** The platforms of the Android channel: Samsung Knox Standard (device owner) and Android for Work (work profile). */
export const ANDROID_PLATFORMS = ['samsungKnox', 'androidForWork'] as const satisfies readonly DevicePlatform[];
export type AndroidPlatform = (typeof ANDROID_PLATFORMS)[number];

export const isAndroidPlatform = (p: DevicePlatform): p is AndroidPlatform => (ANDROID_PLATFORMS as readonly string[]).includes(p);

/** What the Android services share: the platform context plus this server's AMAPI enterprise id. */
export interface AndroidContext extends PlatformContext {
  /** `enterprises/{enterpriseId}/…` in every resource name this server gives out. */
  enterpriseId: string;
}

/** AMAPI resource names of one device and of its policy (one policy per device, named after it). */
export function androidNames(ctx: Pick<AndroidContext, 'enterpriseId'>, deviceId: string): { deviceName: string; policyName: string } {
  return { deviceName: resourceName('devices', ctx.enterpriseId, deviceId), policyName: resourceName('policies', ctx.enterpriseId, deviceId) };
}

const ENTERPRISE_SETTING = 'android.enterpriseId';

/**
 * This server's enterprise id, made once and kept (like the Apple topic): AMAPI names every device
 * and policy under its enterprise, so names from another mdmlab server never match ours.
 */
export async function loadOrCreateEnterpriseId(store: Store): Promise<string> {
  const existing = await store.settings.get(ENTERPRISE_SETTING);
  if (existing) return existing;
  const id = `LC${randomBytes(5).toString('hex')}`;
  await store.settings.set(ENTERPRISE_SETTING, id);
  return id;
}
