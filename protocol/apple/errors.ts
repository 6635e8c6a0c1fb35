/**
 * Typed errors of protocol/apple. Callers map `code` to what the wire wants: the server answers a
 * bad check-in with HTTP 400 (never 401, which would unenroll the device; micromdm/nanomdm
 * http/mdm/mdm_cert.go answers auth failures 400 for that reason), the
 * simulated device answers a command it cannot read with `CommandFormatError` or with
 * `Error` + MCMDMErrorDomain 12021 for an unknown RequestType (Apple MDM Protocol Reference, "Error
 * Codes"; jessepeterson/mdmb internal/device/commands.go answers the same).
 */

export type AppleProtocolErrorCode =
  | 'tooLarge' // body longer than the caller's limit
  | 'binaryPlist' // `bplist00…`: only XML plists are accepted
  | 'notUtf8' // bytes are not UTF-8, or the XML declaration names another encoding
  | 'entityDeclaration' // a DOCTYPE with an internal subset (<!ENTITY …>): never expanded, always refused
  | 'malformed' // not well-formed XML / not the plist grammar
  | 'truncated' // the document ends before the plist is closed
  | 'unknownElement' // an element that is not part of the plist DTD
  | 'tooDeep' // arrays/dicts nested deeper than the limit
  | 'notADict' // the top-level value is not a <dict>
  | 'wrongType' // a key holds a value of the wrong plist type
  | 'missingKey' // a required key is absent
  | 'invalidValue' // right type, value out of range (unsafe integer, empty UDID, bad enum …)
  | 'unknownMessageType' // a check-in MessageType we do not implement
  | 'userChannel' // a message of a user channel (UserID, UserShortName, …): mdmlab manages devices only
  | 'unknownRequestType' // a command RequestType we do not implement
  | 'unknownStatus'; // a command report Status outside Apple's five values

/** Error thrown by every codec of protocol/apple for bad input; `code` is stable, `message` is for humans. */
export class AppleProtocolError extends Error {
  readonly code: AppleProtocolErrorCode;
  /** Dotted path of the offending key when known, e.g. `Command.Payload` or `ErrorChain[0].ErrorCode`. */
  readonly key: string | undefined;
  /**
   * CommandUUID of the command being decoded when it could be read, so a device can still answer
   * the right command with an error report.
   */
  readonly commandUuid: string | undefined;

  constructor(
    code: AppleProtocolErrorCode,
    message: string,
    options: { key?: string; commandUuid?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppleProtocolError';
    this.code = code;
    this.key = options.key;
    this.commandUuid = options.commandUuid;
  }
}

/** True when `err` is an AppleProtocolError (optionally with the given code). */
export function isAppleProtocolError(err: unknown, code?: AppleProtocolErrorCode): err is AppleProtocolError {
  return err instanceof AppleProtocolError && (code === undefined || err.code === code);
}
