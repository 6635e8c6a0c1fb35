/**
 * The Android channel's HTTP surface, shared by the server and the simulated devices: where a
 * device registers, pulls its policy and reports, the push that says "your policy changed", and the
 * error body every refusal carries.
 *
 * Errors are Google's JSON error model (google.rpc.Status over HTTP; Google Cloud API design guide,
 * "Errors", and AIP-193): `{"error": {"code": <HTTP status>, "message", "status": <google.rpc.Code
 * name>, "details": [ErrorInfo {reason, domain}, BadRequest {fieldViolations: [{field,
 * description}]}]}}`, as the Android Management API answers. `reason` is mdmlab's stable code
 * (server/errors/catalogue.ts ANDROID_ERRORS); `field` the JSON path of the value at fault.
 */

import { AndroidProtocolError, toResult, type DecodeResult } from './errors.js';
import { expectArray, expectObject, FieldReader, parseJsonDocument, type JsonObject, type JsonValue } from './json.js';
import { MDMLAB_DPC_PACKAGE } from './apps.js';

/** Paths under the server's base URL. */
export const ANDROID_CHANNEL_PATHS = {
  /** POST a DeviceRegistrationRequest (protocol/android/registration.ts): 201 DeviceRegistrationResponse. */
  register: '/android/v1/register',
  /** GET the device's Policy (If-None-Match → 304): signed / mutual TLS. */
  policy: '/android/v1/policy',
  /** POST a Device status report: 204. Signed / mutual TLS. */
  report: '/android/v1/report',
} as const;

/** The push gateway topic of Android wake-ups (FCM's restricted package name: the DPC's). */
export const ANDROID_PUSH_TOPIC = MDMLAB_DPC_PACKAGE;

/** The data message of a wake-up: the policy changed, sync now. It carries nothing else. */
export const POLICY_CHANGED_PUSH: Readonly<Record<string, string>> = Object.freeze({ event: 'policyChanged' });

export function isPolicyChangedPush(topic: string, payload: Readonly<Record<string, string>>): boolean {
  return topic === ANDROID_PUSH_TOPIC && payload.event === POLICY_CHANGED_PUSH.event;
}

/** google.rpc.Code names used by the channel (google/rpc/code.proto). */
export const RPC_STATUSES = [
  'INVALID_ARGUMENT',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'RESOURCE_EXHAUSTED',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
] as const;
export type RpcStatus = (typeof RPC_STATUSES)[number];

export const ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';
export const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';
/** ErrorInfo.domain of mdmlab's reasons. */
export const CHANNEL_ERROR_DOMAIN = 'android.mdmlab.org';

export interface ChannelError {
  /** The HTTP status. */
  code: number;
  message: string;
  status: RpcStatus;
  /** mdmlab's code for the refusal (ErrorInfo.reason). */
  reason: string;
  /** JSON path of the offending value (BadRequest.fieldViolations[0].field). */
  field?: string;
}

export function channelErrorJson(e: ChannelError): JsonObject {
  const details: JsonObject[] = [{ '@type': ERROR_INFO_TYPE, reason: e.reason, domain: CHANNEL_ERROR_DOMAIN }];
  if (e.field !== undefined) details.push({ '@type': BAD_REQUEST_TYPE, fieldViolations: [{ field: e.field, description: e.message }] });
  return { error: { code: e.code, message: e.message, status: e.status, details } };
}

export function encodeChannelError(e: ChannelError): string {
  return JSON.stringify(channelErrorJson(e));
}

const ERROR_LIMITS = { maxBytes: 16 * 1024, maxDepth: 6 };

/** A refusal as the device reads it; details of other types are skipped, as Google clients do. */
export function decodeChannelError(body: string | Uint8Array): DecodeResult<ChannelError> {
  return toResult(() => {
    const top = new FieldReader(parseJsonDocument(body, ERROR_LIMITS), '', ['error']);
    const e = new FieldReader(top.object('error'), 'error', ['code', 'message', 'status', 'details']);
    const out: ChannelError = {
      code: e.integer('code', 100, 599),
      message: e.string('message', { maxLength: 4096 }),
      status: e.enumValue('status', RPC_STATUSES),
      reason: '',
    };
    for (const [i, d] of expectArray(e.raw('details') ?? [], 'error.details', 8).entries()) {
      const detail = expectObject(d, `error.details[${i}]`);
      if (detail['@type'] === ERROR_INFO_TYPE && typeof detail.reason === 'string') out.reason = detail.reason;
      if (detail['@type'] === BAD_REQUEST_TYPE) {
        const first = firstViolation(detail.fieldViolations);
        if (first !== undefined) out.field = first;
      }
    }
    if (!out.reason) throw new AndroidProtocolError('missingField', 'error.details', 'error.details has no ErrorInfo with a reason');
    return out;
  });
}

function firstViolation(v: JsonValue | undefined): string | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const f = v[0];
  return typeof f === 'object' && f !== null && !Array.isArray(f) && typeof f.field === 'string' ? f.field : undefined;
}
