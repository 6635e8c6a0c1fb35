import type { AndroidContext } from './android-context.js';

/**
 * What the admin API shows under `android` in GET /devices/{id}: the device's AMAPI names, how it
 * is managed, the policy version it should hold and the one it last reported applying, its push
 * token, and the apps it reported (Gmail, Nine Work, Samsung Email, … with their state).
 */
export async function androidDeviceFacts(ctx: AndroidContext, deviceId: string, names: { deviceName: string; policyName: string }): Promise<Record<string, unknown> | undefined> {
  const a = await ctx.store.androidDevices.getByDevice(deviceId);
  if (!a) return undefined;
  let apps: unknown;
  try {
    apps = a.reportedApps ? JSON.parse(a.reportedApps) : undefined;
  } catch {
    apps = undefined;
  }
  return {
    ...names,
    managementMode: a.managementMode,
    ...(a.apiLevel !== undefined ? { apiLevel: a.apiLevel } : {}),
    ...(a.knoxVersion !== undefined ? { knoxVersion: a.knoxVersion } : {}),
    ...(a.knoxApiLevel !== undefined ? { knoxApiLevel: a.knoxApiLevel } : {}),
    identityFingerprint: a.identityFingerprint,
    policyVersion: a.policyVersion,
    ...(a.appliedPolicyVersion !== undefined ? { appliedPolicyVersion: a.appliedPolicyVersion } : {}),
    ...(a.pushToken ? { pushToken: a.pushToken } : {}),
    registeredAt: a.registeredAt,
    ...(a.lastReportAt ? { lastReportAt: a.lastReportAt } : {}),
    ...(a.unregisteredAt ? { unregisteredAt: a.unregisteredAt } : {}),
    ...(Array.isArray(apps) ? { apps } : {}),
  };
}
