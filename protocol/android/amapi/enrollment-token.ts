/**
 * An enrollment token in the Android Management API's `EnrollmentToken` shape (discovery document
 * schema EnrollmentToken; https://developers.google.com/android/management/reference/rest/v1/enterprises.enrollmentTokens).
 * `qrCode` is the JSON text of the provisioning extras a device scans (protocol/android/provisioning).
 */

import { toResult, type DecodeResult } from '../errors.js';
import { FieldReader, parseJsonDocument, withoutUndefined, type JsonObject, type JsonValue } from '../json.js';
import { PERSONAL_USAGE_VALUES, type PersonalUsage } from './enums.js';
import { readDuration, readResourceName, readTimestamp } from './values.js';

export interface EnrollmentToken {
  /** `enterprises/{enterpriseId}/enrollmentTokens/{tokenId}`. */
  name: string;
  /** The secret the device presents when it registers. */
  value: string;
  /** JSON of the provisioning extras, for a QR code. */
  qrCode?: string;
  expirationTimestamp: string;
  /** `enterprises/{enterpriseId}/policies/{policyId}` the device starts with. */
  policyName?: string;
  /** How long the token is valid, e.g. `"3600s"` (AMAPI default one hour). */
  duration?: string;
  /** One registration only (a replayed token is refused). */
  oneTimeOnly?: boolean;
  /** Echoed later in the device's enrollmentTokenData; AMAPI allows 1,024 characters. */
  additionalData?: string;
  allowPersonalUsage?: PersonalUsage;
}

export const ENROLLMENT_TOKEN_FIELDS = [
  'name',
  'value',
  'qrCode',
  'expirationTimestamp',
  'policyName',
  'duration',
  'oneTimeOnly',
  'additionalData',
  'allowPersonalUsage',
] as const;

export const ENROLLMENT_TOKEN_LIMITS = { maxBytes: 16 * 1024, maxDepth: 4, qrCode: 4096, additionalData: 1024 } as const;

/** Token values: URL-safe characters only (they travel in QR codes and URLs). */
export const ENROLLMENT_TOKEN_VALUE = { maxLength: 128, minLength: 8, pattern: /^[A-Za-z0-9_-]+$/, format: 'a token of letters, digits, - and _' };

export function decodeEnrollmentToken(body: string | Uint8Array): DecodeResult<EnrollmentToken> {
  return toResult(() =>
    readEnrollmentToken(parseJsonDocument(body, { maxBytes: ENROLLMENT_TOKEN_LIMITS.maxBytes, maxDepth: ENROLLMENT_TOKEN_LIMITS.maxDepth }), ''),
  );
}

export function readEnrollmentToken(value: JsonValue, path: string): EnrollmentToken {
  const r = new FieldReader(value, path, ENROLLMENT_TOKEN_FIELDS);
  const t: EnrollmentToken = {
    name: r.custom('name', (v, p) => readResourceName(v, p, 'enrollmentTokens')),
    value: r.string('value', ENROLLMENT_TOKEN_VALUE),
    expirationTimestamp: r.custom('expirationTimestamp', readTimestamp),
  };
  const qr = r.optString('qrCode', { maxLength: ENROLLMENT_TOKEN_LIMITS.qrCode, minLength: 2 });
  if (qr !== undefined) t.qrCode = qr;
  const policy = r.optCustom('policyName', (v, p) => readResourceName(v, p, 'policies'));
  if (policy !== undefined) t.policyName = policy;
  const duration = r.optCustom('duration', readDuration);
  if (duration !== undefined) t.duration = duration;
  const once = r.optBoolean('oneTimeOnly');
  if (once !== undefined) t.oneTimeOnly = once;
  const data = r.optString('additionalData', { maxLength: ENROLLMENT_TOKEN_LIMITS.additionalData });
  if (data !== undefined) t.additionalData = data;
  const personal = r.optEnum('allowPersonalUsage', PERSONAL_USAGE_VALUES);
  if (personal) t.allowPersonalUsage = personal;
  return t;
}

export function enrollmentTokenJson(t: EnrollmentToken): JsonObject {
  return withoutUndefined({
    name: t.name,
    value: t.value,
    qrCode: t.qrCode,
    expirationTimestamp: t.expirationTimestamp,
    policyName: t.policyName,
    duration: t.duration,
    oneTimeOnly: t.oneTimeOnly,
    additionalData: t.additionalData,
    allowPersonalUsage: t.allowPersonalUsage,
  });
}

export function encodeEnrollmentToken(t: EnrollmentToken): string {
  return JSON.stringify(enrollmentTokenJson(t));
}
