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
 * Errors of the device-facing protocols (Apple MDM, SCEP, the push gateway). They answer in the
 * protocol's own form: a status and a short text/plain reason. Never 401 on the MDM endpoints:
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
} as const satisfies Record<string, { status: number; message: string }>;

export type ProtocolErrorCode = keyof typeof PROTOCOL_ERRORS;
