import { DeviceError, type DeviceErrorCode } from '../core/device-error.js';

/**
 * Typed errors of the simulated Android devices (Samsung Knox, Android for Work) for the callers
 * of their public methods. Policy problems never surface here: they travel to the server in the
 * status report (nonComplianceDetails, keyed app states), as on a real device.
 */
export type AndroidDeviceErrorCode =
  | DeviceErrorCode
  | 'badQrCode' // the ticket's QR payload does not decode as provisioning extras for an mdmlab DPC
  | 'qrForAnotherServer' // the QR payload names a server other than the one this device was set up for
  | 'badServerAnswer'; // a 2xx answer the device cannot read (registration, policy)

export class AndroidDeviceError extends DeviceError<AndroidDeviceErrorCode> {
  /** The channel's reason for a refusal (Google error model ErrorInfo.reason), when the server gave one. */
  readonly reason: string | undefined;

  constructor(code: AndroidDeviceErrorCode, message: string, options: { status?: number; cause?: unknown; reason?: string } = {}) {
    super(code, message, options);
    this.name = 'AndroidDeviceError';
    this.reason = options.reason;
  }
}

export function isAndroidDeviceError(err: unknown, code?: AndroidDeviceErrorCode): err is AndroidDeviceError {
  return err instanceof AndroidDeviceError && (code === undefined || err.code === code);
}
