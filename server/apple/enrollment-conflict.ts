import type { Repositories } from '../store/port.js';
import type { DeviceRecord } from '../store/records.js';
import type { AppleContext } from './apple-context.js';
import type { DeviceIdentity } from './device-identity.js';

/**
 * The alert for a refused claim on an enrolled device: another identity authenticated with its
 * UDID. Either the device itself was erased or re-enrolled without its CheckOut reaching us (the
 * administrator allows the re-enrollment), or something else presents its UDID (it stays refused).
 * One active alert per device: repeated attempts add nothing, so a client cannot grow the table.
 */
export async function raiseEnrollmentConflict(ctx: AppleContext, tx: Repositories, device: DeviceRecord, identity: DeviceIdentity, at: string): Promise<void> {
  if ((await tx.alerts.list({ deviceId: device.id, kind: 'enrollmentConflict', active: true })).length > 0) return;
  const owner = device.userId ? (await tx.users.get(device.userId))?.upn : undefined;
  const claimant = identity.issued.userId ? (await tx.users.get(identity.issued.userId))?.upn : undefined;
  const deviceName = device.name ?? device.model ?? 'a device';
  const allow = `POST /api/v1/devices/${device.id}/allow-reenrollment`;
  await tx.alerts.insert({
    id: ctx.newId('alr'),
    kind: 'enrollmentConflict',
    deviceId: device.id,
    message:
      `${deviceName} (UDID ${device.hardwareId}), enrolled for ${owner ?? 'no user'}, was claimed by another identity, enrolled for ` +
      `${claimant ?? 'no user'} (certificate serial ${identity.issued.serial}); the claim was refused and the device is unchanged. ` +
      `If the device was erased or enrolled again without unenrolling, allow its re-enrollment (${allow}) and enroll it again; ` +
      `otherwise something else presents this UDID with ${claimant ?? 'that'}'s enrollment: leave it refused and find out who holds it.`,
    details: {
      deviceId: device.id,
      deviceName,
      udid: device.hardwareId,
      user: owner,
      claimedBy: claimant,
      claimantCertificateSerial: identity.issued.serial,
      guidance: [
        `If the device was erased or re-enrolled by its user without unenrolling first: ${allow}, then enroll it again.`,
        'Otherwise another device presents this UDID with a valid enrollment: leave it refused and find out who holds it.',
      ],
    },
    createdAt: at,
  });
}
