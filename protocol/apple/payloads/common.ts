/**
 * Keys every payload carries (Apple YAML mdm/profiles/CommonPayloadKeys.yaml): PayloadType,
 * PayloadVersion (1: the payload format version, not ours), PayloadIdentifier (unique within the
 * profile), PayloadUUID (globally unique), optional PayloadDisplayName/Description/Organization.
 */

import { AppleProtocolError } from '../errors.js';
import { APPLE_ERRORS } from '../errors-catalogue.js';
import { AppleProfileError } from '../profile-error.js';
import { DictReader } from '../plist-read.js';
import { isPlistDict, type PlistDict, type PlistValue } from '../plist-types.js';

/** What a builder needs for the common keys of one payload. */
export interface PayloadHeaderInput {
  identifier: string;
  uuid: string;
  displayName?: string;
  description?: string;
  organization?: string;
}

/** One payload of a parsed profile: its common keys, typed, and the whole payload dict. */
export interface ProfilePayload {
  type: string;
  version: number;
  identifier: string;
  uuid: string;
  displayName?: string;
  description?: string;
  organization?: string;
  dict: PlistDict;
}

/** Canonical UUID text (the form the YAML's PayloadCertificateUUID format allows). */
export const UUID_RE = /^[0-9A-Za-z]{8}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{12}$/;

/** Builders refuse UUIDs that are not in UUID form: the references between payloads need them. */
export function requireUuid(uuid: string, what: string): string {
  if (!UUID_RE.test(uuid)) throw new AppleProtocolError('invalidValue', `${what} "${uuid}" is not a UUID`, { key: what });
  return uuid;
}

/** Drop undefined members so the result is a PlistDict. */
export function compact(obj: Record<string, PlistValue | undefined>): PlistDict {
  const out: PlistDict = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out;
}

/** The common keys of a payload of `type`, PayloadVersion 1. */
export function payloadHeader(type: string, h: PayloadHeaderInput): PlistDict {
  if (h.identifier === '') throw new AppleProtocolError('invalidValue', `${type}: PayloadIdentifier must not be empty`, { key: 'PayloadIdentifier' });
  requireUuid(h.uuid, `${type} PayloadUUID`);
  return compact({
    PayloadType: type,
    PayloadVersion: 1,
    PayloadIdentifier: h.identifier,
    PayloadUUID: h.uuid,
    PayloadDisplayName: h.displayName,
    PayloadDescription: h.description,
    PayloadOrganization: h.organization,
  });
}

/** Accept a parsed ProfilePayload or a bare payload dict. */
export function payloadDict(p: ProfilePayload | PlistDict): PlistDict {
  const maybe = p as Partial<ProfilePayload>;
  if (typeof maybe.type === 'string' && isPlistDict(maybe.dict) && !Object.hasOwn(p, 'PayloadType')) return maybe.dict;
  return p as PlistDict;
}

/** Reader for a payload of the expected type; a payload of another type is refused (2004). */
export function payloadReader(p: ProfilePayload | PlistDict, expectedType: string): DictReader {
  const dict = payloadDict(p);
  const type = dict.PayloadType;
  if (Object.hasOwn(dict, 'PayloadType') && type !== expectedType) {
    throw new AppleProfileError(
      'unsupportedFieldValue',
      APPLE_ERRORS.payloadUnsupportedFieldValue,
      `expected a ${expectedType} payload, found ${typeof type === 'string' ? type : 'a PayloadType that is not a string'}`,
      { field: 'PayloadType' },
    );
  }
  return new DictReader(dict, '', `${expectedType} payload`);
}
