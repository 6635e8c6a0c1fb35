/**
 * The lab certificate authority: a self-signed root that issues the server's TLS certificate and
 * device identity certificates from PKCS#10 requests (the SCEP server's signer), and checks that
 * a presented certificate is one of its own (the identity behind an Apple check-in's Mdm-Signature).
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { buildCertificate } from './certificate-builder.js';
import { isWithinValidity, parseCertificate, verifyCertificateSignature, type CertificateInfo } from './certificate.js';
import { parseCsr, type ParsedCsr } from './csr.js';
import { CertsError } from './errors.js';
import type { ExtKeyUsageName, KeyUsageName, SubjectAltNames } from './extensions.js';
import { generateRsaKeyPair, importPrivateKey, keyIdentifier, privateKeyToPem, spkiDer } from './keys.js';
import type { NameAttributeInput } from './name.js';
import { derToPem, pemToDer } from './pem.js';

const DAY_MS = 86_400_000;
/** Issued certificates start a little in the past so that a device clock slightly behind still accepts them. */
const BACKDATE_MS = 5 * 60_000;

/** Options of CertificateAuthority.create. */
export interface CreateCaOptions {
  commonName: string;
  organization?: string;
  /** Default 3650. */
  validityDays?: number;
  /** Default 2048. */
  keyBits?: number;
  now?: Date;
}

/** Options of issueFromCsr. */
export interface IssueFromCsrOptions {
  validityDays: number;
  /** Replace the requested subject (default: the CSR's subject, byte for byte). */
  subjectOverride?: NameAttributeInput[];
  /** Default ['clientAuth']. */
  extendedKeyUsage?: ExtKeyUsageName[];
  /** Default ['digitalSignature', 'keyEncipherment']. */
  keyUsage?: KeyUsageName[];
  /** SAN to put in the certificate; default: the one the CSR requested, if any. */
  subjectAltName?: SubjectAltNames;
  /** Serial as hex; random 16 bytes when absent. */
  serialNumber?: string;
  now?: Date;
}

/** A certificate this CA issued. */
export interface IssuedCertificate {
  certDer: Buffer;
  serialHex: string;
  subjectString: string;
  notAfter: Date;
}

function capDate(d: Date, cap: Date): Date {
  return d.getTime() > cap.getTime() ? cap : d;
}

/** A root CA held in memory (certificate + RSA private key). */
export class CertificateAuthority {
  readonly certDer: Buffer;
  readonly certPem: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Lower-case hex SHA-256 of the certificate DER. */
  readonly fingerprintSha256: string;
  /** Lower-case hex SHA-1 of the certificate DER (what older SCEP CAFingerprint values use). */
  readonly fingerprintSha1: string;
  readonly certificate: CertificateInfo;

  private constructor(certDer: Buffer, privateKey: KeyObject) {
    this.certDer = certDer;
    this.certificate = parseCertificate(certDer);
    this.privateKey = privateKey;
    this.publicKey = createPublicKey(privateKey);
    if (!spkiDer(this.publicKey).equals(this.certificate.spki)) {
      throw new CertsError('badKey', 'the CA private key does not match the CA certificate');
    }
    this.certPem = derToPem(certDer, 'CERTIFICATE');
    this.fingerprintSha256 = createHash('sha256').update(certDer).digest('hex');
    this.fingerprintSha1 = createHash('sha1').update(certDer).digest('hex');
  }

  /** Create a self-signed root: basicConstraints CA critical, keyUsage keyCertSign|cRLSign|digitalSignature critical, SKI (RFC 5280 §4.2.1.9, §4.2.1.3). */
  static async create(opts: CreateCaOptions): Promise<CertificateAuthority> {
    const { privateKey, publicKey } = await generateRsaKeyPair(opts.keyBits ?? 2048);
    const now = opts.now ?? new Date();
    const subject: NameAttributeInput[] = [{ shortName: 'CN', value: opts.commonName }];
    if (opts.organization) subject.push({ shortName: 'O', value: opts.organization });
    const certDer = buildCertificate({
      subject,
      issuer: subject,
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + (opts.validityDays ?? 3650) * DAY_MS),
      subjectPublicKey: publicKey,
      issuerPrivateKey: privateKey,
      extensions: {
        basicConstraints: { ca: true, critical: true },
        keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'],
        subjectKeyIdentifier: true,
      },
    });
    return new CertificateAuthority(certDer, privateKey);
  }

  /** Load a CA from its PEM certificate and PEM private key (PKCS#1 or PKCS#8). */
  static fromPem(certPem: string, keyPem: string): CertificateAuthority {
    return new CertificateAuthority(pemToDer(certPem, 'CERTIFICATE'), importPrivateKey(keyPem));
  }

  /** The private key as PKCS#8 PEM, to persist the CA. */
  get keyPem(): string {
    return privateKeyToPem(this.privateKey);
  }

  private get keyId(): Buffer {
    return this.certificate.subjectKeyIdentifier ?? keyIdentifier(this.certificate.spki);
  }

  /** Issue a TLS server certificate with a fresh key: serverAuth EKU, DNS/IP SANs (RFC 5280 §4.2.1.6, §4.2.1.12). */
  async issueServerCertificate(opts: {
    hostnames: string[];
    ipAddresses?: string[];
    validityDays?: number;
    now?: Date;
  }): Promise<{ certPem: string; keyPem: string; certDer: Buffer }> {
    const { privateKey, publicKey } = await generateRsaKeyPair(2048);
    const now = opts.now ?? new Date();
    const cn = opts.hostnames[0] ?? opts.ipAddresses?.[0] ?? 'localhost';
    const certDer = buildCertificate({
      subject: [{ shortName: 'CN', value: cn }],
      issuer: this.certificate.subject.der,
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: capDate(new Date(now.getTime() + (opts.validityDays ?? 825) * DAY_MS), this.certificate.notAfter),
      subjectPublicKey: publicKey,
      issuerPrivateKey: this.privateKey,
      extensions: {
        basicConstraints: { ca: false, critical: false },
        keyUsage: ['digitalSignature', 'keyEncipherment'],
        extKeyUsage: ['serverAuth'],
        subjectAltName: { dns: opts.hostnames, ip: opts.ipAddresses ?? [] },
        subjectKeyIdentifier: true,
        authorityKeyIdentifier: this.keyId,
      },
    });
    return { certDer, certPem: derToPem(certDer, 'CERTIFICATE'), keyPem: privateKeyToPem(privateKey) };
  }

  /**
   * Issue a certificate for a PKCS#10 request after checking its self-signature (RFC 2986 §3;
   * RFC 8894 §3.3.1) and its key (client key limits, key-limits.ts). A request already parsed
   * with parseCsr is not parsed or verified again.
   */
  issueFromCsr(request: Buffer | ParsedCsr, opts: IssueFromCsrOptions): IssuedCertificate {
    const csr = Buffer.isBuffer(request) ? parseCsr(request) : request;
    if (!csr.signatureValid) throw new CertsError('badCsr', 'the CSR signature does not verify (no proof of possession)');
    const now = opts.now ?? new Date();
    const notAfter = capDate(new Date(now.getTime() + opts.validityDays * DAY_MS), this.certificate.notAfter);
    const certDer = buildCertificate({
      subject: opts.subjectOverride ?? csr.subjectDer,
      issuer: this.certificate.subject.der,
      ...(opts.serialNumber ? { serialNumber: opts.serialNumber } : {}),
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter,
      subjectPublicKey: csr.spki,
      issuerPrivateKey: this.privateKey,
      extensions: {
        basicConstraints: { ca: false, critical: false },
        keyUsage: opts.keyUsage ?? ['digitalSignature', 'keyEncipherment'],
        extKeyUsage: opts.extendedKeyUsage ?? ['clientAuth'],
        ...(opts.subjectAltName ?? csr.subjectAltName ? { subjectAltName: opts.subjectAltName ?? csr.subjectAltName } : {}),
        subjectKeyIdentifier: true,
        authorityKeyIdentifier: this.keyId,
      },
    });
    const issued = parseCertificate(certDer);
    return { certDer, serialHex: issued.serialHex, subjectString: issued.subject.string, notAfter: issued.notAfter };
  }

  /**
   * True if `certDer` was signed by this CA and `now` is within its validity (RFC 5280 §6.1.3 (a)).
   * Never throws; a parse + one native RSA verify (~30 µs). Callers may cache by fingerprint.
   */
  verifyIssued(certDer: Buffer, now: Date = new Date()): boolean {
    let cert: CertificateInfo;
    try {
      cert = parseCertificate(certDer);
    } catch {
      return false;
    }
    return this.issued(cert, now);
  }

  /** verifyIssued for a certificate already parsed: one RSA verify with this CA's own key. */
  issued(cert: CertificateInfo, now: Date = new Date()): boolean {
    if (!cert.issuer.der.equals(this.certificate.subject.der)) return false;
    if (cert.authorityKeyIdentifier && !cert.authorityKeyIdentifier.equals(this.keyId)) return false;
    if (!isWithinValidity(cert, now)) return false;
    try {
      return verifyCertificateSignature(cert, this.publicKey);
    } catch {
      return false;
    }
  }
}

