import { verifyCms, type CmsLimits, type SignerPolicy, type VerifiedCms } from '../../certs/cms-verify.js';
import { CertsError, isCertsError } from '../../certs/errors.js';
import { ProtocolError } from '../errors/protocol-error.js';
import type { IssuedCertificateRecord } from '../store/records.js';
import type { AppleContext } from './apple-context.js';

export interface DeviceIdentity {
  certDer: Buffer;
  fingerprint: string;
  issued: IssuedCertificateRecord;
}

const CACHE_LIMIT = 50_000;

/**
 * The Mdm-Signature a device sends is about 2 KB of base64: one SignerInfo and the identity
 * certificate (an RSA-4096 one with its chain stays under 6 KB). 8 KiB leaves room and keeps a
 * hostile header well inside Node's 16 KiB for all headers.
 */
export const SIGNATURE_HEADER_LIMIT = 8 * 1024;
const SIGNATURE_LIMITS: CmsLimits = { maxBytes: (SIGNATURE_HEADER_LIMIT / 4) * 3, maxCertificates: 4 };

/**
 * Checks the identity behind every Apple MDM request (Apple Device Management, MDM payload
 * `SignMessage`): the `Mdm-Signature` header is a base64 detached CMS signature over the exact
 * body, with one signer whose certificate this CA issued through SCEP for MDM enrollment. The
 * certificate is checked before any RSA work with its key: a fingerprint seen before is known;
 * a new one must carry this CA's signature (our own key). Records are cached by fingerprint
 * (issued certificates never change), so a repeat check-in costs one signature verification and
 * no database read.
 */
export class DeviceIdentityVerifier {
  private readonly known = new Map<string, IssuedCertificateRecord>();

  constructor(private readonly ctx: AppleContext) {}

  /** The header's checks that need no body and no crypto; run before the body is read. */
  readSignature(signatureHeader: string | undefined): Buffer {
    if (!signatureHeader) throw new ProtocolError('missingSignature');
    if (signatureHeader.length > SIGNATURE_HEADER_LIMIT) {
      throw new ProtocolError('headerTooLarge', `the Mdm-Signature header is limited to ${SIGNATURE_HEADER_LIMIT} characters`);
    }
    const der = Buffer.from(signatureHeader, 'base64');
    if (der.length < 64) throw new ProtocolError('badSignature', 'the Mdm-Signature header is not a base64 CMS signature');
    return der;
  }

  async verify(body: Buffer, signature: Buffer): Promise<DeviceIdentity> {
    const now = this.ctx.now();
    const issuedByUs: SignerPolicy = (signer) => {
      if (this.known.has(signer.fingerprint)) return;
      if (!this.ctx.ca.issued(signer.certificate, now)) throw new CertsError('untrustedSigner', 'the signer certificate was not issued by this CA');
    };
    let verified: VerifiedCms;
    try {
      verified = verifyCms(signature, { detachedContent: body, acceptSigner: issuedByUs, limits: SIGNATURE_LIMITS });
    } catch (err) {
      if (!isCertsError(err)) throw err;
      if (err.code === 'untrustedSigner') throw new ProtocolError('untrustedCertificate');
      if (err.code === 'keyNotAllowed') throw new ProtocolError('untrustedCertificate', `the signing certificate's key is refused: ${err.message}`);
      throw new ProtocolError('badSignature', `the Mdm-Signature is refused: ${err.message}`);
    }
    const { fingerprint } = verified.signer;
    let issued = this.known.get(fingerprint);
    if (!issued) {
      const record = await this.ctx.store.issuedCertificates.getByFingerprint(fingerprint);
      if (!record || record.purpose !== 'enrollment') throw new ProtocolError('untrustedCertificate');
      if (this.known.size >= CACHE_LIMIT) this.known.clear();
      this.known.set(fingerprint, record);
      issued = record;
    }
    if (issued.notAfter < now.toISOString()) throw new ProtocolError('untrustedCertificate', 'the identity certificate has expired');
    return { certDer: verified.signerCertificate, fingerprint, issued };
  }
}
