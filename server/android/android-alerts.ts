import { raiseEnrollmentConflict } from '../domain/enrollment-conflict.js';
import type { DomainContext } from '../domain/context.js';
import type { Repositories } from '../store/port.js';
import type { DeviceRecord } from '../store/records.js';

const deviceLabel = (d: DeviceRecord): string => d.name ?? d.model ?? `device ${d.hardwareId}`;

/**
 * Two profiles that cannot both be applied on one Android device (two managed configurations for
 * one app, two Knox accounts with one address flapping): one active `conflictingProfiles` alert per
 * device and withheld profile, naming the profile that keeps its place. Repeated causes add nothing;
 * a new rival replaces the alert.
 */
export async function raiseConflictingProfiles(ctx: DomainContext, tx: Repositories, device: DeviceRecord, profileId: string, rivalId: string, detail: string, at: string): Promise<void> {
  const active = await tx.alerts.list({ deviceId: device.id, profileId, kind: 'conflictingProfiles', active: true });
  if (active.some((a) => a.details.conflictsWith === rivalId)) return;
  if (active.length > 0) await tx.alerts.resolve({ deviceId: device.id, profileId, kind: 'conflictingProfiles' }, at);
  const profile = await tx.emailProfiles.get(profileId);
  const rival = await tx.emailProfiles.get(rivalId);
  const user = device.userId ? await tx.users.get(device.userId) : undefined;
  const name = profile?.definition.name ?? profileId;
  await tx.alerts.insert({
    id: ctx.newId('alr'),
    kind: 'conflictingProfiles',
    deviceId: device.id,
    profileId,
    message: `${deviceLabel(device)} (${user?.upn ?? 'no user'}): the email profile "${name}" is not applied: ${detail}`,
    details: {
      deviceId: device.id,
      user: user?.upn,
      profileId,
      profileName: name,
      conflictsWith: rivalId,
      conflictsWithName: rival?.definition.name,
      guidance: ['Deploy only one of the two profiles to this device (remove one from the groups), or edit the withheld one.'],
    },
    createdAt: at,
  });
}

export async function resolveConflictingProfiles(tx: Repositories, deviceId: string, profileId: string, at: string): Promise<void> {
  await tx.alerts.resolve({ deviceId, profileId, kind: 'conflictingProfiles' }, at);
}

/**
 * A registration claiming a device (by serial number) that another identity holds
 * (domain/enrollment-conflict.ts). The claimant learns nothing of whom the device belongs to.
 */
export function raiseAndroidEnrollmentConflict(ctx: DomainContext, tx: Repositories, device: DeviceRecord, claimantUserId: string, at: string): Promise<void> {
  return raiseEnrollmentConflict(
    ctx,
    tx,
    device,
    {
      claimantUserId,
      hardwareIdName: 'serial number',
      hardwareIdKey: 'serialNumber',
      claimedBy: (claimant) => `a registration with an enrollment token of ${claimant ?? 'another user'}`,
      resetWords: 'reset or re-provisioned without leaving management',
      again: 'register it again',
    },
    at,
  );
}
