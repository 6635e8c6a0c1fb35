/**
 * protocol/windows: Windows wire formats shared by the server and the simulated Windows devices.
 * Pure: no I/O, no clock, no randomness (message ids, nonces, GUIDs and timestamps are passed in).
 * One namespace per protocol, as their vocabularies overlap (Data, Meta, Status…).
 */
export { isWindowsProtocolError, WindowsProtocolError, type WindowsProtocolErrorCode } from './errors.js';
export * as mde2 from './mde2/index.js';
export * as provisioning from './provisioning/index.js';
export * as syncml from './syncml/index.js';
export * as activesync from './activesync/index.js';
