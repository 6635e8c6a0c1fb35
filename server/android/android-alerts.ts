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
 * A registration claiming a device (by serial number) that another identity holds: refused, and
 * one active `enrollmentConflict` alert says so (repeated claims add nothing, so a client cannot
 * grow the table). The claimant learns nothing of whom the device belongs to.
 */
export async function raiseAndroidEnrollmentConflict(ctx: DomainContext, tx: Repositories, device: DeviceRecord, claimantUserId: string, at: string): Promise<void> {
  if ((await tx.alerts.list({ deviceId: device.id, kind: 'enrollmentConflict', active: true })).length > 0) return;
  const owner = device.userId ? (await tx.users.get(device.userId))?.upn : undefined;
  const claimant = (await tx.users.get(claimantUserId))?.upn;
  const allow = `POST /api/v1/devices/${device.id}/allow-reenrollment`;
  await tx.alerts.insert({
    id: ctx.newId('alr'),
    kind: 'enrollmentConflict',
    deviceId: device.id,
    message:
      `${deviceLabel(device)} (serial ${device.hardwareId}), enrolled for ${owner ?? 'no user'}, was claimed by a registration with an enrollment token of ` +
      `${claimant ?? 'another user'}; the claim was refused and the device is unchanged. If the device was reset or set up again without leaving ` +
      `management, allow its re-enrollment (${allow}) and register it again; otherwise something else presents this serial number.`,
    details: {
      deviceId: device.id,
      serialNumber: device.hardwareId,
      user: owner,
      claimedBy: claimant,
      guidance: [
        `If the device was reset or re-provisioned without leaving management: ${allow}, then register it again.`,
        'Otherwise another device presents this serial number: leave it refused and find out who holds it.',
      ],
    },
    createdAt: at,
  });
}
