import { createHash } from 'node:crypto';
import { verifyCms } from '../../certs/cms-signed.js';
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
 * Checks the identity behind every Apple MDM request (notes/apple.md §2.2): the `Mdm-Signature`
 * header is a base64 detached CMS signature over the exact body; its signer certificate must be
 * one this CA issued through SCEP for MDM enrollment. Certificate lookups are cached by
 * fingerprint (issued certificates never change), so a repeat check-in costs one signature
 * verification and no database read for the certificate.
 */
export class DeviceIdentityVerifier {
  private readonly known = new Map<string, IssuedCertificateRecord>();

  constructor(private readonly ctx: AppleContext) {}

  async verify(body: Buffer, signatureHeader: string | undefined): Promise<DeviceIdentity> {
    if (!signatureHeader) throw new ProtocolError('missingSignature');
    const der = Buffer.from(signatureHeader, 'base64');
    if (der.length < 64) throw new ProtocolError('badSignature', 'the Mdm-Signature header is not a base64 CMS signature');
    let certDer: Buffer;
    try {
      certDer = verifyCms(der, { detachedContent: body }).signerCertificate;
    } catch {
      throw new ProtocolError('badSignature');
    }
    const fingerprint = createHash('sha256').update(certDer).digest('hex');
    let issued = this.known.get(fingerprint);
    if (!issued) {
      const record = this.ctx.ca.verifyIssued(certDer, this.ctx.now()) ? await this.ctx.store.issuedCertificates.getByFingerprint(fingerprint) : undefined;
      if (!record || record.purpose !== 'enrollment') throw new ProtocolError('untrustedCertificate');
      if (this.known.size >= CACHE_LIMIT) this.known.clear();
      this.known.set(fingerprint, record);
      issued = record;
    }
    if (issued.notAfter < this.ctx.now().toISOString()) throw new ProtocolError('untrustedCertificate', 'the identity certificate has expired');
    return { certDer, fingerprint, issued };
  }
}
