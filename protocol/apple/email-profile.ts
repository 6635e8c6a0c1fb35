/**
 * iOS email profiles, both directions of the mapping in docs/email-profiles.md ("Where each
 * setting lands", iOS) and Apple YAML mdm/profiles/com.apple.eas.account.yaml:
 *
 * | email profile setting          | com.apple.eas.account key                                      |
 * |--------------------------------|----------------------------------------------------------------|
 * | host                           | Host                                                           |
 * | (user's address)               | EmailAddress                                                   |
 * | (user's name)                  | UserName                                                       |
 * | accountName                    | PayloadDisplayName (the EAS schema has no account-name key)    |
 * | useSsl                         | SSL                                                            |
 * | daysToSync (unlimited → 0)     | MailNumberOfPastDaysToSync                                     |
 * | authMethod certificate         | PayloadCertificateUUID → the auth SCEP payload's PayloadUUID   |
 * | useSmime                       | SMIMESigningEnabled + SMIMESigningCertificateUUID → signing SCEP |
 * | allowSendFromThirdPartyApps    | PreventAppSheet = not allowSendFromThirdPartyApps              |
 * | contentTypes email/contacts/calendar/tasks/notes | EnableMail/Contacts/Calendars/Reminders/Notes |
 *
 * Never a Password: the user types it when the account first connects (docs/email-profiles.md).
 *
 * Our profile version is not written into any Apple key (PayloadVersion is Apple's format version,
 * always 1): the caller derives the PayloadUUIDs from (profile id, version), e.g. with
 * emailProfileUuids(), so a new version replaces the payloads on the device (Apple YAML
 * mdm/profiles/TopLevel.yaml, CommonPayloadKeys.yaml: payloads with the same identifier and UUID are
 * updated in place).
 */

import { createHash } from 'node:crypto';
import type { ContentType } from '../admin/email-profile-settings.js';
import type { EmailProfileDefinition } from '../admin/email-profile-validation.js';
import { AppleProtocolError } from './errors.js';
import { buildConfigurationProfile } from './configuration-profile.js';
import type { PlistDict } from './plist-types.js';
import { buildEasPayload, type EasPayload } from './payloads/eas-account.js';
import { buildScepPayload, type ScepKeySize, type ScepSubject } from './payloads/scep.js';

export const EMAIL_PROFILE_IDENTIFIER_PREFIX = 'com.mdmlab.email.';
const PROFILE_ID_RE = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

/** Top-level PayloadIdentifier of the email profile `profileId`: `com.mdmlab.email.<profileId>`. */
export function emailProfileIdentifier(profileId: string): string {
  if (!PROFILE_ID_RE.test(profileId)) {
    throw new AppleProtocolError('invalidValue', `profile id "${profileId}" cannot be part of a PayloadIdentifier`, { key: 'profileId' });
  }
  return `${EMAIL_PROFILE_IDENTIFIER_PREFIX}${profileId}`;
}

/** The profile id in an identifier made by emailProfileIdentifier, or undefined for any other identifier. */
export function profileIdFromIdentifier(identifier: string): string | undefined {
  if (!identifier.startsWith(EMAIL_PROFILE_IDENTIFIER_PREFIX)) return undefined;
  const id = identifier.slice(EMAIL_PROFILE_IDENTIFIER_PREFIX.length);
  return PROFILE_ID_RE.test(id) ? id : undefined;
}

export interface EmailProfileScep {
  url: string;
  challenge: string;
  subject: ScepSubject;
  keysize: ScepKeySize;
  name?: string;
  /** Default: 5 (sign + encrypt) for the authentication identity, 1 (sign) for the S/MIME one. */
  keyUsage?: number;
}

export interface EmailProfileUuids {
  profile: string;
  eas: string;
  /** Required when authMethod is certificate. */
  scepAuth?: string;
  /** Required when useSmime. */
  scepSigning?: string;
}

export interface EmailProfileInput {
  profileId: string;
  /** Our profile version: carried by the UUIDs the caller derives, not written (see file comment). */
  version: number;
  definition: EmailProfileDefinition;
  user: { email: string; username: string };
  uuids: EmailProfileUuids;
  /** Required exactly when definition.authMethod is 'certificate'. */
  scepForAuth?: EmailProfileScep;
  /** Required exactly when definition.useSmime. */
  scepForSigning?: EmailProfileScep;
  organization?: string;
}

const CONTENT_TO_SERVICE: ReadonlyArray<readonly [ContentType, 'mail' | 'contacts' | 'calendars' | 'reminders' | 'notes']> = [
  ['email', 'mail'],
  ['contacts', 'contacts'],
  ['calendar', 'calendars'],
  ['tasks', 'reminders'],
  ['notes', 'notes'],
];

function invalid(key: string, message: string): AppleProtocolError {
  return new AppleProtocolError('invalidValue', `email profile: ${message}`, { key });
}

/**
 * The configuration profile for one user's device. Content types may be empty: the profile is then
 * built anyway and the device refuses it (21009), which is the behaviour to reproduce.
 */
export function buildEmailProfile(input: EmailProfileInput): PlistDict {
  const { definition: def, uuids } = input;
  if (def.platform !== 'ios') throw invalid('platform', `platform is ${def.platform}, only ios profiles become configuration profiles`);
  if (!Number.isSafeInteger(input.version) || input.version < 1) throw invalid('version', `version ${input.version} must be a positive integer`);
  const certificateAuth = def.authMethod === 'certificate';
  const smime = def.useSmime === true;
  if (certificateAuth !== (input.scepForAuth !== undefined)) throw invalid('scepForAuth', 'scepForAuth is required exactly when authMethod is certificate');
  if (certificateAuth !== (uuids.scepAuth !== undefined)) throw invalid('uuids.scepAuth', 'uuids.scepAuth is required exactly when authMethod is certificate');
  if (smime !== (input.scepForSigning !== undefined)) throw invalid('scepForSigning', 'scepForSigning is required exactly when useSmime is true');
  if (smime !== (uuids.scepSigning !== undefined)) throw invalid('uuids.scepSigning', 'uuids.scepSigning is required exactly when useSmime is true');

  const identifier = emailProfileIdentifier(input.profileId);
  const payloads: PlistDict[] = [];
  if (input.scepForAuth && uuids.scepAuth) {
    payloads.push(scepPayload(`${identifier}.scep.auth`, uuids.scepAuth, 'Exchange identity', input.scepForAuth, 5, input.organization));
  }
  if (input.scepForSigning && uuids.scepSigning) {
    payloads.push(scepPayload(`${identifier}.scep.signing`, uuids.scepSigning, 'S/MIME signing identity', input.scepForSigning, 1, input.organization));
  }
  const types = new Set(def.contentTypes ?? CONTENT_TO_SERVICE.map(([t]) => t));
  const enabled = { mail: false, contacts: false, calendars: false, reminders: false, notes: false };
  for (const [type, service] of CONTENT_TO_SERVICE) enabled[service] = types.has(type);
  payloads.push(
    buildEasPayload({
      identifier: `${identifier}.eas`,
      uuid: uuids.eas,
      displayName: def.accountName,
      organization: input.organization,
      host: def.host,
      email: input.user.email,
      username: input.user.username,
      ssl: def.useSsl,
      daysToSync: def.daysToSync === 'unlimited' ? 0 : def.daysToSync,
      certificateUuid: certificateAuth ? uuids.scepAuth : undefined,
      smimeSigningEnabled: smime,
      smimeSigningCertificateUuid: smime ? uuids.scepSigning : undefined,
      preventAppSheet: !(def.allowSendFromThirdPartyApps ?? true),
      enabled,
    }),
  );
  return buildConfigurationProfile({
    identifier,
    uuid: uuids.profile,
    displayName: def.name,
    description: def.description,
    organization: input.organization,
    payloads,
  });
}

function scepPayload(identifier: string, uuid: string, displayName: string, s: EmailProfileScep, defaultUsage: number, organization?: string): PlistDict {
  return buildScepPayload({
    identifier,
    uuid,
    displayName,
    organization,
    url: s.url,
    name: s.name,
    challenge: s.challenge,
    subject: s.subject,
    keysize: s.keysize,
    keyUsage: s.keyUsage ?? defaultUsage,
  });
}

// A fixed namespace for mdmlab's name-based UUIDs (RFC 9562 §5.5, version 5).
const MDMLAB_UUID_NAMESPACE = Buffer.from('6b1f3c2e9d4a4e7b8f0a1c2d3e4f5a6b', 'hex');

/** RFC 9562 version 5 (SHA-1, name-based) UUID: deterministic, so pure. */
export function nameBasedUuid(name: string): string {
  const h = createHash('sha1').update(MDMLAB_UUID_NAMESPACE).update(name, 'utf8').digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex').toUpperCase();
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** UUIDs for version `version` of email profile `profileId`; a new version gives new UUIDs. */
export function emailProfileUuids(
  profileId: string,
  version: number,
  opts: { certificateAuth?: boolean; smime?: boolean } = {},
): EmailProfileUuids {
  const base = `email/${profileId}/${version}`;
  const out: EmailProfileUuids = { profile: nameBasedUuid(`${base}/profile`), eas: nameBasedUuid(`${base}/eas`) };
  if (opts.certificateAuth) out.scepAuth = nameBasedUuid(`${base}/scep-auth`);
  if (opts.smime) out.scepSigning = nameBasedUuid(`${base}/scep-signing`);
  return out;
}

/**
 * An installed EAS payload in the vocabulary of the device's mail store (agents/core/mail-account.ts
 * MailAccountSettings: same field names; defined here because protocol/ never imports agents/).
 */
export interface EasAccountSettings {
  accountName: string;
  username: string;
  daysToSync: number | 'unlimited';
  useSsl: boolean;
  contentTypes: ContentType[];
  authMethod: 'password' | 'certificate';
  useSmime: boolean;
  allowSendFromThirdPartyApps: boolean;
}

export function easPayloadToAccountSettings(eas: EasPayload): EasAccountSettings {
  return {
    accountName: eas.accountName,
    username: eas.username,
    daysToSync: eas.daysToSync,
    useSsl: eas.ssl,
    contentTypes: CONTENT_TO_SERVICE.filter(([, service]) => eas.enabled[service]).map(([type]) => type),
    authMethod: eas.certificateUuid !== undefined ? 'certificate' : 'password',
    useSmime: eas.smimeSigningEnabled,
    allowSendFromThirdPartyApps: !eas.preventAppSheet,
  };
}
