import { isCertsError } from '../../certs/errors.js';
import { findPayloadByUuid, parseConfigurationProfile, payloadsOfType, type ConfigurationProfile } from '../../protocol/apple/configuration-profile.js';
import type { ProfilePayload } from '../../protocol/apple/payloads/common.js';
import { decodeMdmPayload, MDM_PAYLOAD_TYPE, type MdmPayload } from '../../protocol/apple/payloads/mdm.js';
import { decodePkcs12Payload, PKCS12_PAYLOAD_TYPE, type Pkcs12Payload } from '../../protocol/apple/payloads/pkcs12.js';
import { decodeRootCertificatePayload, ROOT_CERTIFICATE_PAYLOAD_TYPE } from '../../protocol/apple/payloads/root-certificate.js';
import { decodeScepPayload, SCEP_PAYLOAD_TYPE, type ScepPayload } from '../../protocol/apple/payloads/scep.js';
import { isAppleProfileError } from '../../protocol/apple/profile-error.js';
import { IosDeviceError } from './errors.js';
import { unwrapProfile } from './signed-profile.js';

/**
 * The enrollment profile the user downloads and installs (Apple MDM Protocol Reference, "Structure
 * of MDM Payloads"; Apple YAML mdm/profiles): exactly one com.apple.mdm payload whose
 * IdentityCertificateUUID names a certificate payload of the same profile — a
 * com.apple.security.scep payload (the device enrolls a key with the SCEP server) or a
 * com.apple.security.pkcs12 one (the identity comes in the profile; com.apple.mdm.yaml: "The UUID
 * of the certificate payload for the device's identity. It may also point to a SCEP payload.") —
 * plus any com.apple.security.root certificates (the lab CA). Anything else makes enrollment fail
 * with IosDeviceError('badEnrollmentProfile') naming the problem.
 */
export interface EnrollmentProfilePlan {
  profile: ConfigurationProfile;
  signerCertDer: Buffer | undefined;
  mdm: MdmPayload;
  identity: IdentityPayload;
  roots: { payload: ProfilePayload; certDer: Buffer }[];
}

/** Where the device's MDM identity comes from. */
export type IdentityPayload = { payload: ProfilePayload } & ({ kind: 'scep'; scep: ScepPayload } | { kind: 'pkcs12'; pkcs12: Pkcs12Payload });

function bad(message: string, cause?: unknown): IosDeviceError {
  return new IosDeviceError('badEnrollmentProfile', `enrollment profile: ${message}`, cause === undefined ? {} : { cause });
}

/** `allowHttp`: lab mode, accept http:// ServerURL / CheckInURL (real iOS requires https). */
export function readEnrollmentProfile(bytes: Buffer, opts: { allowHttp?: boolean } = {}): EnrollmentProfilePlan {
  let content: Buffer;
  let signerCertDer: Buffer | undefined;
  try {
    ({ content, signerCertDer } = unwrapProfile(bytes));
  } catch (err) {
    throw bad(`the signature does not verify (${isCertsError(err) ? err.message : String(err)})`, err);
  }
  try {
    const profile = parseConfigurationProfile(content);
    const mdmPayloads = payloadsOfType(profile, MDM_PAYLOAD_TYPE);
    if (mdmPayloads.length !== 1) throw bad(`expected one ${MDM_PAYLOAD_TYPE} payload, found ${mdmPayloads.length}`);
    const mdm = decodeMdmPayload(mdmPayloads[0]!, { allowHttp: opts.allowHttp === true });
    const identityPayload = findPayloadByUuid(profile, mdm.identityCertificateUuid);
    let identity: IdentityPayload;
    if (identityPayload?.type === SCEP_PAYLOAD_TYPE) identity = { kind: 'scep', payload: identityPayload, scep: decodeScepPayload(identityPayload) };
    else if (identityPayload?.type === PKCS12_PAYLOAD_TYPE) identity = { kind: 'pkcs12', payload: identityPayload, pkcs12: decodePkcs12Payload(identityPayload) };
    else {
      const found = identityPayload ? `names a ${identityPayload.type} payload` : 'names no payload of the profile';
      throw bad(`IdentityCertificateUUID ${mdm.identityCertificateUuid} ${found}; the identity must be a ${SCEP_PAYLOAD_TYPE} or ${PKCS12_PAYLOAD_TYPE} payload`);
    }
    const roots = payloadsOfType(profile, ROOT_CERTIFICATE_PAYLOAD_TYPE).map((payload) => ({
      payload,
      certDer: decodeRootCertificatePayload(payload).certificateDer,
    }));
    return { profile, signerCertDer, mdm, identity, roots };
  } catch (err) {
    if (err instanceof IosDeviceError) throw err;
    if (isAppleProfileError(err)) throw bad(`${err.apple.domain} ${err.apple.code}: ${err.apple.description}`, err);
    throw err;
  }
}
