/** Why a DDF file was refused. */
export type DdfErrorCode =
  /** Not XML, or XML the parser refused (size, depth, characters): see the cause. */
  | 'xml'
  /** A DOCTYPE other than the OMA DDF one, or one whose internal subset declares anything. */
  | 'doctypeRefused'
  /** A required element is missing or holds something the DDF DTD does not allow. */
  | 'malformed'
  /** Two sibling nodes with the same name, or two unnamed siblings. */
  | 'duplicateNode';

export class DdfError extends Error {
  readonly code: DdfErrorCode;
  /** The node path the error is about, when there is one. */
  readonly path: string | undefined;

  constructor(code: DdfErrorCode, message: string, path?: string, options?: ErrorOptions) {
    super(path ? `${message} (at ${path})` : message, options);
    this.name = 'DdfError';
    this.code = code;
    this.path = path;
  }
}

export const isDdfError = (err: unknown, code?: DdfErrorCode): err is DdfError =>
  err instanceof DdfError && (code === undefined || err.code === code);
