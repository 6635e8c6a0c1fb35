import { anySigner, verifyCms } from '../../certs/cms-verify.js';
import { isSignedProfile } from '../../protocol/apple/configuration-profile.js';

/**
 * A configuration profile as it arrives (InstallProfile Payload, enrollment download): XML, or DER
 * CMS SignedData with the XML attached (RFC 5652; micromdm/micromdm
 * pkg/crypto/profileutil/sign.go). A signed one must verify (the signature over the content, RFC
 * 5652 §5.6); the signer then stays with the installed profile, since only the same signer may
 * replace it (MCInstallationErrorDomain 4008).
 *
 * Like iOS, an unsigned profile is accepted, and a signer the device does not trust is not an
 * error (iOS installs it and shows "Not Verified"): only a signature that does not verify is.
 */
export interface UnwrappedProfile {
  content: Buffer;
  signerCertDer?: Buffer;
}

/** Throws CertsError when the bytes look signed and the signature does not verify. */
export function unwrapProfile(bytes: Buffer): UnwrappedProfile {
  if (!isSignedProfile(bytes)) return { content: bytes };
  const verified = verifyCms(bytes, { acceptSigner: anySigner });
  return { content: verified.content, signerCertDer: verified.signerCertificate };
}
