/**
 * Typed errors of HTTP message signatures (RFC 9421) and Content-Digest (RFC 9530). Verification
 * never throws for what a client sent: it returns a `SignatureResult` whose error code says which
 * check refused the request, so the server can answer in its channel's own error form.
 */

export type HttpSignatureErrorCode =
  | 'missingSignature' // no Signature-Input or no Signature field (or no Signature member for the label)
  | 'headerTooLarge' // a signature or digest field longer than the limit (checked before parsing)
  | 'malformedHeader' // not a Structured Field of the expected shape (RFC 8941)
  | 'tooManySignatures' // more Signature-Input members than the limit
  | 'noMatchingSignature' // no signature with the expected label or tag
  | 'tooManyComponents'
  | 'unsupportedComponent' // a derived component or component parameter this implementation does not derive
  | 'duplicateComponent' // RFC 9421 §2.5: a component identifier covered twice
  | 'missingComponent' // a component the verifier requires is not covered
  | 'componentNotInMessage' // a covered component the message does not have (RFC 9421 §2.5)
  | 'invalidComponentValue' // a value the signature base cannot carry (line breaks, characters past U+00FF …)
  | 'missingParameter' // a signature parameter the verifier requires is absent
  | 'invalidParameter' // a signature parameter of the wrong type, an unknown one, or an inconsistent one
  | 'unsupportedAlgorithm' // an `alg` the verifier does not accept
  | 'notYetValid' // `created` in the future (beyond the allowed clock skew)
  | 'tooOld' // `created` older than the verifier accepts
  | 'expired' // `expires` has passed
  | 'lifetimeTooLong' // `expires` − `created` beyond the verifier's limit
  | 'missingContentDigest' // a body without a Content-Digest the signature covers
  | 'unsupportedDigestAlgorithm' // a Content-Digest without sha-256 or sha-512 (RFC 9530 §5)
  | 'contentDigestMismatch' // the body does not hash to the Content-Digest
  | 'unknownKey' // no key for the keyid
  | 'unusableKey' // a key of the wrong type or size for the algorithm
  | 'algorithmMismatch' // `alg` is not an algorithm of that key
  | 'badSignature'; // the signature does not verify

export class HttpSignatureError extends Error {
  readonly code: HttpSignatureErrorCode;

  constructor(code: HttpSignatureErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HttpSignatureError';
    this.code = code;
  }
}

export function isHttpSignatureError(err: unknown, code?: HttpSignatureErrorCode): err is HttpSignatureError {
  return err instanceof HttpSignatureError && (code === undefined || err.code === code);
}

export type SignatureResult<T> = { ok: true; value: T } | { ok: false; error: HttpSignatureError };

export function signatureFailure(code: HttpSignatureErrorCode, message: string): { ok: false; error: HttpSignatureError } {
  return { ok: false, error: new HttpSignatureError(code, message) };
}

/** Runs code written with throwing checks and returns its HttpSignatureError as a result. */
export function asSignatureResult<T>(run: () => T): SignatureResult<T> {
  try {
    return { ok: true, value: run() };
  } catch (err) {
    if (err instanceof HttpSignatureError) return { ok: false, error: err };
    throw err;
  }
}
