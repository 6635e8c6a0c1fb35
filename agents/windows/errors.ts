import { DeviceError, type DeviceErrorCode } from '../core/device-error.js';

/**
 * Typed errors of the simulated Windows device, for the callers of its public methods (scenario and
 * fleet runners map `code` to a failed step). Command failures never surface here: they travel to
 * the server as SyncML Status codes, as on a real device.
 */
export type WindowsDeviceErrorCode =
  | DeviceErrorCode
  | 'badProvisioning' // the enrollment response's provisioning document is one Windows would refuse
  | 'authenticationFailed' // the OMA-DM server refused the device's credentials after a fresh challenge
  | 'badResponse'; // the OMA-DM server answered something that is not a SyncML reply to the message sent

export class WindowsDeviceError extends DeviceError<WindowsDeviceErrorCode> {
  constructor(code: WindowsDeviceErrorCode, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'WindowsDeviceError';
  }
}

export function isWindowsDeviceError(err: unknown, code?: WindowsDeviceErrorCode): err is WindowsDeviceError {
  return err instanceof WindowsDeviceError && (code === undefined || err.code === code);
}
