import type { EnrollmentErrorType, EnrollmentFaultSubcode } from '../../protocol/windows/mde2/soap-fault.js';
import type { RpcStatus } from '../../protocol/android/channel.js';

/**
 * Every error the admin API can return, in one place (Fastify's error catalogue): a stable code,
 * the HTTP status the edge answers with, and a default message. Domain code throws by code and
 * never chooses a status; the HTTP adapter looks the status up here.
 */
export const ERRORS = {
  // 400: the request itself is wrong
  invalidJson: { status: 400, message: 'the body is not valid JSON' },
  badRequest: { status: 400, message: 'the request is malformed (path encoding, body encoding)' },
  validationFailed: { status: 400, message: 'a field has a wrong type or value' },
  unknownField: { status: 400, message: 'the body has a field this resource does not have' },
  missingField: { status: 400, message: 'a required field is missing' },
  settingNotOnPlatform: { status: 400, message: 'the platform of this profile does not have that setting' },
  certificateProfileRequired: { status: 400, message: 'a certificate profile is required for this choice' },
  certificateProfileNotAllowed: { status: 400, message: 'a certificate profile is only allowed with certificate authentication or S/MIME' },
  certificateProfileNotFound: { status: 400, message: 'the referenced certificate profile does not exist' },
  certificateProfileWrongKind: { status: 400, message: 'the referenced certificate profile is not of the required kind' },
  certificateProfileWrongPlatform: { status: 400, message: 'the referenced certificate profile is for another platform' },
  invalidCertificate: { status: 400, message: 'the PEM is not an X.509 certificate' },
  unknownMember: { status: 400, message: 'a referenced user, device or group does not exist' },
  invalidQuery: { status: 400, message: 'a query parameter has a wrong value' },
  platformImmutable: { status: 400, message: 'the platform of a profile cannot change' },
  platformNotSupported: { status: 400, message: 'this platform cannot enroll yet' },
  deviceNotEnrolled: { status: 409, message: 'the device is not enrolled' },
  // 401 / 404 / 405 / 409 / 413 / 415
  unauthorized: { status: 401, message: 'a valid bearer token is required' },
  notFound: { status: 404, message: 'no such resource' },
  routeNotFound: { status: 404, message: 'no such route' },
  methodNotAllowed: { status: 405, message: 'the route does not support this method' },
  nameTaken: { status: 409, message: 'the name is already in use' },
  upnTaken: { status: 409, message: 'a user with this user principal name already exists' },
  immutableSetting: { status: 409, message: 'host and email address source of a deployed profile cannot change; delete the profile and create a new one' },
  inUse: { status: 409, message: 'the resource is still referenced' },
  trustedRootRequired: {
    status: 409,
    message: 'a samsungKnox profile that uses SSL needs the Exchange server\'s certificate as a trustedRoot certificate profile for samsungKnox',
  },
  payloadTooLarge: { status: 413, message: 'the body is larger than the limit' },
  unsupportedMediaType: { status: 415, message: 'the body must be application/json' },
  // 500
  internalError: { status: 500, message: 'the server failed to handle the request' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export function statusOf(code: ErrorCode): number {
  return ERRORS[code].status;
}

/**
 * Errors of the device-facing protocols (Apple MDM, SCEP, the push gateway, and OMA-DM requests
 * that carry no SyncML header to answer in). They answer in the protocol's own form: a status and a
 * short text/plain reason. Never 401 on the MDM endpoints:
 * a 401 makes a real device unenroll (Apple Device Management, "ErrorUnrecognizedDevice"), so
 * authentication failures are 400/403.
 */
export const PROTOCOL_ERRORS = {
  wrongContentType: { status: 415, message: 'wrong Content-Type for this endpoint' },
  unsupportedContentEncoding: { status: 415, message: 'the Content-Encoding is not one this endpoint takes (see Accept-Encoding)' },
  badContentEncoding: { status: 400, message: 'the body does not decode with its Content-Encoding' },
  bodyTooLarge: { status: 413, message: 'the body is larger than the limit' },
  headerTooLarge: { status: 431, message: 'a request header is larger than the limit' },
  emptyBody: { status: 400, message: 'the body is empty' },
  malformedMessage: { status: 400, message: 'the message is not a valid property list of the expected shape' },
  unknownMessageType: { status: 400, message: 'unsupported MessageType' },
  userChannelNotSupported: { status: 400, message: 'user-channel messages are not supported: mdmlab manages devices only' },
  missingSignature: { status: 400, message: 'the Mdm-Signature header is missing' },
  badSignature: { status: 400, message: 'the Mdm-Signature does not verify over the body' },
  untrustedCertificate: { status: 403, message: 'the signing certificate was not issued by this server for device identity' },
  identityMismatch: { status: 403, message: 'the signing certificate belongs to another enrollment' },
  unknownDevice: { status: 403, message: 'the device has not authenticated' },
  enrollmentConflict: { status: 403, message: 'the device is enrolled with another identity; an administrator must allow its re-enrollment' },
  unsupportedPlatform: { status: 403, message: 'this server manages iPhone, iPad and iPod touch only' },
  enrollmentTokenInvalid: { status: 403, message: 'the enrollment token is unknown, expired or already used' },
  badScepRequest: { status: 400, message: 'the SCEP request is malformed' },
  unknownScepOperation: { status: 400, message: 'unknown SCEP operation' },
  badPushRequest: { status: 400, message: 'BadDeviceToken' },
  malformedSyncML: { status: 400, message: 'the body is not a SyncML DM 1.2 message whose SyncHdr can be read' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ProtocolErrorCode = keyof typeof PROTOCOL_ERRORS;

/**
 * Refusals of the Windows enrollment endpoints (MS-MDE2 discovery, MS-XCEP GetPolicies, MS-WSTEP
 * RequestSecurityToken), answered as SOAP 1.2 faults (MS-MDE2 §2.2.10): the subcode the Windows
 * client turns into its MENROLL_E_* error, an optional deviceenrollmentserviceerror errortype, and
 * the HTTP status of the SOAP 1.2 HTTP binding (W3C SOAP 1.2 Part 2 §7.5.1.2: a Receiver fault, as
 * MS-MDE2's sample writes every enrollment fault, is a 500), or 413/415 when the request could not
 * be read as SOAP at all. The fault's reason is one line, never a stack or a path.
 */
export const ENROLLMENT_FAULTS = {
  wrongContentType: { status: 415, subcode: 'MessageFormat', message: 'the body must be application/soap+xml (SOAP 1.2)' },
  unsupportedContentEncoding: { status: 415, subcode: 'MessageFormat', message: 'the body must come without a Content-Encoding' },
  bodyTooLarge: { status: 413, subcode: 'MessageFormat', message: 'the enrollment message is larger than the limit' },
  malformedMessage: { status: 500, subcode: 'MessageFormat', message: 'the message is not a SOAP 1.2 enrollment message of the expected shape' },
  unknownAction: { status: 500, subcode: 'MessageFormat', message: 'the SOAP Action is not an operation of this endpoint' },
  missingSecurity: { status: 500, subcode: 'InvalidSecurity', message: 'the WS-Security header with a UsernameToken is missing' },
  credentialsRefused: {
    status: 500,
    subcode: 'Authentication',
    errorType: 'CustomServerError',
    message: 'the user name and enrollment token are not a valid, unused Windows enrollment token of that user',
  },
  authPolicyNotOffered: { status: 500, subcode: 'Authentication', errorType: 'NotSupported', message: 'this server authenticates enrollments with the OnPremise policy only' },
  renewalNotSupported: { status: 500, subcode: 'CertificateRequest', errorType: 'NotEligibleToRenew', message: 'this server does not renew certificates: enroll again' },
  certificateRequestRefused: { status: 500, subcode: 'CertificateRequest', message: 'the certificate request is not one this server signs' },
  invalidEnrollmentData: { status: 500, subcode: 'MessageFormat', errorType: 'InvalidEnrollmentData', message: 'the enrollment data does not name one valid DeviceID' },
  enrollmentConflict: {
    status: 500,
    subcode: 'Authorization',
    errorType: 'CustomServerError',
    message: 'this device is enrolled with another identity; an administrator must allow its re-enrollment',
  },
  internalError: { status: 500, subcode: 'InternalServiceFault', message: 'the enrollment server failed to handle the request' },
} as const satisfies Record<string, { status: number; subcode: EnrollmentFaultSubcode; errorType?: EnrollmentErrorType; message: string }>;

export type EnrollmentFaultCode = keyof typeof ENROLLMENT_FAULTS;

/**
 * Refusals of an OMA-DM message whose SyncHdr could be read (MS-MDM §2.2.6.1): the server answers
 * HTTP 200 with a SyncML message holding only the Status of the SyncHdr (and, for credentials, a
 * Chal with the next nonce); nothing else in the message is processed and nothing is stored.
 */
export const SESSION_REFUSALS = {
  credentialsMissing: { syncml: 407, message: 'the message carries no credential (syncml:auth-md5) and no client certificate of the device' },
  credentialsInvalid: { syncml: 401, message: 'the credential or client certificate is not the device\'s' },
  unknownDevice: { syncml: 403, message: 'no enrolled Windows device has this DeviceID' },
  sessionOutOfOrder: { syncml: 400, message: 'the SessionID and MsgID do not continue a session, nor start one with MsgID 1' },
  unsupportedProtocol: { syncml: 400, message: 'the message is not SyncML DM 1.1 or 1.2' },
} as const satisfies Record<string, { syncml: number; message: string }>;

export type SessionRefusalCode = keyof typeof SESSION_REFUSALS;

/**
 * Errors of the Android channel (`/android/v1/…`), answered in Google's JSON error model
 * (protocol/android/channel.ts): the HTTP status, the google.rpc.Code name, and this code as the
 * ErrorInfo reason. Authentication failures are 401 UNAUTHENTICATED (the device must prove itself
 * again), a device acting outside what it is (another device's report, a device that left
 * management) 403 PERMISSION_DENIED.
 */
export const ANDROID_ERRORS = {
  // The request itself
  wrongContentType: { status: 415, rpc: 'INVALID_ARGUMENT', message: 'the body must be application/json' },
  unsupportedContentEncoding: { status: 415, rpc: 'INVALID_ARGUMENT', message: 'no Content-Encoding is taken: the signature covers the body as sent' },
  bodyTooLarge: { status: 413, rpc: 'INVALID_ARGUMENT', message: 'the body is larger than the limit' },
  emptyBody: { status: 400, rpc: 'INVALID_ARGUMENT', message: 'the body is empty' },
  malformedJson: { status: 400, rpc: 'INVALID_ARGUMENT', message: 'the body is not valid JSON' },
  notUtf8: { status: 400, rpc: 'INVALID_ARGUMENT', message: 'the body is not valid UTF-8' },
  tooDeep: { status: 400, rpc: 'INVALID_ARGUMENT', message: 'the body nests objects and arrays too deeply' },
  unknownField: { status: 400, rpc: 'INVALID_ARGUMENT', message: 'a field this document does not have' },
  missingField: { status: 400, rpc: 'INVALID_ARGUMENT', message: 'a required field is missing' },
  wrongType: { status: 400, rpc: 'INVALID_ARGUMENT', message: 'a field has the wrong JSON type' },
  invalidValue: { status: 400, rpc: 'INVALID_ARGUMENT', message: 'a field has a value that is not accepted' },
  tooMany: { status: 400, rpc: 'INVALID_ARGUMENT', message: 'an array or object has more members than accepted' },
  tooLong: { status: 400, rpc: 'INVALID_ARGUMENT', message: 'a string is longer than accepted' },
  futurePolicyVersion: { status: 400, rpc: 'INVALID_ARGUMENT', message: 'appliedPolicyVersion is newer than any policy this device was given' },
  wrongManagementMode: { status: 400, rpc: 'INVALID_ARGUMENT', message: 'the management mode does not match the platform the device enrolls or enrolled as' },
  badCsr: { status: 400, rpc: 'INVALID_ARGUMENT', message: 'certificateSigningRequest is not a usable PKCS#10 request' },
  headerTooLarge: { status: 431, rpc: 'INVALID_ARGUMENT', message: 'a signature header is larger than the limit' },
  // Who is asking
  missingSignature: { status: 401, rpc: 'UNAUTHENTICATED', message: 'the request carries no Signature-Input and Signature (RFC 9421)' },
  badSignature: { status: 401, rpc: 'UNAUTHENTICATED', message: 'the request signature does not verify' },
  signatureExpired: { status: 401, rpc: 'UNAUTHENTICATED', message: 'the request signature is outside its validity window' },
  replayedRequest: { status: 401, rpc: 'UNAUTHENTICATED', message: 'this signature (keyid and nonce) was already used' },
  missingClientCertificate: { status: 401, rpc: 'UNAUTHENTICATED', message: 'mutual TLS: the connection presented no client certificate' },
  unknownIdentity: { status: 401, rpc: 'UNAUTHENTICATED', message: 'the certificate or keyid is not a registered device identity' },
  deviceNotEnrolled: { status: 403, rpc: 'PERMISSION_DENIED', message: 'the device left management; it must register again' },
  wrongDevice: { status: 403, rpc: 'PERMISSION_DENIED', message: 'the document names another device or policy than the one that sent it' },
  enrollmentTokenInvalid: { status: 403, rpc: 'PERMISSION_DENIED', message: 'the enrollment token is unknown, expired, already used or for another platform' },
  enrollmentConflict: {
    status: 409,
    rpc: 'ALREADY_EXISTS',
    message: 'the device is enrolled with another identity; an administrator must allow its re-enrollment',
  },
  // Bounds
  tooManyRequests: { status: 429, rpc: 'RESOURCE_EXHAUSTED', message: 'too many signed requests from this device in the signature window' },
  busy: { status: 503, rpc: 'UNAVAILABLE', message: 'the server is busy; retry later' },
  // Routing and failures of ours
  routeNotFound: { status: 404, rpc: 'NOT_FOUND', message: 'no such route' },
  methodNotAllowed: { status: 405, rpc: 'UNIMPLEMENTED', message: 'the route does not support this method' },
  internalError: { status: 500, rpc: 'INTERNAL', message: 'internal error' },
} as const satisfies Record<string, { status: number; rpc: RpcStatus; message: string }>;

export type AndroidErrorCode = keyof typeof ANDROID_ERRORS;
