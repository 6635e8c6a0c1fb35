/**
 * The MDM enrollment profile the server hands out (Apple YAML mdm/profiles/com.apple.mdm.yaml and
 * com.apple.security.scep.yaml; MicroMDM's generated
 * profile is the model: com.apple.mdm with SignMessage, AccessRights 8191, CheckOutWhenRemoved, a
 * SCEP payload with RSA 2048 and Key Usage 5, micromdm/micromdm:mdm/enroll/service.go).
 *
 * Payloads, in install order: com.apple.security.root (the mdmlab CA, so the device trusts the
 * server and SCEP), com.apple.security.scep (the device identity), com.apple.mdm whose
 * IdentityCertificateUUID is the SCEP payload's PayloadUUID.
 */

import { buildConfigurationProfile } from './configuration-profile.js';
import type { PlistDict } from './plist-types.js';
import { buildMdmPayload, ALL_ACCESS_RIGHTS, type MdmPayloadInput, type MdmSettings } from './payloads/mdm.js';
import { buildRootCertificatePayload } from './payloads/root-certificate.js';
import { buildScepPayload, type ScepKeySize, type ScepSubject } from './payloads/scep.js';

export interface EnrollmentProfileInput {
  /** Top-level PayloadIdentifier, e.g. `com.mdmlab.enroll`. Payload identifiers append `.root`, `.scep`, `.mdm`. */
  identifier: string;
  /** Passed in (protocol/ has no randomness). */
  uuids: { profile: string; root: string; scep: string; mdm: string };
  displayName: string;
  organization?: string;
  description?: string;
  /** The CA certificate (DER) for com.apple.security.root. */
  caCertDer: Buffer;
  scep: {
    url: string;
    challenge: string;
    /** Apple's array-of-RDN form: [[['O', 'mdmlab']], [['CN', 'device']]]. */
    subject: ScepSubject;
    /** Default 2048. */
    keysize?: ScepKeySize;
    name?: string;
    /** Default 5 (signing | encryption). */
    keyUsage?: number;
  };
  /** com.apple.mdm settings (defaults: SignMessage true, AccessRights 8191, CheckOutWhenRemoved true). */
  mdm: MdmSettings & Pick<MdmPayloadInput, 'allowHttp'>;
}

export function buildEnrollmentProfile(input: EnrollmentProfileInput): PlistDict {
  const { identifier, uuids, organization } = input;
  const root = buildRootCertificatePayload({
    identifier: `${identifier}.root`,
    uuid: uuids.root,
    displayName: 'Root certificate',
    organization,
    certificateDer: input.caCertDer,
    fileName: 'mdmlab-ca.cer',
  });
  const scep = buildScepPayload({
    identifier: `${identifier}.scep`,
    uuid: uuids.scep,
    displayName: 'Device identity',
    organization,
    url: input.scep.url,
    name: input.scep.name,
    challenge: input.scep.challenge,
    subject: input.scep.subject,
    keysize: input.scep.keysize ?? 2048,
    keyUsage: input.scep.keyUsage ?? 5,
  });
  const mdm = buildMdmPayload({
    identifier: `${identifier}.mdm`,
    uuid: uuids.mdm,
    displayName: 'Device management',
    organization,
    identityCertificateUuid: uuids.scep,
    topic: input.mdm.topic,
    serverUrl: input.mdm.serverUrl,
    checkInUrl: input.mdm.checkInUrl,
    signMessage: input.mdm.signMessage ?? true,
    accessRights: input.mdm.accessRights ?? ALL_ACCESS_RIGHTS,
    checkOutWhenRemoved: input.mdm.checkOutWhenRemoved ?? true,
    useDevelopmentApns: input.mdm.useDevelopmentApns,
    serverCapabilities: input.mdm.serverCapabilities,
    allowHttp: input.mdm.allowHttp,
  });
  return buildConfigurationProfile({
    identifier,
    uuid: uuids.profile,
    displayName: input.displayName,
    description: input.description,
    organization,
    payloads: [root, scep, mdm],
  });
}
