import type { CertificateAuthority } from '../../certs/authority.js';
import { signCms } from '../../certs/cms-signed.js';

/**
 * Configuration profiles leave the server signed (CMS SignedData with the profile attached, RFC 5652;
 * micromdm/micromdm pkg/crypto/profileutil/sign.go signs them the same way) by the CA, so `openssl cms -verify -CAfile ca.pem` and devices that trust
 * the CA see them as verified. Replacements stay signed by the same signer (iOS 4008 otherwise).
 */
export function signProfile(ca: CertificateAuthority, xml: string): Buffer {
  return signCms({ content: Buffer.from(xml, 'utf8'), detached: false, signerCertDer: ca.certDer, signerKey: ca.privateKey });
}
