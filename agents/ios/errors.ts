import { DeviceError } from '../core/device-error.js';

/**
 * Typed errors of the simulated iOS device, for the callers of its public methods (scenario and
 * fleet runners map `code` to a failed step). Command failures never surface here: they travel
 * to the server as the report's Status and ErrorChain, as on a real device.
 */
export type IosDeviceErrorCode =
  | 'alreadyEnrolled' // enroll() on an enrolled device
  | 'notEnrolled' // an MDM operation on a device that is not enrolled
  | 'offline' // enroll() while offline
  | 'enrollmentProfileRefused' // the enrollment URL did not give a profile (bad token, server error)
  | 'badEnrollmentProfile' // the profile does not verify or lacks the MDM / SCEP payloads
  | 'scepFailed' // the SCEP server refused the request (CertRep FAILURE) or answered nonsense
  | 'serverRefused' // a check-in or report answered with an HTTP error status
  | 'network' // no answer (connection refused, timeout)
  | 'pushUnavailable' // no push token from the gateway during enrollment
  | 'stopped'; // the device object was stopped

export class IosDeviceError extends DeviceError<IosDeviceErrorCode> {
  constructor(code: IosDeviceErrorCode, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'IosDeviceError';
  }
}

export function isIosDeviceError(err: unknown, code?: IosDeviceErrorCode): err is IosDeviceError {
  return err instanceof IosDeviceError && (code === undefined || err.code === code);
}
