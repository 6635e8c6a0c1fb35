/**
 * protocol/windows/mde2: Windows enrollment over SOAP 1.2 — MS-MDE2 discovery, MS-XCEP enrollment
 * policy, MS-WSTEP enrollment and MS-MDE2 faults. Pure: message ids, timestamps and activity ids
 * are passed in.
 */
export * from './namespaces.js';
export * from './soap-envelope.js';
export * from './ws-security.js';
export * from './discovery.js';
export * from './policies.js';
export * from './enrollment-request.js';
export * from './enrollment-response.js';
export * from './soap-fault.js';
export { decodeBase64 } from './soap-read.js';
