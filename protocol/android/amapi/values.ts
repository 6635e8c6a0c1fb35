/**
 * Scalar formats of the Android Management API's JSON (proto3 JSON mapping,
 * https://protobuf.dev/programming-guides/proto3/#json): int64 as a decimal string, google-datetime
 * as an RFC 3339 timestamp, google-duration as seconds with an `s` suffix; plus AMAPI resource
 * names (`enterprises/{enterpriseId}/policies/{policyId}` …) and Android package names.
 */

import { AndroidProtocolError } from '../errors.js';
import { expectString, invalidValue, type JsonValue } from '../json.js';

const INT64_MAX = 9223372036854775807n;
const CANONICAL_UNSIGNED = /^(0|[1-9][0-9]{0,18})$/;

/**
 * A non-negative int64 in its JSON form: a decimal string without sign or leading zeros
 * (`Policy.version`, `Device.appliedPolicyVersion`). Numbers are refused: past 2^53 they lose digits.
 */
export function readInt64String(v: JsonValue, path: string): string {
  const s = expectString(v, path, { maxLength: 19, minLength: 1 });
  if (!CANONICAL_UNSIGNED.test(s) || BigInt(s) > INT64_MAX) {
    throw invalidValue(path, 'must be a non-negative int64 written as a decimal string without leading zeros');
  }
  return s;
}

/** The JSON form of a non-negative int64 policy version. */
export function int64String(n: number | bigint): string {
  const b = BigInt(n);
  if (b < 0n || b > INT64_MAX) throw new RangeError(`${n} is not a non-negative int64`);
  return b.toString();
}

/** Orders two canonical int64 strings numerically: negative, zero or positive like a comparator. */
export function compareInt64Strings(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

// RFC 3339 §5.6 date-time; google.protobuf.Timestamp allows years 0001–9999 and up to nine fraction digits.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;

/** Milliseconds since the epoch of an RFC 3339 timestamp, or undefined when it is not one. */
export function parseTimestamp(s: string): number | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, , zone, zh, zm] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return undefined;
  if (zone !== 'Z' && (Number(zh) > 23 || Number(zm) > 59)) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function readTimestamp(v: JsonValue, path: string): string {
  const s = expectString(v, path, { maxLength: 40, minLength: 1 });
  if (parseTimestamp(s) === undefined) throw invalidValue(path, 'must be an RFC 3339 timestamp such as 2024-05-01T12:00:00Z');
  return s;
}

/** The JSON form AMAPI gives timestamps: UTC, `Z`. */
export function formatTimestamp(date: Date): string {
  return date.toISOString();
}

// google.protobuf.Duration in JSON: seconds with up to nine fraction digits and an `s` suffix.
const DURATION = /^(\d{1,12})(\.\d{1,9})?s$/;

export function readDuration(v: JsonValue, path: string): string {
  const s = expectString(v, path, { maxLength: 24, minLength: 2 });
  if (!DURATION.test(s)) throw invalidValue(path, 'must be a duration in seconds such as "3600s"');
  return s;
}

/** Seconds of a duration string (`"3600s"` → 3600, `"1.5s"` → 1.5). */
export function durationSeconds(duration: string): number {
  const m = DURATION.exec(duration);
  if (!m) throw new RangeError(`${duration} is not a duration`);
  return Number(duration.slice(0, -1));
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`${seconds} is not a duration`);
  return `${seconds}s`;
}

/**
 * Resource ids in names: RFC 3986 unreserved characters, so a name is safe in a URL path as it is;
 * never `.` or `..`, which a URL resolver would read as a path step (RFC 3986 §5.2.4).
 */
const RESOURCE_ID = '(?!\\.\\.?(?:/|$))[A-Za-z0-9._~-]{1,128}';

export type ResourceCollection = 'policies' | 'devices' | 'enrollmentTokens';

const NAME_PATTERNS: Readonly<Record<ResourceCollection, RegExp>> = {
  policies: new RegExp(`^enterprises/(${RESOURCE_ID})/policies/(${RESOURCE_ID})$`),
  devices: new RegExp(`^enterprises/(${RESOURCE_ID})/devices/(${RESOURCE_ID})$`),
  enrollmentTokens: new RegExp(`^enterprises/(${RESOURCE_ID})/enrollmentTokens/(${RESOURCE_ID})$`),
};

const ID = new RegExp(`^${RESOURCE_ID}$`);

/** `enterprises/{enterpriseId}/{collection}/{id}`, AMAPI's resource name form. */
export function resourceName(collection: ResourceCollection, enterpriseId: string, id: string): string {
  if (!ID.test(enterpriseId) || !ID.test(id)) throw new RangeError('ids in resource names are 1–128 letters, digits, . _ ~ - (and not . or ..)');
  return `enterprises/${enterpriseId}/${collection}/${id}`;
}

/** The enterprise and resource ids of a name, or undefined when it is not a name of that collection. */
export function parseResourceName(collection: ResourceCollection, name: string): { enterpriseId: string; id: string } | undefined {
  const m = NAME_PATTERNS[collection].exec(name);
  return m ? { enterpriseId: m[1] as string, id: m[2] as string } : undefined;
}

export function readResourceName(v: JsonValue, path: string, collection: ResourceCollection): string {
  const s = expectString(v, path, { maxLength: 300, minLength: 1 });
  if (!NAME_PATTERNS[collection].test(s)) {
    throw new AndroidProtocolError('invalidValue', path, `${path} must be a resource name enterprises/{enterpriseId}/${collection}/{id}`);
  }
  return s;
}

/**
 * An Android application id (package name): at least two dot-separated segments, each starting
 * with a letter (developer.android.com, "Configure the app module": applicationId).
 */
export const PACKAGE_NAME = { maxLength: 255, minLength: 3, pattern: /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/, format: 'an Android package name' };
