import type { EnrollmentOperation } from '../../protocol/windows/mde2/namespaces.js';
import { ENROLLMENT_FAULTS, type EnrollmentFaultCode } from '../errors/catalogue.js';

/**
 * A refusal of a Windows enrollment endpoint: the HTTP adapter answers it as the SOAP fault the
 * catalogue names (ENROLLMENT_FAULTS: subcode, errortype, HTTP status), with `message` as the
 * fault's reason. Thrown before anything is stored, or from inside the unit of work it undoes.
 */
export class EnrollmentFault extends Error {
  readonly code: EnrollmentFaultCode;
  /** The request's MessageID and operation, once read: the fault answers it (RelatesTo, Action). */
  relatesTo: string | undefined;
  operation: EnrollmentOperation | undefined;

  constructor(code: EnrollmentFaultCode, message?: string) {
    super(message ?? ENROLLMENT_FAULTS[code].message);
    this.name = 'EnrollmentFault';
    this.code = code;
  }
}
