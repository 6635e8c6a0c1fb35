/**
 * Reading X.509 certificates (RFC 5280 §4.1) with the DER walker: the fields CMS and SCEP need
 * (issuer/serial for IssuerAndSerialNumber, key identifiers, validity, public key), cheaper than
 * constructing a node:crypto X509Certificate on the check-in hot path.
 */
import { verify, type KeyObject } from 'node:crypto';
import { readAlgorithmIdentifier, signatureHash } from './algorithms.js';
import {
  children,
  contentOf,
  expectTag,
  isContext,
  parseDer,
  rawOf,
  readBitString,
  readSmallInt,
  readTime,
  readUnsignedInteger,
  Tag,
} from './der.js';
import { CertsError } from './errors.js';
import { parseAuthorityKeyIdentifier, parseExtensionList, type RawExtension } from './extensions.js';
import { publicKeyFromSpki } from './keys.js';
import { parseName, type ParsedName } from './name.js';
import { OID } from './oids.js';

/** The parts of a certificate we use; Buffers are views into `der`. */
export interface CertificateInfo {
  der: Buffer;
  /** TBSCertificate DER: what the issuer signed. */
  tbs: Buffer;
  /** 1, 2 or 3. */
  version: number;
  /** Serial as unsigned big-endian bytes; `serialHex` is their lower-case hex. */
  serialNumber: Buffer;
  serialHex: string;
  /** The serial INTEGER exactly as encoded (for IssuerAndSerialNumber, RFC 5652 §10.2.4). */
  serialDer: Buffer;
  issuer: ParsedName;
  subject: ParsedName;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo DER. */
  spki: Buffer;
  extensions: RawExtension[];
  subjectKeyIdentifier?: Buffer;
  authorityKeyIdentifier?: Buffer;
  /** Outer signatureAlgorithm OID. */
  signatureAlgorithm: string;
  signature: Buffer;
}

/** Parse a DER certificate; throws badCertificate (or badDer) when it is not one. */
export function parseCertificate(der: Buffer): CertificateInfo {
  try {
    const [tbsT, algT, sigT] = children(expectTag(parseDer(der), Tag.SEQUENCE, 'Certificate'));
    const tbsParts = children(expectTag(tbsT, Tag.SEQUENCE, 'TBSCertificate'));
    let i = 0;
    let version = 1;
    if (isContext(tbsParts[0], 0)) {
      const v = children(tbsParts[0])[0];
      version = v ? readSmallInt(v) + 1 : 1;
      i++;
    }
    const serialT = expectTag(tbsParts[i++], Tag.INTEGER, 'serialNumber');
    i++; // signature AlgorithmIdentifier inside TBS (must equal the outer one; checked by verifiers)
    const issuer = parseName(expectTag(tbsParts[i++], Tag.SEQUENCE, 'issuer'));
    const [nb, na] = children(expectTag(tbsParts[i++], Tag.SEQUENCE, 'validity'));
    if (!nb || !na) throw new CertsError('badCertificate', 'incomplete validity');
    const subject = parseName(expectTag(tbsParts[i++], Tag.SEQUENCE, 'subject'));
    const spki = rawOf(expectTag(tbsParts[i++], Tag.SEQUENCE, 'subjectPublicKeyInfo'));
    let extensions: RawExtension[] = [];
    for (; i < tbsParts.length; i++) {
      const p = tbsParts[i]!;
      if (isContext(p, 3)) extensions = parseExtensionList(expectTag(children(p)[0], Tag.SEQUENCE, 'extensions'));
    }
    const serialNumber = readUnsignedInteger(serialT);
    const ski = extensions.find((e) => e.oid === OID.subjectKeyIdentifier);
    const aki = extensions.find((e) => e.oid === OID.authorityKeyIdentifier);
    const info: CertificateInfo = {
      der,
      tbs: rawOf(tbsT!),
      version,
      serialNumber,
      serialHex: serialNumber.toString('hex'),
      serialDer: rawOf(serialT),
      issuer,
      subject,
      notBefore: readTime(nb),
      notAfter: readTime(na),
      spki,
      extensions,
      signatureAlgorithm: readAlgorithmIdentifier(algT, 'signatureAlgorithm').oid,
      signature: readBitString(expectTag(sigT, Tag.BIT_STRING, 'signatureValue')).bytes,
    };
    if (ski) info.subjectKeyIdentifier = contentOf(expectTag(parseDer(ski.value), Tag.OCTET_STRING, 'SKI'));
    if (aki) {
      const kid = parseAuthorityKeyIdentifier(aki.value);
      if (kid) info.authorityKeyIdentifier = kid;
    }
    return info;
  } catch (err) {
    if (err instanceof CertsError && err.code !== 'badDer') throw err;
    throw new CertsError('badCertificate', `not an X.509 certificate: ${(err as Error).message}`, { cause: err });
  }
}

/** The certificate's public key as a KeyObject. */
export function certificatePublicKey(cert: CertificateInfo | Buffer): KeyObject {
  const spki = Buffer.isBuffer(cert) ? parseCertificate(cert).spki : cert.spki;
  try {
    return publicKeyFromSpki(spki);
  } catch (err) {
    throw new CertsError('badCertificate', `unusable public key: ${(err as Error).message}`, { cause: err });
  }
}

/** True if `issuerKey` made the certificate's signature (RFC 5280 §6.1.3 (a)(1)); natively. */
export function verifyCertificateSignature(cert: CertificateInfo, issuerKey: KeyObject): boolean {
  const hash = signatureHash(cert.signatureAlgorithm);
  try {
    return verify(hash, cert.tbs, issuerKey, cert.signature);
  } catch {
    return false;
  }
}

/** True if `now` lies within [notBefore, notAfter] (RFC 5280 §4.1.2.5). */
export function isWithinValidity(cert: CertificateInfo, now: Date = new Date()): boolean {
  const t = now.getTime();
  return t >= cert.notBefore.getTime() && t <= cert.notAfter.getTime();
}
