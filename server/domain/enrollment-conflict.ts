import type { Repositories } from '../store/port.js';
import type { DeviceRecord } from '../store/records.js';
import type { DomainContext } from './context.js';

/** How a platform names the claim on an enrolled device, for the alert's words and details. */
export interface EnrollmentClaim {
  /** The user whose enrollment (token or identity) made the claim, when known. */
  claimantUserId?: string | undefined;
  /** What identifies the device on this platform: `UDID`, `DeviceID`, `serial number`. */
  hardwareIdName: string;
  /** The key under which `details` carries the hardware id: `udid`, `dmDeviceId`, `serialNumber`. */
  hardwareIdKey: string;
  /** What made the claim, after "was claimed by": `another identity`, `an enrollment of alice@…`. */
  claimedBy: (claimant: string | undefined) => string;
  /** The platform's words for "reset or enrolled again without unenrolling". */
  resetWords: string;
  /** What the device does once allowed: `enroll it again`, `register it again`. */
  again: string;
  /** Extra details (e.g. the claimant's certificate serial). */
  details?: Record<string, unknown>;
  /** Extra words after the refusal (e.g. the claimant's certificate serial). */
  claimNote?: string;
}

/**
 * The alert for a refused claim on an enrolled device, on any platform: another identity or
 * enrollment named the hardware id of a device enrolled for someone. Either the device itself was
 * reset or enrolled again without its unenrollment reaching us (the administrator allows the
 * re-enrollment), or something else presents its hardware id (it stays refused). One active alert
 * per device: repeated attempts add nothing, so a client cannot grow the table.
 */
export async function raiseEnrollmentConflict(ctx: Pick<DomainContext, 'newId'>, tx: Repositories, device: DeviceRecord, claim: EnrollmentClaim, at: string): Promise<void> {
  if ((await tx.alerts.list({ deviceId: device.id, kind: 'enrollmentConflict', active: true })).length > 0) return;
  const owner = device.userId ? (await tx.users.get(device.userId))?.upn : undefined;
  const claimant = claim.claimantUserId ? (await tx.users.get(claim.claimantUserId))?.upn : undefined;
  const deviceName = device.name ?? device.model ?? 'a device';
  const allow = `POST /api/v1/devices/${device.id}/allow-reenrollment`;
  const id = `${claim.hardwareIdName} ${device.hardwareId}`;
  await tx.alerts.insert({
    id: ctx.newId('alr'),
    kind: 'enrollmentConflict',
    deviceId: device.id,
    message:
      `${deviceName} (${id}), enrolled for ${owner ?? 'no user'}, was claimed by ${claim.claimedBy(claimant)}${claim.claimNote ? ` (${claim.claimNote})` : ''}; ` +
      `the claim was refused and the device is unchanged. If the device was ${claim.resetWords}, allow its re-enrollment (${allow}) and ` +
      `${claim.again}; otherwise something else presents this ${claim.hardwareIdName}: leave it refused and find out who holds it.`,
    details: {
      deviceId: device.id,
      deviceName,
      [claim.hardwareIdKey]: device.hardwareId,
      user: owner,
      claimedBy: claimant,
      ...claim.details,
      guidance: [
        `If the device was ${claim.resetWords}: ${allow}, then ${claim.again}.`,
        `Otherwise another device presents this ${claim.hardwareIdName}: leave it refused and find out who holds it.`,
      ],
    },
    createdAt: at,
  });
}
