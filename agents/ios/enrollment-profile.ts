import { isCertsError } from '../../certs/errors.js';
import { findPayloadByUuid, parseConfigurationProfile, payloadsOfType, type ConfigurationProfile } from '../../protocol/apple/configuration-profile.js';
import type { ProfilePayload } from '../../protocol/apple/payloads/common.js';
import { decodeMdmPayload, MDM_PAYLOAD_TYPE, type MdmPayload } from '../../protocol/apple/payloads/mdm.js';
import { decodeRootCertificatePayload, ROOT_CERTIFICATE_PAYLOAD_TYPE } from '../../protocol/apple/payloads/root-certificate.js';
import { decodeScepPayload, SCEP_PAYLOAD_TYPE, type ScepPayload } from '../../protocol/apple/payloads/scep.js';
import { isAppleProfileError } from '../../protocol/apple/profile-error.js';
import { IosDeviceError } from './errors.js';
import { unwrapProfile } from './signed-profile.js';

/**
 * The enrollment profile the user downloads and installs (notes/apple.md §2.7): exactly one
 * com.apple.mdm payload whose IdentityCertificateUUID names a com.apple.security.scep payload of
 * the same profile, plus any com.apple.security.root certificates (the lab CA). Anything else
 * makes enrollment fail with IosDeviceError('badEnrollmentProfile') naming the problem.
 */
export interface EnrollmentProfilePlan {
  profile: ConfigurationProfile;
  signerCertDer: Buffer | undefined;
  mdm: MdmPayload;
  scepPayload: ProfilePayload;
  scep: ScepPayload;
  roots: { payload: ProfilePayload; certDer: Buffer }[];
}

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
    const scepPayload = findPayloadByUuid(profile, mdm.identityCertificateUuid);
    if (!scepPayload || scepPayload.type !== SCEP_PAYLOAD_TYPE) {
      throw bad(`IdentityCertificateUUID ${mdm.identityCertificateUuid} does not name a ${SCEP_PAYLOAD_TYPE} payload of the profile`);
    }
    const scep = decodeScepPayload(scepPayload);
    const roots = payloadsOfType(profile, ROOT_CERTIFICATE_PAYLOAD_TYPE).map((payload) => ({
      payload,
      certDer: decodeRootCertificatePayload(payload).certificateDer,
    }));
    return { profile, signerCertDer, mdm, scepPayload, scep, roots };
  } catch (err) {
    if (err instanceof IosDeviceError) throw err;
    if (isAppleProfileError(err)) throw bad(`${err.apple.domain} ${err.apple.code}: ${err.apple.description}`, err);
    throw err;
  }
}
