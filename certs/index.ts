/** Public surface of certs/: CA, certificates, CSRs, CMS SignedData/EnvelopedData and SCEP messages. */
export * from './errors.js';
export * from './algorithms.js';
export * from './oids.js';
export * from './pem.js';
export * from './keys.js';
export * from './name.js';
export * from './extensions.js';
export * from './certificate.js';
export * from './certificate-builder.js';
export * from './authority.js';
export * from './csr.js';
export * from './rsa-pkcs1.js';
export * from './cms-common.js';
export * from './cms-signed.js';
export * from './cms-enveloped.js';
export * from './scep-message.js';
