/**
 * Typed errors of every simulated device, for the callers of its public methods (scenario and fleet
 * runners map `code` to a failed step). Each platform extends the codes with its own (iOS:
 * agents/ios/errors.ts). Command failures never surface here: they travel to the server in the
 * platform's own answer, as on a real device.
 */
export type DeviceErrorCode =
  | 'alreadyEnrolled' // enroll() on an enrolled device
  | 'notEnrolled' // a management operation on a device that is not enrolled
  | 'offline' // enroll() while offline
  | 'badTicket' // the enrollment ticket lacks what the platform enrolls with
  | 'enrollmentRefused' // the server refused the enrollment
  | 'serverRefused' // a management exchange answered with an HTTP error status
  | 'network' // no answer (connection refused, timeout)
  | 'pushUnavailable' // no push token from the gateway during enrollment
  | 'stopped'; // the device object was stopped

export class DeviceError<Code extends string = DeviceErrorCode> extends Error {
  readonly code: Code;
  /** HTTP status when the server answered with one. */
  readonly status: number | undefined;

  constructor(code: Code, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeviceError';
    this.code = code;
    this.status = options.status;
  }
}

export function isDeviceError(err: unknown, code?: string): err is DeviceError<string> {
  return err instanceof DeviceError && (code === undefined || err.code === code);
}

/**
 * The server could not be reached, or failed (5xx, 429): worth asking again later. A refusal (any
 * other 4xx) is not: asking again the same way would be refused again.
 */
export function isTransientFailure(err: unknown): boolean {
  if (isDeviceError(err, 'network')) return true;
  return isDeviceError(err, 'serverRefused') && err.status !== undefined && (err.status >= 500 || err.status === 429);
}
