/**
 * protocol/http-signature: HTTP Message Signatures (RFC 9421) for requests, with Content-Digest
 * (RFC 9530), on Structured Field Values (RFC 8941). Pure: the signature base, the fields and every
 * check that needs no key; signing and verifying with keys is certs/http-signature.ts.
 */

export * from './errors.js';
export * from './structured-fields.js';
export * from './components.js';
export * from './signature-fields.js';
export * from './signature-base.js';
export * from './content-digest.js';
export * from './verification.js';
