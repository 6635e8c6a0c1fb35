import { PROTOCOL_ERRORS, type ProtocolErrorCode } from './catalogue.js';

/**
 * A refusal on a device-facing endpoint: the HTTP edge answers PROTOCOL_ERRORS[code].status, with
 * `headers` when the refusal names what would be taken (Accept-Encoding on a 415, RFC 9110 §15.5.16).
 */
export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  readonly headers: Readonly<Record<string, string>>;
  constructor(code: ProtocolErrorCode, message?: string, headers: Record<string, string> = {}) {
    super(message ?? PROTOCOL_ERRORS[code].message);
    this.name = 'ProtocolError';
    this.code = code;
    this.headers = headers;
  }
}
