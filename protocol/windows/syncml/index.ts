/**
 * protocol/windows/syncml: SyncML DM 1.2 as Windows speaks it (OMA-TS-DM_RepPro, MS-MDM §2.2):
 * messages, status and alert codes, and the syncml:auth-md5 / auth-basic credentials.
 */
export * from './types.js';
export * from './status-codes.js';
export * from './alert-codes.js';
export * from './decode.js';
export * from './encode.js';
export * from './auth-md5.js';
export * from './replies.js';
