import { ProtocolError } from '../errors/protocol-error.js';
import type { Repositories } from '../store/port.js';
import type { AppleDeviceRecord, DeviceRecord } from '../store/records.js';
import type { DeviceIdentity } from './device-identity.js';

/**
 * The binding of a UDID to the identity certificate it authenticated with (NanoMDM's cert-auth
 * association; Apple "Check-in": Authenticate is sent once per enrollment, before TokenUpdate).
 * While bound, the UDID speaks only with that certificate; CheckOut releases it, and only a new
 * Authenticate binds it again. A certificate, once it enrolled a device, never speaks for another.
 */

/** The device a request speaks for, refused unless `identity` is the one bound to `udid` now. */
export async function boundDevice(tx: Repositories, udid: string, identity: DeviceIdentity): Promise<{ apple: AppleDeviceRecord; device: DeviceRecord }> {
  const apple = await tx.appleDevices.getByUdid(udid);
  if (!apple) throw new ProtocolError('unknownDevice', `device ${udid} has not authenticated`);
  if (apple.identityFingerprint !== identity.fingerprint) {
    throw new ProtocolError('identityMismatch', `the request for ${udid} is signed with a certificate bound to another enrollment`);
  }
  if (apple.checkedOutAt) {
    throw new ProtocolError('unknownDevice', `device ${udid} left management (CheckOut at ${apple.checkedOutAt}); it must enroll again, starting with Authenticate`);
  }
  const device = await tx.devices.get(apple.deviceId);
  if (!device) throw new ProtocolError('unknownDevice');
  return { apple, device };
}

/**
 * Why an Authenticate may bind `identity` to the UDID, or 'conflict' when it may not:
 * - new: the UDID was never seen;
 * - same: the identity bound already authenticates again (a fresh enrollment of the same install);
 * - afterCheckOut: the device left management, so whoever enrolls it next may;
 * - allowed: an administrator allowed one re-enrollment until a time not yet past;
 * - retry: the enrollment never completed (no TokenUpdate since its Authenticate) and the same
 *   user tries again with a new identity (a new enrollment profile on the same device);
 * - conflict: any other identity — another user's above all, even in the window between the
 *   device's Authenticate and its first TokenUpdate — would take the device over.
 */
export type BindingClaim = 'new' | 'same' | 'afterCheckOut' | 'allowed' | 'retry' | 'conflict';

export function bindingClaim(apple: AppleDeviceRecord | undefined, device: DeviceRecord | undefined, identity: DeviceIdentity, at: string): BindingClaim {
  if (!apple || !device) return 'new';
  if (apple.identityFingerprint === identity.fingerprint) return 'same';
  if (apple.checkedOutAt) return 'afterCheckOut';
  if (device.reenrollmentAllowedUntil !== undefined && device.reenrollmentAllowedUntil > at) return 'allowed';
  const neverCompleted = device.status !== 'enrolled' && apple.tokenUpdateCount === 0;
  if (neverCompleted && device.userId !== undefined && device.userId === identity.issued.userId) return 'retry';
  return 'conflict';
}
