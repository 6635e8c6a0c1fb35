/**
 * Typed errors of the certs/ layer. Callers map `code` to their protocol's own error form
 * (SCEP failInfo, HTTP 400 on a bad Mdm-Signature, admin API JSON error, ...).
 */

/** What went wrong, in words a caller can switch on. */
export type CertsErrorCode =
  | 'badDer' // the bytes are not valid DER/BER (X.690)
  | 'badCms' // valid ASN.1 but not the CMS structure expected (RFC 5652)
  | 'badCertificate' // an X.509 certificate that cannot be used (RFC 5280)
  | 'badSignature' // digest mismatch or signature that does not verify
  | 'signerNotFound' // the CMS signer's certificate is not among the embedded certificates
  | 'untrustedSigner' // the signer does not chain to an expected certificate
  | 'unsupportedAlgorithm' // an algorithm we do not implement (RC2, RSA-PSS, OAEP, ...)
  | 'notForUs' // EnvelopedData with no recipient we hold a key for
  | 'badPadding' // RSA PKCS#1 v1.5 or CBC padding is wrong (wrong key or tampered data)
  | 'badCsr' // a PKCS#10 request that is malformed or whose self-signature fails (RFC 2986)
  | 'badScepMessage' // a SCEP pkiMessage missing required attributes (RFC 8894 §3.2)
  | 'badKey' // a key that cannot be imported or is not RSA where RSA is required
  | 'badPkcs12' // a PKCS#12 that cannot be read, or not with this password (RFC 7292)
  | 'keyNotAllowed'; // a client's key outside what we use: not RSA, modulus or exponent out of bounds (key-limits.ts)

/** Error thrown by every function of certs/ for bad input; `code` is stable, `message` is for humans. */
export class CertsError extends Error {
  readonly code: CertsErrorCode;

  constructor(code: CertsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CertsError';
    this.code = code;
  }
}

/** True when `err` is a CertsError (optionally with the given code). */
export function isCertsError(err: unknown, code?: CertsErrorCode): err is CertsError {
  return err instanceof CertsError && (code === undefined || err.code === code);
}
