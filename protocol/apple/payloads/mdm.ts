/**
 * com.apple.mdm: enrols the device with the MDM server (Apple YAML mdm/profiles/com.apple.mdm.yaml;
 * Apple MDM Protocol Reference, "Structure of MDM Payloads"). IdentityCertificateUUID points at the
 * SCEP payload whose identity the device uses for TLS and for the Mdm-Signature header (SignMessage:
 * a detached CMS signature over the body).
 *
 * Decoding applies the rules the YAML states: Topic starts with `com.apple.mgmt.`, ServerURL and
 * CheckInURL are https, AccessRights is not 0, 2 requires 1 and 128 requires 64 (iOS reports bad
 * rights as MCMDMErrorDomain 12000).
 */

import { AppleProtocolError } from '../errors.js';
import { APPLE_ERRORS } from '../errors-catalogue.js';
import { AppleProfileError, withProfileErrors } from '../profile-error.js';
import { isString } from '../plist-read.js';
import type { PlistDict } from '../plist-types.js';
import { compact, payloadHeader, payloadReader, requireUuid, type PayloadHeaderInput, type ProfilePayload } from './common.js';

export const MDM_PAYLOAD_TYPE = 'com.apple.mdm';
export const MDM_TOPIC_PREFIX = 'com.apple.mgmt.';

/** AccessRights bits (YAML com.apple.mdm AccessRights). */
export const ACCESS_RIGHTS = {
  inspectProfiles: 1,
  installRemoveProfiles: 2,
  lockAndPasscode: 4,
  erase: 8,
  queryDeviceInformation: 16,
  queryNetworkInformation: 32,
  inspectProvisioningProfiles: 64,
  installRemoveProvisioningProfiles: 128,
  inspectApplications: 256,
  restrictionQueries: 512,
  securityQueries: 1024,
  settings: 2048,
  appManagement: 4096,
} as const;
export const ALL_ACCESS_RIGHTS = 8191;

export interface MdmSettings {
  serverUrl: string;
  checkInUrl?: string;
  topic: string;
  signMessage?: boolean;
  accessRights?: number;
  checkOutWhenRemoved?: boolean;
  useDevelopmentApns?: boolean;
  serverCapabilities?: string[];
}

export interface MdmPayloadInput extends PayloadHeaderInput, MdmSettings {
  identityCertificateUuid: string;
  /**
   * Lab mode: accept http:// server URLs. Real iOS requires https (com.apple.mdm.yaml ServerURL);
   * mdmlab's own devices accept http only when told to, so plain-HTTP lab servers stay usable.
   */
  allowHttp?: boolean;
}

const urlOk = (url: string, allowHttp: boolean | undefined): boolean => url.startsWith('https://') || (allowHttp === true && url.startsWith('http://'));

/** A decoded MDM payload with Apple's defaults applied. */
export interface MdmPayload {
  identityCertificateUuid: string;
  topic: string;
  serverUrl: string;
  checkInUrl?: string;
  signMessage: boolean;
  accessRights: number;
  checkOutWhenRemoved: boolean;
  useDevelopmentApns: boolean;
  serverCapabilities: string[];
}

/** Why `rights` is not acceptable, or undefined when it is. */
export function accessRightsProblem(rights: number): string | undefined {
  if (!Number.isInteger(rights) || rights <= 0 || rights > ALL_ACCESS_RIGHTS) return `AccessRights ${rights} must be between 1 and ${ALL_ACCESS_RIGHTS}`;
  if (rights & 2 && !(rights & 1)) return 'AccessRights 2 (install/remove profiles) requires 1 (inspect profiles)';
  if (rights & 128 && !(rights & 64)) return 'AccessRights 128 (install/remove provisioning profiles) requires 64';
  return undefined;
}

export function buildMdmPayload(input: MdmPayloadInput): PlistDict {
  requireUuid(input.identityCertificateUuid, 'IdentityCertificateUUID');
  if (!input.topic.startsWith(MDM_TOPIC_PREFIX) || input.topic.length === MDM_TOPIC_PREFIX.length) {
    throw new AppleProtocolError('invalidValue', `Topic "${input.topic}" must start with ${MDM_TOPIC_PREFIX}`, { key: 'Topic' });
  }
  for (const [key, url] of [['ServerURL', input.serverUrl], ['CheckInURL', input.checkInUrl]] as const) {
    if (url !== undefined && !urlOk(url, input.allowHttp)) throw new AppleProtocolError('invalidValue', `${key} "${url}" must be https`, { key });
  }
  const rights = input.accessRights ?? ALL_ACCESS_RIGHTS;
  const problem = accessRightsProblem(rights);
  if (problem) throw new AppleProtocolError('invalidValue', problem, { key: 'AccessRights' });
  return {
    ...payloadHeader(MDM_PAYLOAD_TYPE, input),
    ...compact({
      IdentityCertificateUUID: input.identityCertificateUuid,
      Topic: input.topic,
      ServerURL: input.serverUrl,
      CheckInURL: input.checkInUrl,
      SignMessage: input.signMessage,
      AccessRights: rights,
      CheckOutWhenRemoved: input.checkOutWhenRemoved,
      UseDevelopmentAPNS: input.useDevelopmentApns,
      ServerCapabilities: input.serverCapabilities,
    }),
  };
}

/** Throws AppleProfileError: MCPayloadErrorDomain for keys, MCMDMErrorDomain 12000 for access rights. */
export function decodeMdmPayload(payload: ProfilePayload | PlistDict, opts: { allowHttp?: boolean } = {}): MdmPayload {
  return withProfileErrors('payload', () => {
    const r = payloadReader(payload, MDM_PAYLOAD_TYPE);
    const topic = r.nonEmptyString('Topic');
    if (!topic.startsWith(MDM_TOPIC_PREFIX)) throw r.invalid('Topic', `must start with ${MDM_TOPIC_PREFIX}`);
    const serverUrl = r.nonEmptyString('ServerURL');
    if (!urlOk(serverUrl, opts.allowHttp)) throw r.invalid('ServerURL', 'must be an https URL');
    const checkInUrl = r.optString('CheckInURL');
    if (checkInUrl !== undefined && !urlOk(checkInUrl, opts.allowHttp)) throw r.invalid('CheckInURL', 'must be an https URL');
    const accessRights = r.integer('AccessRights');
    const problem = accessRightsProblem(accessRights);
    if (problem) throw new AppleProfileError('invalidAccessRights', APPLE_ERRORS.mdmInvalidAccessRights, problem, { field: 'AccessRights' });
    const out: MdmPayload = {
      identityCertificateUuid: r.nonEmptyString('IdentityCertificateUUID'),
      topic,
      serverUrl,
      signMessage: r.optBoolean('SignMessage') ?? false,
      accessRights,
      checkOutWhenRemoved: r.optBoolean('CheckOutWhenRemoved') ?? false,
      useDevelopmentApns: r.optBoolean('UseDevelopmentAPNS') ?? false,
      serverCapabilities: r.optTypedArray('ServerCapabilities', 'a string', isString) ?? [],
    };
    if (checkInUrl !== undefined) out.checkInUrl = checkInUrl;
    return out;
  });
}
