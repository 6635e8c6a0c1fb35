/** Why an XML document was refused; the codecs built on it translate these into their protocol's error form. */
export type XmlErrorCode =
  | 'tooLarge'
  | 'tooDeep'
  | 'tooManyElements'
  | 'tooManyAttributes'
  | 'doctypeRefused'
  | 'unsupportedEncoding'
  | 'malformed'
  | 'invalidCharacter';

export class XmlError extends Error {
  readonly code: XmlErrorCode;
  constructor(code: XmlErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'XmlError';
    this.code = code;
  }
}

export const isXmlError = (err: unknown, code?: XmlErrorCode): err is XmlError =>
  err instanceof XmlError && (code === undefined || err.code === code);
