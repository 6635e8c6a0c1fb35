import { raiseEnrollmentConflict } from '../domain/enrollment-conflict.js';
import type { Repositories } from '../store/port.js';
import type { DeviceRecord, WindowsDeviceRecord } from '../store/records.js';
import type { WindowsContext } from './windows-context.js';

/**
 * Whether an enrollment may bind a new identity to a DeviceID ("an identity is bound to one
 * device; a re-enrollment never takes over an enrolled device silently"). Every Windows enrollment
 * makes a new key and certificate, so there is no "same identity" case as on Apple:
 * - new: the DeviceID was never enrolled;
 * - afterUnenrollment: the device left management (its unenrollment alert arrived);
 * - allowed: an administrator allowed one re-enrollment until a time not yet past;
 * - retry: the earlier enrollment never completed (the device never opened an OMA-DM session) and
 *   the same user enrolls again (the response was lost, say);
 * - conflict: anything else would take an enrolled device over, another user's enrollment above all.
 */
export type WindowsClaim = 'new' | 'afterUnenrollment' | 'allowed' | 'retry' | 'conflict';

export function windowsClaim(windows: WindowsDeviceRecord | undefined, device: DeviceRecord | undefined, userId: string, at: string): WindowsClaim {
  if (!windows || !device) return 'new';
  if (windows.leftAt !== undefined && device.status === 'unenrolled') return 'afterUnenrollment';
  if (device.reenrollmentAllowedUntil !== undefined && device.reenrollmentAllowedUntil > at) return 'allowed';
  if (windows.firstSessionAt === undefined && device.userId === userId) return 'retry';
  return 'conflict';
}

/**
 * An enrollment named the DeviceID of a device enrolled for someone (domain/enrollment-conflict.ts):
 * the device was reset or re-enrolled without its unenrollment reaching us, or something else
 * presents its DeviceID.
 */
export function raiseWindowsEnrollmentConflict(ctx: WindowsContext, tx: Repositories, device: DeviceRecord, claimantUserId: string, at: string): Promise<void> {
  return raiseEnrollmentConflict(
    ctx,
    tx,
    device,
    {
      claimantUserId,
      hardwareIdName: 'DeviceID',
      hardwareIdKey: 'dmDeviceId',
      claimedBy: (claimant) => `an enrollment of ${claimant ?? 'an unknown user'}`,
      resetWords: 'reset or re-enrolled by its user without unenrolling first',
      again: 'enroll it again',
    },
    at,
  );
}
