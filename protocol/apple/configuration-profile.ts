/**
 * The configuration profile envelope (Apple YAML mdm/profiles/TopLevel.yaml and
 * CommonPayloadKeys.yaml): building one (server) and parsing one the way iOS
 * validates it before installing (device).
 *
 * Errors are AppleProfileError with the domain/code iOS reports: unreadable plist → MCProfileErrorDomain
 * 1000, missing required field → 1002, bad field type → 1003, PayloadVersion ≠ 1 → 1001,
 * PayloadType ≠ Configuration → 1010, non-unique payload UUIDs → 1007, non-unique payload
 * identifiers → 1008, IsEncrypted → 1006 (the simulator holds no decryption for profiles).
 *
 * PayloadUUID content is not checked: Apple's TopLevel schema says "The actual content is
 * unimportant", and Apple's own EAS example carries a UUID with a stray apostrophe
 * (appledocs_exchangeactivesync_example.mobileconfig), which is therefore accepted. UUIDs this
 * module builds are always canonical, and references between payloads (IdentityCertificateUUID …)
 * are compared as given.
 */

import { AppleProtocolError } from './errors.js';
import { APPLE_ERRORS } from './errors-catalogue.js';
import { AppleProfileError, withProfileErrors } from './profile-error.js';
import { decodePlist, type DecodePlistOptions } from './plist-codec.js';
import { DictReader } from './plist-read.js';
import type { PlistDict } from './plist-types.js';
import type { ProfileListItem } from './profile-list.js';
import { compact, requireUuid, type ProfilePayload } from './payloads/common.js';

export type { ProfilePayload } from './payloads/common.js';

export const CONFIGURATION_PAYLOAD_TYPE = 'Configuration';
/** Content-Type when a profile is served over HTTP (as micromdm/micromdm mdm/enroll/transport_http.go serves it). */
export const PROFILE_CONTENT_TYPE = 'application/x-apple-aspen-config';

export interface ConfigurationProfileInput {
  identifier: string;
  uuid: string;
  displayName?: string;
  description?: string;
  organization?: string;
  /** Only honoured on supervised iOS devices (TopLevel.yaml). */
  removalDisallowed?: boolean;
  /** Payload dicts built by payloads/*.ts. */
  payloads: PlistDict[];
}

export interface ConfigurationProfile {
  identifier: string;
  uuid: string;
  version: number;
  displayName?: string;
  description?: string;
  organization?: string;
  removalDisallowed: boolean;
  hasRemovalPasscode: boolean;
  payloads: ProfilePayload[];
  /** The whole decoded top-level dict. */
  dict: PlistDict;
}

/** Top-level dict, PayloadType Configuration, PayloadVersion 1 (the format version). */
export function buildConfigurationProfile(input: ConfigurationProfileInput): PlistDict {
  if (input.identifier === '') throw new AppleProtocolError('invalidValue', 'profile PayloadIdentifier must not be empty', { key: 'PayloadIdentifier' });
  requireUuid(input.uuid, 'profile PayloadUUID');
  const uuids = new Set([input.uuid.toUpperCase()]);
  const ids = new Set<string>();
  for (const p of input.payloads) {
    const uuid = String(p.PayloadUUID).toUpperCase();
    const id = String(p.PayloadIdentifier);
    if (uuids.has(uuid)) throw new AppleProtocolError('invalidValue', `PayloadUUID ${p.PayloadUUID} is used twice in the profile`, { key: 'PayloadUUID' });
    if (ids.has(id)) throw new AppleProtocolError('invalidValue', `PayloadIdentifier ${id} is used twice in the profile`, { key: 'PayloadIdentifier' });
    uuids.add(uuid);
    ids.add(id);
  }
  return compact({
    PayloadType: CONFIGURATION_PAYLOAD_TYPE,
    PayloadVersion: 1,
    PayloadIdentifier: input.identifier,
    PayloadUUID: input.uuid,
    PayloadDisplayName: input.displayName,
    PayloadDescription: input.description,
    PayloadOrganization: input.organization,
    PayloadRemovalDisallowed: input.removalDisallowed,
    PayloadContent: input.payloads,
  });
}

/**
 * A signed profile is DER CMS SignedData (starts with a SEQUENCE, 0x30), not `<?xml`
 * (RFC 5652 ContentInfo; fleetdm/fleet server/mdm/apple/mobileconfig/mobileconfig.go detects it the same way). Unwrap it with certs/ first.
 */
export function isSignedProfile(bytes: Uint8Array): boolean {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  return bytes[i] === 0x30;
}

/** Parse and validate a profile (XML bytes/text or an already decoded dict). Throws AppleProfileError. */
export function parseConfigurationProfile(input: Buffer | string | PlistDict, opts?: DecodePlistOptions): ConfigurationProfile {
  let dict: PlistDict;
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    if (Buffer.isBuffer(input) && isSignedProfile(input)) {
      throw new AppleProfileError('malformedProfile', APPLE_ERRORS.profileMalformed, 'the profile is CMS-signed: verify and unwrap the SignedData before parsing');
    }
    try {
      dict = decodePlist(input, opts);
    } catch (err) {
      if (!(err instanceof AppleProtocolError)) throw err;
      throw new AppleProfileError('malformedProfile', APPLE_ERRORS.profileMalformed, `the profile is not a readable XML plist: ${err.message}`, { cause: err });
    }
  } else {
    dict = input;
  }
  return withProfileErrors('profile', () => parseTopLevel(dict));
}

function requiredText(r: DictReader, key: string): string {
  const v = r.string(key);
  if (v === '') throw new AppleProtocolError('missingKey', `${r.context}: ${r.path ? `${r.path}.` : ''}${key} is empty`, { key: r.path ? `${r.path}.${key}` : key });
  return v;
}

function parseTopLevel(dict: PlistDict): ConfigurationProfile {
  const r = new DictReader(dict, '', 'profile');
  const type = r.string('PayloadType');
  if (type !== CONFIGURATION_PAYLOAD_TYPE) {
    throw new AppleProfileError('unsupportedFieldValue', APPLE_ERRORS.profileUnsupportedFieldValue, `profile PayloadType is "${type}", expected Configuration`, {
      field: 'PayloadType',
    });
  }
  const version = r.integer('PayloadVersion');
  if (version !== 1) {
    throw new AppleProfileError('unsupportedProfileVersion', APPLE_ERRORS.profileUnsupportedVersion, `profile PayloadVersion is ${version}, expected 1`, {
      field: 'PayloadVersion',
    });
  }
  const identifier = requiredText(r, 'PayloadIdentifier');
  const uuid = requiredText(r, 'PayloadUUID');
  if (r.optBoolean('IsEncrypted') === true) {
    throw new AppleProfileError('cannotDecrypt', APPLE_ERRORS.profileCannotDecrypt, 'IsEncrypted is true: encrypted profiles (EncryptedPayloadContent) are not supported by the simulated device', {
      field: 'IsEncrypted',
    });
  }
  const profile: ConfigurationProfile = {
    identifier,
    uuid,
    version,
    removalDisallowed: r.optBoolean('PayloadRemovalDisallowed') ?? false,
    hasRemovalPasscode: r.optBoolean('HasRemovalPasscode') ?? false,
    payloads: [],
    dict,
  };
  for (const key of ['PayloadDisplayName', 'PayloadDescription', 'PayloadOrganization'] as const) {
    const v = r.optString(key);
    if (v === undefined) continue;
    if (key === 'PayloadDisplayName') profile.displayName = v;
    else if (key === 'PayloadDescription') profile.description = v;
    else profile.organization = v;
  }
  const items = r.optDictArray('PayloadContent');
  if (items === undefined) r.array('PayloadContent'); // throws missingKey
  const seenUuids = new Map<string, string>([[uuid.toUpperCase(), 'the profile']]);
  const seenIds = new Map<string, string>();
  for (const item of items ?? []) {
    const p = parsePayloadHeader(item);
    const prevUuid = seenUuids.get(p.uuid.toUpperCase());
    if (prevUuid !== undefined) {
      throw new AppleProfileError('nonUniqueUuids', APPLE_ERRORS.profileNonUniqueUuids, `${item.path}.PayloadUUID ${p.uuid} is also the PayloadUUID of ${prevUuid}`, {
        field: `${item.path}.PayloadUUID`,
      });
    }
    const prevId = seenIds.get(p.identifier);
    if (prevId !== undefined) {
      throw new AppleProfileError('nonUniqueIdentifiers', APPLE_ERRORS.profileNonUniqueIdentifiers, `${item.path}.PayloadIdentifier ${p.identifier} is also the PayloadIdentifier of ${prevId}`, {
        field: `${item.path}.PayloadIdentifier`,
      });
    }
    seenUuids.set(p.uuid.toUpperCase(), item.path);
    seenIds.set(p.identifier, item.path);
    profile.payloads.push(p);
  }
  return profile;
}

function parsePayloadHeader(r: DictReader): ProfilePayload {
  const p: ProfilePayload = {
    type: requiredText(r, 'PayloadType'),
    version: r.integer('PayloadVersion'),
    identifier: requiredText(r, 'PayloadIdentifier'),
    uuid: requiredText(r, 'PayloadUUID'),
    dict: r.dict,
  };
  if (p.version !== 1) {
    throw new AppleProfileError('unsupportedProfileVersion', APPLE_ERRORS.payloadUnsupportedVersion, `${r.path}.PayloadVersion is ${p.version}, expected 1`, {
      field: `${r.path}.PayloadVersion`,
    });
  }
  const displayName = r.optString('PayloadDisplayName');
  if (displayName !== undefined) p.displayName = displayName;
  const description = r.optString('PayloadDescription');
  if (description !== undefined) p.description = description;
  const organization = r.optString('PayloadOrganization');
  if (organization !== undefined) p.organization = organization;
  return p;
}

/** Payloads of one type, in profile order. */
export function payloadsOfType(profile: ConfigurationProfile, type: string): ProfilePayload[] {
  return profile.payloads.filter((p) => p.type === type);
}

/** The payload a UUID reference (IdentityCertificateUUID, PayloadCertificateUUID …) points at. */
export function findPayloadByUuid(profile: ConfigurationProfile, uuid: string): ProfilePayload | undefined {
  const want = uuid.toUpperCase();
  return profile.payloads.find((p) => p.uuid.toUpperCase() === want);
}

/** What ProfileList needs of a profile: a parsed one, or the summary a device keeps of an installed one. */
export type ProfileListSource = Pick<
  ConfigurationProfile,
  'identifier' | 'uuid' | 'version' | 'displayName' | 'description' | 'organization' | 'removalDisallowed' | 'hasRemovalPasscode'
> & { payloads: readonly Omit<ProfilePayload, 'dict'>[] };

/** How the device lists an installed profile in its ProfileList answer (Apple YAML mdm/commands/profile.list.yaml). */
export function profileListItemFor(
  profile: ProfileListSource,
  opts: { isManaged?: boolean; signerCertificates?: Buffer[] } = {},
): ProfileListItem {
  const item: ProfileListItem = {
    PayloadIdentifier: profile.identifier,
    PayloadUUID: profile.uuid,
    PayloadVersion: profile.version,
    PayloadRemovalDisallowed: profile.removalDisallowed,
    HasRemovalPasscode: profile.hasRemovalPasscode,
    IsEncrypted: false,
    PayloadContent: profile.payloads.map((p) => {
      const c: NonNullable<ProfileListItem['PayloadContent']>[number] = {
        PayloadType: p.type,
        PayloadVersion: p.version,
        PayloadIdentifier: p.identifier,
        PayloadUUID: p.uuid,
      };
      if (p.displayName !== undefined) c.PayloadDisplayName = p.displayName;
      if (p.description !== undefined) c.PayloadDescription = p.description;
      if (p.organization !== undefined) c.PayloadOrganization = p.organization;
      return c;
    }),
  };
  if (profile.displayName !== undefined) item.PayloadDisplayName = profile.displayName;
  if (profile.organization !== undefined) item.PayloadOrganization = profile.organization;
  if (profile.description !== undefined) item.PayloadDescription = profile.description;
  if (opts.isManaged !== undefined) item.IsManaged = opts.isManaged;
  if (opts.signerCertificates !== undefined) item.SignerCertificates = opts.signerCertificates;
  return item;
}
