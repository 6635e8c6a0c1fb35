import { raiseEnrollmentConflict as raise } from '../domain/enrollment-conflict.js';
import type { Repositories } from '../store/port.js';
import type { DeviceRecord } from '../store/records.js';
import type { AppleContext } from './apple-context.js';
import type { DeviceIdentity } from './device-identity.js';

/**
 * Another identity authenticated with an enrolled device's UDID (domain/enrollment-conflict.ts):
 * the device was erased or re-enrolled without its CheckOut reaching us, or something else
 * presents its UDID.
 */
export function raiseEnrollmentConflict(ctx: AppleContext, tx: Repositories, device: DeviceRecord, identity: DeviceIdentity, at: string): Promise<void> {
  return raise(
    ctx,
    tx,
    device,
    {
      claimantUserId: identity.issued.userId,
      hardwareIdName: 'UDID',
      hardwareIdKey: 'udid',
      claimedBy: (claimant) => `another identity, enrolled for ${claimant ?? 'no user'}`,
      claimNote: `certificate serial ${identity.issued.serial}`,
      details: { claimantCertificateSerial: identity.issued.serial },
      resetWords: 'erased or re-enrolled by its user without unenrolling first',
      again: 'enroll it again',
    },
    at,
  );
}
