/**
 * CMS SignedData (RFC 5652 §5), building and reading: Apple's Mdm-Signature header (a detached
 * signature over the HTTP body, Apple's "MDM check-in and command" pages: SignMessage), signed
 * configuration profiles (attached), the SCEP pkiMessage wrapper (RFC 8894 §3.2) and degenerate
 * certs-only messages (RFC 8894 §3.4, GetCACert). Verification is cms-verify.ts.
 */
import { createHash, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { digestAlgorithmIdentifier, digestFromOid, readAlgorithmIdentifier, signatureAlgorithmIdentifierFor, type DigestName } from './algorithms.js';
import { parseCertificate } from './certificate.js';
import { issuerAndSerialNumber, readCertificateReference, unwrapContentInfo, wrapContentInfo, type CertificateReference } from './cms-common.js';
import {
  children,
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
  seq,
  setOf,
  Tag,
  time,
  tlv,
  type Tlv,
} from './der.js';
import { CertsError } from './errors.js';
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

/** Decode one SignerInfo (RFC 5652 §5.3); throws badCms. */
export function parseSignerInfo(t: Tlv): SignerInfoParts {
  return asBadCms('SignerInfo', () => {
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
  });
}

/** Runs `read`, reporting malformed DER as badCms (valid ASN.1 or not, it is not the CMS expected). */
function asBadCms<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof CertsError && err.code !== 'badDer') throw err;
    throw new CertsError('badCms', `malformed ${what}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The fields of a SignedData (RFC 5652 §5.1) with certificates and SignerInfos left undecoded, so
 * that a verifier can count them before it spends anything on them.
 */
export interface SignedDataFields {
  contentType: string;
  /** eContent, absent for detached signatures and certs-only messages. */
  content?: Buffer;
  /** Every CertificateChoices element of `certificates`, in order (plain certificates are SEQUENCEs). */
  certificates: Tlv[];
  signerInfos: Tlv[];
}

/** Read a ContentInfo holding SignedData down to its fields; throws badCms. */
export function readSignedDataFields(der: Buffer): SignedDataFields {
  return asBadCms('SignedData', () => {
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
    let certificates: Tlv[] = [];
    let signerInfos: Tlv[] = [];
    for (; i < parts.length; i++) {
      const p = parts[i]!;
      if (isContext(p, 0)) certificates = children(p);
      else if (p.tag === Tag.SET) signerInfos = children(p);
    }
    return content === undefined ? { contentType, certificates, signerInfos } : { contentType, content, certificates, signerInfos };
  });
}

/** Parse a ContentInfo holding SignedData without verifying anything (RFC 5652 §5.1). */
export function parseSignedData(der: Buffer): SignedDataParts {
  const f = readSignedDataFields(der);
  const parts: SignedDataParts = {
    contentType: f.contentType,
    // CertificateChoices: only plain certificates (SEQUENCE) are of use to us.
    certificates: f.certificates.filter((c) => c.tag === Tag.SEQUENCE).map(rawOf),
    signerInfos: f.signerInfos.map(parseSignerInfo),
  };
  if (f.content !== undefined) parts.content = f.content;
  return parts;
}

/** One-value signed attribute decoded as a TLV (e.g. messageDigest's OCTET STRING). */
export function singleAttribute(attrs: Map<string, Buffer[]>, attrOid: string): Tlv | undefined {
  const v = attrs.get(attrOid);
  if (!v || v.length === 0) return undefined;
  if (v.length > 1) throw new CertsError('badCms', `attribute ${attrOid} has ${v.length} values`);
  return parseDer(v[0]!);
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
