/**
 * protocol/windows/provisioning: the wap-provisioningdoc an enrollment server returns (MS-MDE2),
 * as a typed characteristic/parm tree, the server's builder and the device's reader.
 */
export * from './wap-document.js';
export * from './enrollment-document.js';
export * from './enrollment-reader.js';
