/**
 * protocol/apple: Apple MDM wire formats shared by the server and the simulated iOS device
 * (Apple MDM Protocol Reference; Apple device-management YAML mdm/checkin, mdm/commands, mdm/profiles). Pure: no I/O, no clock, no randomness (UUIDs, challenges and dates are
 * passed in).
 */

export * from './errors.js';
export * from './plist-types.js';
export { decodePlist, decodePlistValue, encodePlist, DEFAULT_MAX_PLIST_BYTES, type DecodePlistOptions } from './plist-codec.js';
export { DEFAULT_MAX_PLIST_DEPTH } from './plist-parser.js';
export * from './checkin.js';
export * from './apple-platform.js';
export * from './user-channel.js';
export * from './command.js';
export * from './command-report.js';
export * from './profile-list.js';
export * from './errors-catalogue.js';
export * from './profile-error.js';
export * from './configuration-profile.js';
export * from './enrollment-profile.js';
export * from './email-profile.js';
export * from './payloads/common.js';
export * from './payloads/root-certificate.js';
export * from './payloads/scep.js';
export * from './payloads/mdm.js';
export * from './payloads/eas-account.js';
