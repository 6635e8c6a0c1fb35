/**
 * CMS SignedData (RFC 5652 §5): Apple's Mdm-Signature header (a detached signature over the HTTP
 * body, notes/apple.md §2.2), signed configuration profiles (attached, §3.3), the SCEP pkiMessage
 * wrapper (RFC 8894 §3.2) and degenerate certs-only messages (RFC 8894 §3.4, GetCACert).
 *
 * verifyCms is on the check-in hot path: one DER walk (no node-forge), one SHA digest and one
 * native RSA verification.
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import {
  digestAlgorithmIdentifier,
  digestFromOid,
  readAlgorithmIdentifier,
  signatureAlgorithmIdentifierFor,
  signatureHash,
  type DigestName,
} from './algorithms.js';
import { parseCertificate, verifyCertificateSignature, type CertificateInfo } from './certificate.js';
import {
  issuerAndSerialNumber,
  readCertificateReference,
  referencesCertificate,
  unwrapContentInfo,
  wrapContentInfo,
  type CertificateReference,
} from './cms-common.js';
import {
  children,
  contentOf,
  expectTag,
  explicit,
  integer,
  isContext,
  octetString,
  octetsOf,
  oid,
  parseDer,
  rawOf,
  readOid,
  readTime,
  seq,
  setOf,
  Tag,
  time,
  tlv,
  type Tlv,
} from './der.js';
import { CertsError } from './errors.js';
import { publicKeyFromSpki } from './keys.js';
import { OID } from './oids.js';

/** An extra signed attribute; each value is DER or a node-forge ASN.1 object. */
export interface SignedAttributeInput {
  oid: string;
  values: (Buffer | forge.asn1.Asn1)[];
}

/** Options of signCms. */
export interface SignCmsOptions {
  content: Buffer;
  /** true: eContent omitted (Mdm-Signature); false: content embedded (signed profiles). */
  detached: boolean;
  signerCertDer: Buffer;
  signerKey: KeyObject;
  extraSignedAttributes?: SignedAttributeInput[];
  /** More certificates to embed after the signer's (e.g. the issuing CA). */
  includeCertificates?: Buffer[];
  /** Default sha256. */
  digest?: DigestName;
  /** eContentType; default id-data. */
  contentType?: string;
  /** signingTime attribute value; default now; null omits it. */
  signingTime?: Date | null;
  /** false signs the content directly, with no signed attributes (RFC 5652 §5.4). Default true. */
  signedAttributes?: boolean;
}

/** What verifyCms found. */
export interface VerifiedCms {
  content: Buffer;
  contentType: string;
  /** DER of the signer's certificate. */
  signerCertificate: Buffer;
  /** DER of every embedded certificate. */
  certificates: Buffer[];
  /** Signed attributes by OID: the DER of each attribute value. Empty when there are none. */
  signedAttributes: Map<string, Buffer[]>;
  digestAlgorithm: DigestName;
  signingTime?: Date;
}

/** Options of verifyCms. */
export interface VerifyCmsOptions {
  /** The content of a detached signature (e.g. the HTTP body). If the CMS is attached, it must be equal. */
  detachedContent?: Buffer;
  /** If given, the signer must be one of these certificates or be directly signed by one (no validity check). */
  trustedCertificates?: Buffer[];
}

/** A parsed SignerInfo (RFC 5652 §5.3). */
export interface SignerInfoParts {
  sid: CertificateReference;
  digest: DigestName;
  /** DER of the signed attributes re-tagged as SET OF (what the signature covers, §5.4), if present. */
  signedAttrsDer?: Buffer;
  signedAttributes: Map<string, Buffer[]>;
  signatureAlgorithm: string;
  signature: Buffer;
}

/** A parsed SignedData (RFC 5652 §5.1), before any verification. */
export interface SignedDataParts {
  contentType: string;
  /** eContent, absent for detached signatures and certs-only messages. */
  content?: Buffer;
  certificates: Buffer[];
  signerInfos: SignerInfoParts[];
}

function toDer(v: Buffer | forge.asn1.Asn1): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(forge.asn1.toDer(v).getBytes(), 'binary');
}

function attribute(attrOid: string, values: Buffer[]): Buffer {
  return seq(oid(attrOid), setOf(values));
}

/** Sign `content` as CMS SignedData with one RSA signer (RFC 5652 §5; signed attributes §5.4, §11). */
export function signCms(opts: SignCmsOptions): Buffer {
  const digest = opts.digest ?? 'sha256';
  const contentType = opts.contentType ?? OID.data;
  const signer = parseCertificate(opts.signerCertDer);
  const digestAlg = digestAlgorithmIdentifier(digest);
  const withAttrs = opts.signedAttributes ?? true;
  let signedAttrsField: Buffer[] = [];
  let signature: Buffer;
  if (withAttrs) {
    const attrs = [
      attribute(OID.contentType, [oid(contentType)]),
      attribute(OID.messageDigest, [octetString(createHash(digest).update(opts.content).digest())]),
    ];
    const signingTime = opts.signingTime === undefined ? new Date() : opts.signingTime;
    if (signingTime) attrs.push(attribute(OID.signingTime, [time(signingTime)]));
    for (const a of opts.extraSignedAttributes ?? []) attrs.push(attribute(a.oid, a.values.map(toDer)));
    // The signature covers the DER SET OF; the SignerInfo carries it as [0] IMPLICIT (RFC 5652 §5.4).
    const set = setOf(attrs);
    signature = sign(digest, set, opts.signerKey);
    signedAttrsField = [Buffer.concat([Buffer.from([0xa0]), set.subarray(1)])];
  } else {
    signature = sign(digest, opts.content, opts.signerKey);
  }
  const signerInfo = seq(
    integer(1),
    issuerAndSerialNumber(signer),
    digestAlg,
    ...signedAttrsField,
    signatureAlgorithmIdentifierFor(opts.signerKey, digest),
    octetString(signature),
  );
  const certs = [opts.signerCertDer];
  for (const c of opts.includeCertificates ?? []) if (!certs.some((x) => x.equals(c))) certs.push(c);
  const signedData = seq(
    integer(contentType === OID.data ? 1 : 3), // RFC 5652 §5.1 version rule
    tlv(Tag.SET, digestAlg),
    seq(oid(contentType), ...(opts.detached ? [] : [explicit(0, octetString(opts.content))])),
    tlv(0xa0, ...certs),
    tlv(Tag.SET, signerInfo),
  );
  return wrapContentInfo(OID.signedData, signedData);
}

function parseSignerInfo(t: Tlv): SignerInfoParts {
  const parts = children(expectTag(t, Tag.SEQUENCE, 'SignerInfo'));
  let i = 1; // skip version: the sid form tells us what we need
  const sid = readCertificateReference(parts[i++]);
  const digest = digestFromOid(readAlgorithmIdentifier(parts[i++], 'digestAlgorithm').oid);
  const signedAttributes = new Map<string, Buffer[]>();
  let signedAttrsDer: Buffer | undefined;
  if (isContext(parts[i], 0)) {
    const attrsT = parts[i++]!;
    signedAttrsDer = Buffer.concat([Buffer.from([Tag.SET]), rawOf(attrsT).subarray(1)]);
    for (const a of children(attrsT)) {
      const [typeT, valuesT] = children(expectTag(a, Tag.SEQUENCE, 'Attribute'));
      const attrOid = readOid(expectTag(typeT, Tag.OID, 'attrType'));
      const values = children(expectTag(valuesT, Tag.SET, 'attrValues')).map(rawOf);
      signedAttributes.set(attrOid, [...(signedAttributes.get(attrOid) ?? []), ...values]);
    }
  }
  const signatureAlgorithm = readAlgorithmIdentifier(parts[i++], 'signatureAlgorithm').oid;
  const signature = octetsOf(expectTag(parts[i], Tag.OCTET_STRING, 'signature'));
  const out: SignerInfoParts = { sid, digest, signedAttributes, signatureAlgorithm, signature };
  if (signedAttrsDer) out.signedAttrsDer = signedAttrsDer;
  return out;
}

/** Parse a ContentInfo holding SignedData without verifying anything (RFC 5652 §5.1). */
export function parseSignedData(der: Buffer): SignedDataParts {
  try {
    const sd = unwrapContentInfo(der, OID.signedData, 'SignedData');
    const parts = children(expectTag(sd, Tag.SEQUENCE, 'SignedData'));
    let i = 2; // version, digestAlgorithms
    const [typeT, eContentT] = children(expectTag(parts[i++], Tag.SEQUENCE, 'encapContentInfo'));
    const contentType = readOid(expectTag(typeT, Tag.OID, 'eContentType'));
    let content: Buffer | undefined;
    if (eContentT) {
      if (!isContext(eContentT, 0)) throw new CertsError('badCms', 'eContent is not [0]');
      const inner = children(eContentT)[0];
      // id-data wraps an OCTET STRING (maybe BER constructed); other types may embed the value directly.
      if (inner) content = inner.tag === Tag.OCTET_STRING || inner.tag === 0x24 ? octetsOf(inner) : rawOf(inner);
    }
    const certificates: Buffer[] = [];
    let signerInfosT: Tlv | undefined;
    for (; i < parts.length; i++) {
      const p = parts[i]!;
      if (isContext(p, 0)) {
        // CertificateChoices: only plain certificates (SEQUENCE) are of use to us.
        for (const c of children(p)) if (c.tag === Tag.SEQUENCE) certificates.push(rawOf(c));
      } else if (p.tag === Tag.SET) signerInfosT = p;
    }
    const signerInfos = signerInfosT ? children(signerInfosT).map(parseSignerInfo) : [];
    return content === undefined ? { contentType, certificates, signerInfos } : { contentType, content, certificates, signerInfos };
  } catch (err) {
    if (err instanceof CertsError && err.code !== 'badDer') throw err;
    throw new CertsError('badCms', `malformed SignedData: ${(err as Error).message}`, { cause: err });
  }
}

/** One-value signed attribute decoded as a TLV (e.g. messageDigest's OCTET STRING). */
export function singleAttribute(attrs: Map<string, Buffer[]>, attrOid: string): Tlv | undefined {
  const v = attrs.get(attrOid);
  if (!v || v.length === 0) return undefined;
  if (v.length > 1) throw new CertsError('badCms', `attribute ${attrOid} has ${v.length} values`);
  return parseDer(v[0]!);
}

// A tiny cache of imported public keys: check-ins from one device repeat the same certificate.
const keyCache = new Map<string, KeyObject>();
function publicKeyOf(cert: CertificateInfo): KeyObject {
  const k = cert.spki.toString('latin1');
  let key = keyCache.get(k);
  if (!key) {
    try {
      key = publicKeyFromSpki(cert.spki);
    } catch (err) {
      throw new CertsError('badCertificate', `signer public key unusable: ${(err as Error).message}`, { cause: err });
    }
    if (keyCache.size >= 4096) keyCache.clear();
    keyCache.set(k, key);
  }
  return key;
}

// Parsed embedded certificates, by their DER: a device signs every check-in with the same
// certificate, and parsing it (names, dates, extensions) cost more than the RSA verify itself.
const certCache = new Map<string, CertificateInfo>();
function parsedCertificate(der: Buffer): CertificateInfo {
  const k = der.toString('latin1');
  let cert = certCache.get(k);
  if (!cert) {
    cert = parseCertificate(der);
    if (certCache.size >= 4096) certCache.clear();
    certCache.set(k, cert);
  }
  return cert;
}

/** Verify one SignerInfo over `content` against `cert` (RFC 5652 §5.6); throws badSignature. */
export function verifySignerInfo(si: SignerInfoParts, cert: CertificateInfo, content: Buffer, contentType: string): void {
  const hash = signatureHash(si.signatureAlgorithm, si.digest);
  let signed: Buffer;
  if (si.signedAttrsDer) {
    const md = singleAttribute(si.signedAttributes, OID.messageDigest);
    if (!md || md.tag !== Tag.OCTET_STRING) throw new CertsError('badSignature', 'signed attributes without messageDigest');
    const digest = createHash(si.digest).update(content).digest();
    if (!digest.equals(contentOf(md))) throw new CertsError('badSignature', 'messageDigest does not match the content');
    const ct = singleAttribute(si.signedAttributes, OID.contentType);
    if (!ct || readOid(ct) !== contentType) throw new CertsError('badSignature', 'contentType attribute missing or wrong (RFC 5652 §11.1)');
    signed = si.signedAttrsDer;
  } else {
    signed = content;
  }
  let ok = false;
  try {
    ok = verify(hash, signed, publicKeyOf(cert), si.signature);
  } catch {
    ok = false;
  }
  if (!ok) throw new CertsError('badSignature', 'CMS signature does not verify with the signer certificate');
}

function checkTrust(signer: CertificateInfo, trusted: Buffer[]): void {
  for (const t of trusted) {
    if (t.equals(signer.der)) return;
    const anchor = parseCertificate(t);
    if (anchor.subject.der.equals(signer.issuer.der) && verifyCertificateSignature(signer, publicKeyOf(anchor))) return;
  }
  throw new CertsError('untrustedSigner', `signer ${signer.subject.string} is not issued by a trusted certificate`);
}

/** Verify a SignedData natively: messageDigest, signature, signer found among embedded certs (RFC 5652 §5.6). */
export function verifyCms(der: Buffer, opts: VerifyCmsOptions = {}): VerifiedCms {
  const sd = parseSignedData(der);
  let content: Buffer;
  if (sd.content !== undefined) {
    if (opts.detachedContent && !opts.detachedContent.equals(sd.content)) {
      throw new CertsError('badSignature', 'attached content differs from the content supplied');
    }
    content = sd.content;
  } else if (opts.detachedContent) {
    content = opts.detachedContent;
  } else {
    throw new CertsError('badCms', 'detached signature and no content supplied');
  }
  return verifyParsedSignedData(sd, content, opts.trustedCertificates);
}

/** Verify every SignerInfo of an already parsed SignedData over `content`; the first signer is reported. */
export function verifyParsedSignedData(sd: SignedDataParts, content: Buffer, trustedCertificates?: Buffer[]): VerifiedCms {
  const first = sd.signerInfos[0];
  if (!first) throw new CertsError('badCms', 'SignedData has no signer');
  const certs = sd.certificates.map(parsedCertificate);
  let signerCert: CertificateInfo | undefined;
  for (const si of sd.signerInfos) {
    const cert = certs.find((c) => referencesCertificate(si.sid, c));
    if (!cert) throw new CertsError('signerNotFound', 'the signer certificate is not among the embedded certificates');
    verifySignerInfo(si, cert, content, sd.contentType);
    if (trustedCertificates) checkTrust(cert, trustedCertificates);
    signerCert ??= cert;
  }
  const result: VerifiedCms = {
    content,
    contentType: sd.contentType,
    signerCertificate: signerCert!.der,
    certificates: sd.certificates,
    signedAttributes: first.signedAttributes,
    digestAlgorithm: first.digest,
  };
  const st = singleAttribute(first.signedAttributes, OID.signingTime);
  if (st) result.signingTime = readTime(st);
  return result;
}

/** Degenerate certs-only SignedData: no content, no signers (RFC 8894 §3.4, RFC 5652 §5.2). */
export function buildCertsOnlySignedData(certsDer: Buffer[]): Buffer {
  const signedData = seq(integer(1), tlv(Tag.SET), seq(oid(OID.data)), tlv(0xa0, ...certsDer), tlv(Tag.SET));
  return wrapContentInfo(OID.signedData, signedData);
}

/** The certificates of any SignedData (typically a certs-only one), DER each, in order. */
export function parseCertsOnly(der: Buffer): Buffer[] {
  return parseSignedData(der).certificates;
}
