/** Shared helpers for the payload decoder tests: enrollment payloads to mutate, an EAS payload, error capture. */

import { buildEnrollmentProfile } from '../../../../protocol/apple/enrollment-profile.js';
import { buildEasPayload } from '../../../../protocol/apple/payloads/eas-account.js';
import { decodePlist, encodePlist } from '../../../../protocol/apple/plist-codec.js';
import type { PlistDict } from '../../../../protocol/apple/plist-types.js';
import { AppleProfileError, type AppleErrorReport } from '../../../../protocol/apple/profile-error.js';
import { enrollmentInput } from '../fixtures.js';

export function appleError(f: () => unknown): AppleErrorReport & { field: string | undefined } {
  try {
    f();
  } catch (err) {
    if (err instanceof AppleProfileError) return { ...err.apple, field: err.field };
    throw err;
  }
  throw new Error('expected an AppleProfileError');
}


export const payloads = (): PlistDict[] => decodePlist(encodePlist(buildEnrollmentProfile(enrollmentInput))).PayloadContent as PlistDict[];
export const root = (): PlistDict => payloads()[0] as PlistDict;
export const scep = (): PlistDict => payloads()[1] as PlistDict;
export const mdm = (): PlistDict => payloads()[2] as PlistDict;
/** The enrollment SCEP payload with `patch` applied to its PayloadContent dict (undefined deletes). */
export const scepContent = (patch: Record<string, unknown>): PlistDict => {
  const p = scep();
  return { ...p, PayloadContent: patched(p.PayloadContent as PlistDict, patch) };
};

export const eas = (): PlistDict =>
  buildEasPayload({
    identifier: 'x.eas',
    uuid: 'A1B2C3D4-0000-4000-8000-000000000002',
    displayName: 'Work',
    host: 'mail.example.com',
    email: 'a@example.com',
    username: 'a',
    ssl: true,
    daysToSync: 7,
    smimeSigningEnabled: false,
    preventAppSheet: false,
    enabled: { mail: true, contacts: true, calendars: true, reminders: true, notes: true },
  });

/** `base` with `patch` applied; a patch value of undefined deletes the key. */
export function patched(base: PlistDict, patch: Record<string, unknown>): PlistDict {
  const out: PlistDict = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k];
    else out[k] = v as PlistDict[string];
  }
  return out;
}
