import { ProtocolError } from '../errors/protocol-error.js';
import type { Repositories } from '../store/port.js';
import type { AppleDeviceRecord, DeviceRecord } from '../store/records.js';
import type { DeviceIdentity } from './device-identity.js';

/**
 * After Authenticate, a UDID speaks only with the certificate it authenticated with
 * (NanoMDM's cert-auth association, notes/apple.md §2.2): another device's certificate,
 * however valid, is refused and changes nothing.
 */
export async function boundDevice(tx: Repositories, udid: string, identity: DeviceIdentity): Promise<{ apple: AppleDeviceRecord; device: DeviceRecord }> {
  const apple = await tx.appleDevices.getByUdid(udid);
  if (!apple) throw new ProtocolError('unknownDevice', `device ${udid} has not authenticated`);
  if (apple.identityFingerprint !== identity.fingerprint) {
    throw new ProtocolError('identityMismatch', `the request for ${udid} is signed with a certificate bound to another enrollment`);
  }
  const device = await tx.devices.get(apple.deviceId);
  if (!device) throw new ProtocolError('unknownDevice');
  return { apple, device };
}
