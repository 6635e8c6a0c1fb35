/**
 * Every error the admin API can return, in one place (Fastify's error catalogue): a stable code,
 * the HTTP status the edge answers with, and a default message. Domain code throws by code and
 * never chooses a status; the HTTP adapter looks the status up here.
 */
export const ERRORS = {
  // 400: the request itself is wrong
  invalidJson: { status: 400, message: 'the body is not valid JSON' },
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
