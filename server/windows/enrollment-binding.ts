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
 * The alert for a refused claim on an enrolled device: an enrollment named its DeviceID. Either the
 * device was reset or re-enrolled without its unenrollment reaching us (the administrator allows the
 * re-enrollment), or something else presents its DeviceID (it stays refused). One active alert per
 * device: repeated attempts add nothing, so a client cannot grow the table.
 */
export async function raiseWindowsEnrollmentConflict(ctx: WindowsContext, tx: Repositories, device: DeviceRecord, claimantUserId: string, at: string): Promise<void> {
  if ((await tx.alerts.list({ deviceId: device.id, kind: 'enrollmentConflict', active: true })).length > 0) return;
  const owner = device.userId ? (await tx.users.get(device.userId))?.upn : undefined;
  const claimant = (await tx.users.get(claimantUserId))?.upn;
  const deviceName = device.name ?? device.model ?? 'a Windows device';
  const allow = `POST /api/v1/devices/${device.id}/allow-reenrollment`;
  await tx.alerts.insert({
    id: ctx.newId('alr'),
    kind: 'enrollmentConflict',
    deviceId: device.id,
    message:
      `${deviceName} (DeviceID ${device.hardwareId}), enrolled for ${owner ?? 'no user'}, was claimed by an enrollment of ` +
      `${claimant ?? 'an unknown user'}; the enrollment was refused and the device is unchanged. If the device was reset or ` +
      `enrolled again without unenrolling, allow its re-enrollment (${allow}) and enroll it again; otherwise something else ` +
      `presents this DeviceID: leave it refused and find out who holds it.`,
    details: {
      deviceId: device.id,
      deviceName,
      dmDeviceId: device.hardwareId,
      user: owner,
      claimedBy: claimant,
      guidance: [
        `If the device was reset or re-enrolled by its user without unenrolling first: ${allow}, then enroll it again.`,
        'Otherwise another device presents this DeviceID: leave it refused and find out who holds it.',
      ],
    },
    createdAt: at,
  });
}
