/**
 * Typed errors of protocol/windows (MS-MDE2 SOAP, SyncML DM, wap-provisioningdoc, ActiveSync CSP).
 * Callers map `code` to the wire's own error form: the enrollment server answers with a SOAP fault
 * (MS-MDE2 §2.2.10, e.g. s:MessageFormat), the OMA-DM server and the simulated device answer with a
 * SyncML Status (400 for a malformed command, OMA SyncML RepPro 1.2 §10).
 */
import { parseXml, XmlError, type XmlElement, type XmlErrorCode, type XmlLimits } from '../xml/index.js';

export type WindowsProtocolErrorCode =
  | XmlErrorCode // the XML layer refused the document (size, depth, DTD, well-formedness, encoding, characters)
  | 'wrongRoot' // the document element is not the message expected (checked by namespace and local name)
  | 'missingElement' // a required element or attribute is absent; `element` names it
  | 'invalidValue' // present, but not a value the protocol allows; `element` names it
  | 'unexpectedAction' // the SOAP Action does not belong to the operation being decoded
  | 'tooManyCommands' // a SyncML message holds more commands than the caller's limit
  | 'unknownCommand'; // an element under SyncBody, Atomic or Sequence that is not a SyncML command

/** Error thrown by every codec of protocol/windows for bad input; `code` is stable, `message` is for humans. */
export class WindowsProtocolError extends Error {
  readonly code: WindowsProtocolErrorCode;
  /** Slash path of the offending element or attribute when known, e.g. `SyncHdr/SessionID`. */
  readonly element: string | undefined;
  /** SyncML: the CmdID of the command being decoded, when it could be read. */
  readonly cmdId: string | undefined;

  constructor(code: WindowsProtocolErrorCode, message: string, options: { element?: string; cmdId?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WindowsProtocolError';
    this.code = code;
    this.element = options.element;
    this.cmdId = options.cmdId;
  }
}

/** True when `err` is a WindowsProtocolError (optionally with the given code). */
export function isWindowsProtocolError(err: unknown, code?: WindowsProtocolErrorCode): err is WindowsProtocolError {
  return err instanceof WindowsProtocolError && (code === undefined || err.code === code);
}

export const missing = (element: string, message?: string): WindowsProtocolError =>
  new WindowsProtocolError('missingElement', message ?? `<${element.split('/').pop()}> is required (${element})`, { element });

export const invalid = (element: string, message: string): WindowsProtocolError =>
  new WindowsProtocolError('invalidValue', message, { element });

/** parseXml with its XmlError turned into a WindowsProtocolError of the same code. */
export function parseWindowsXml(input: Buffer | string, limits: XmlLimits): XmlElement {
  try {
    return parseXml(input, limits);
  } catch (err) {
    if (err instanceof XmlError) throw new WindowsProtocolError(err.code, err.message, { cause: err });
    throw err;
  }
}

/** Runs an encoder step, turning the XML writer's refusal of a character into a WindowsProtocolError. */
export function encoding<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof XmlError) throw new WindowsProtocolError(err.code, `${what}: ${err.message}`, { cause: err });
    throw err;
  }
}
