/**
 * protocol/android: the Android channel's wire formats, shared by the server and the simulated
 * Samsung Knox and Android for Work devices. The policy the device pulls and the report it sends
 * use the Android Management API's resource shapes (amapi/); the Knox Exchange section, the
 * certificates and the registration are mdmlab's, under the vendor field `mdmlab`; managed
 * configurations map email profiles to Gmail's and Nine Work's keys and back. Pure: no I/O, no
 * clock, no randomness (times and tokens are passed in).
 */

export * from './errors.js';
export * from './json.js';
export * from './apps.js';
export * from './amapi/enums.js';
export * from './amapi/values.js';
export * from './amapi/mdmlab-extension.js';
export * from './amapi/policy.js';
export * from './amapi/device-parts.js';
export * from './amapi/device.js';
export * from './amapi/enrollment-token.js';
export * from './provisioning/qr-code.js';
export * from './registration.js';
export * from './app-states.js';
export * from './managed-config/value-model.js';
export * from './managed-config/exchange-account.js';
export * from './managed-config/gmail.js';
export * from './managed-config/nine-work.js';
export * from './managed-config/non-compliance.js';
export * from './knox/exchange-account.js';
export * from './channel.js';
