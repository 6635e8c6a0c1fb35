/**
 * Typed errors of protocol/android. Decoders never throw for bad input: they return a
 * `DecodeResult` whose error names the JSON path of the offending field, so the server can answer
 * in the channel's own error form (`{error:{code,message,field}}`) and the simulated device can
 * turn what it cannot use into a `NonComplianceDetail`.
 */

export type AndroidProtocolErrorCode =
  | 'tooLarge' // the document is longer than the caller's limit
  | 'notUtf8' // the bytes are not valid UTF-8 (RFC 8259 §8.1)
  | 'malformedJson' // not JSON text (RFC 8259)
  | 'tooDeep' // objects/arrays nested deeper than the limit
  | 'wrongType' // a field holds a JSON value of the wrong type
  | 'missingField' // a required field is absent
  | 'unknownField' // a field the schema does not have (reports are strict)
  | 'invalidValue' // right type, wrong value (enum, range, format)
  | 'tooMany' // an array or object with more members than allowed
  | 'tooLong'; // a string longer than allowed

export class AndroidProtocolError extends Error {
  readonly code: AndroidProtocolErrorCode;
  /** JSON path of the offending value, `applicationReports[0].keyedAppStates[1].severity` style; '' is the document. */
  readonly path: string;

  constructor(code: AndroidProtocolErrorCode, path: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AndroidProtocolError';
    this.code = code;
    this.path = path;
  }
}

export function isAndroidProtocolError(err: unknown, code?: AndroidProtocolErrorCode): err is AndroidProtocolError {
  return err instanceof AndroidProtocolError && (code === undefined || err.code === code);
}

/** What every decoder of protocol/android returns. */
export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: AndroidProtocolError };

/** Runs a decoder written with throwing readers and turns its AndroidProtocolError into a result. */
export function toResult<T>(decode: () => T): DecodeResult<T> {
  try {
    return { ok: true, value: decode() };
  } catch (err) {
    if (err instanceof AndroidProtocolError) return { ok: false, error: err };
    throw err;
  }
}
