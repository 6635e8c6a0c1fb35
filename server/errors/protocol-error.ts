import { PROTOCOL_ERRORS, type ProtocolErrorCode } from './catalogue.js';

/** A refusal on a device-facing endpoint: the HTTP edge answers PROTOCOL_ERRORS[code].status. */
export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  constructor(code: ProtocolErrorCode, message?: string) {
    super(message ?? PROTOCOL_ERRORS[code].message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}
