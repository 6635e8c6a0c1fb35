/**
 * Pieces shared by CMS SignedData and EnvelopedData: the ContentInfo wrapper (RFC 5652 §3) and
 * the IssuerAndSerialNumber / SubjectKeyIdentifier certificate references (RFC 5652 §5.3, §10.2.4).
 */
import { children, contentOf, expectTag, explicit, isContext, oid, parseDer, rawOf, readOid, readUnsignedInteger, seq, Tag, type Tlv } from './der.js';
import { CertsError } from './errors.js';
import type { CertificateInfo } from './certificate.js';
import { keyIdentifier } from './keys.js';

/** Wrap `inner` (a SignedData/EnvelopedData DER) in a ContentInfo of type `contentType` (RFC 5652 §3). */
export function wrapContentInfo(contentType: string, inner: Buffer): Buffer {
  return seq(oid(contentType), explicit(0, inner));
}

/** Unwrap a ContentInfo, requiring `expectedType`; returns the inner element (RFC 5652 §3). */
export function unwrapContentInfo(der: Buffer, expectedType: string, what: string): Tlv {
  const top = parseDer(der);
  const [typeT, contentT] = children(expectTag(top, Tag.SEQUENCE, `${what} ContentInfo`));
  const type = readOid(expectTag(typeT, Tag.OID, 'contentType'));
  if (type !== expectedType) throw new CertsError('badCms', `${what}: content type ${type}, expected ${expectedType}`);
  if (!isContext(contentT, 0)) throw new CertsError('badCms', `${what}: missing [0] content`);
  const inner = children(contentT)[0];
  if (!inner) throw new CertsError('badCms', `${what}: empty content`);
  return inner;
}

/** IssuerAndSerialNumber of a certificate, byte-exact copies of its fields (RFC 5652 §10.2.4). */
export function issuerAndSerialNumber(cert: CertificateInfo): Buffer {
  return seq(cert.issuer.der, cert.serialDer);
}

/** A reference to a certificate, as found in SignerInfo.sid or KeyTransRecipientInfo.rid. */
export type CertificateReference =
  | { kind: 'issuerAndSerial'; issuerDer: Buffer; serial: Buffer }
  | { kind: 'subjectKeyIdentifier'; keyId: Buffer };

/** Decode a SignerIdentifier / RecipientIdentifier (RFC 5652 §5.3, §6.2.1). */
export function readCertificateReference(t: Tlv | undefined): CertificateReference {
  if (t?.tag === Tag.SEQUENCE) {
    const [issuerT, serialT] = children(t);
    return {
      kind: 'issuerAndSerial',
      issuerDer: rawOf(expectTag(issuerT, Tag.SEQUENCE, 'issuer')),
      serial: readUnsignedInteger(expectTag(serialT, Tag.INTEGER, 'serialNumber')),
    };
  }
  if (isContext(t, 0)) return { kind: 'subjectKeyIdentifier', keyId: contentOf(t) };
  throw new CertsError('badCms', 'unrecognised signer/recipient identifier');
}

/** True if `ref` designates `cert`. */
export function referencesCertificate(ref: CertificateReference, cert: CertificateInfo): boolean {
  if (ref.kind === 'issuerAndSerial') return ref.serial.equals(cert.serialNumber) && ref.issuerDer.equals(cert.issuer.der);
  const kid = cert.subjectKeyIdentifier ?? keyIdentifier(cert.spki);
  return ref.keyId.equals(kid);
}

