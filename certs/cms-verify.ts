/**
 * Verifying a CMS SignedData (RFC 5652 §5.6) sent by someone we do not know yet, in the only safe
 * order (cheap checks before costly work, and the signer's certificate against our CA before any RSA
 * operation): bound the input (size, embedded certificates, exactly one signer),
 * locate the signer's certificate, check its key against the client key limits (key-limits.ts),
 * ask the caller's signer policy whether that certificate may sign here (a CA check, a cache of
 * known certificates), and only then verify the signature with the signer's key. Every use of
 * CMS in mdmlab has exactly one signer: the Mdm-Signature header (Apple, "MDM check-in protocol"
 * with SignMessage), signed configuration profiles, and the SCEP pkiMessage (RFC 8894 §3).
 *
 * On the check-in hot path: no certificate parsing for a signer seen before (the cache below),
 * one SHA digest and one native RSA verification.
 */
import { createHash, verify, type KeyObject } from 'node:crypto';
import { rsaSignatureHash, type DigestName } from './algorithms.js';
import { parseCertificate, verifyCertificateSignature, type CertificateInfo } from './certificate.js';
import { referencesCertificate } from './cms-common.js';
import { parseSignerInfo, readSignedDataFields, singleAttribute, type SignedDataFields, type SignerInfoParts } from './cms-signed.js';
import { contentOf, rawOf, readOid, readTime, Tag } from './der.js';
import { CertsError } from './errors.js';
import { checkClientKey, CLIENT_RSA_KEY_LIMITS, publicKeyFacts, type PublicKeyFacts, type RsaKeyLimits } from './key-limits.js';
import { publicKeyFromSpki } from './keys.js';
import { OID } from './oids.js';

/** Bounds on a SignedData, checked before anything in it is decoded. */
export interface CmsLimits {
  /** Largest DER accepted. */
  maxBytes: number;
  /** Most certificates it may embed (the signer's and its chain). */
  maxCertificates: number;
}

/** For signed profiles and CertReps; the server's endpoints pass tighter limits of their own. */
export const DEFAULT_CMS_LIMITS: Readonly<CmsLimits> = { maxBytes: 1024 * 1024, maxCertificates: 8 };

/** The signer of a SignedData as a signer policy sees it: before any signature was checked. */
export interface CmsSigner {
  certificate: CertificateInfo;
  /** Lower-case hex SHA-256 of the certificate DER. */
  fingerprint: string;
  /** Its public key, already within the client key limits. */
  key: Extract<PublicKeyFacts, { type: 'rsa' }>;
}

/**
 * Decides whether `signer` may sign this content; throws a CertsError (untrustedSigner, ...) to
 * refuse. Runs before any RSA operation with the signer's key.
 */
export type SignerPolicy = (signer: CmsSigner) => void;

/**
 * Any signer whose key is within the limits: for a signer judged afterwards (iOS installs a
 * profile from an unknown signer as "Not Verified") or self-signed by design (a SCEP requester's
 * temporary certificate, RFC 8894 §2.3).
 */
export const anySigner: SignerPolicy = () => {};

/**
 * The signer must be one of `anchors` or be directly signed by one (RFC 5280 §6.1.3 (a)(1)),
 * checked with the anchor's key, never the signer's. Validity periods are not checked. Anchors
 * come from the other side too (a CA's certificate from GetCACert), so their keys are bounded.
 */
export function issuedBy(anchors: Buffer[]): SignerPolicy {
  const parsed = anchors.map((der) => {
    const cert = parseCertificate(der);
    checkClientKey(cert.spki);
    return { cert, key: publicKeyFromSpki(cert.spki) };
  });
  return (signer) => {
    for (const a of parsed) {
      if (a.cert.der.equals(signer.certificate.der)) return;
      if (a.cert.subject.der.equals(signer.certificate.issuer.der) && verifyCertificateSignature(signer.certificate, a.key)) return;
    }
    throw new CertsError('untrustedSigner', `signer ${signer.certificate.subject.string} is not issued by a trusted certificate`);
  };
}

/** What verification found. */
export interface VerifiedCms {
  content: Buffer;
  contentType: string;
  signer: CmsSigner;
  /** DER of the signer's certificate. */
  signerCertificate: Buffer;
  /** DER of every embedded certificate. */
  certificates: Buffer[];
  /** Signed attributes by OID: the DER of each attribute value. Empty when there are none. */
  signedAttributes: Map<string, Buffer[]>;
  digestAlgorithm: DigestName;
  signingTime?: Date;
}

/** A SignedData read within its limits, its one signer located and decoded; nothing verified. */
export interface UnverifiedSignedData {
  contentType: string;
  /** eContent, absent for detached signatures. */
  content?: Buffer;
  /** DER of every embedded certificate. */
  certificates: Buffer[];
  /** The SignerInfo: its attributes are claims until verifySignedData has run. */
  signerInfo: SignerInfoParts;
  /** The signer's certificate, parsed but not yet judged. */
  signerCertificate: CertificateInfo;
}

/** A signer seen in a verified SignedData: parsing, hashing and key import are done once. */
interface KnownSigner extends CmsSigner {
  publicKey: KeyObject;
}

// Signers of verified SignedData by certificate DER: a device signs every check-in with the same
// certificate, and parsing it (names, dates, extensions) cost more than the RSA verify itself. Only
// verified signers enter, so garbage cannot push the devices' certificates out; least recently
// used first out.
const SIGNER_CACHE_LIMIT = 4096;
const signerCache = new Map<string, KnownSigner>();

function cachedSigner(der: Buffer): KnownSigner | undefined {
  const k = der.toString('latin1');
  const hit = signerCache.get(k);
  if (hit) {
    signerCache.delete(k);
    signerCache.set(k, hit);
  }
  return hit;
}

// What readSignedData found in the cache for the objects it returned: verifySignedData looks the
// signer up once, and an UnverifiedSignedData made by hand never counts as a known signer.
const foundKnown = new WeakMap<UnverifiedSignedData, KnownSigner>();

function remember(signer: KnownSigner): void {
  if (signerCache.size >= SIGNER_CACHE_LIMIT) signerCache.delete(signerCache.keys().next().value!);
  // The parsed certificate's buffers are views into the whole message it came in (up to a SCEP
  // body): the cache keeps a copy of the certificate alone.
  const own = Buffer.from(signer.certificate.der);
  signerCache.set(own.toString('latin1'), { ...signer, certificate: parseCertificate(own) });
}

function bounded(fields: SignedDataFields, limits: CmsLimits): void {
  if (fields.certificates.length > limits.maxCertificates) {
    throw new CertsError('badCms', `the SignedData embeds ${fields.certificates.length} certificates, more than the ${limits.maxCertificates} allowed`);
  }
  if (fields.signerInfos.length !== 1) throw new CertsError('badCms', `the SignedData has ${fields.signerInfos.length} signers, not exactly one signer`);
}

/**
 * Read a SignedData for verification: size, certificate count and signer count first, then the
 * one SignerInfo and its certificate. No signature is checked. Throws badCms, signerNotFound.
 */
export function readSignedData(der: Buffer, limits: Partial<CmsLimits> = {}): UnverifiedSignedData {
  const l = { ...DEFAULT_CMS_LIMITS, ...limits };
  if (der.length > l.maxBytes) throw new CertsError('badCms', `the SignedData is ${der.length} bytes, over the limit of ${l.maxBytes}`);
  const fields = readSignedDataFields(der);
  bounded(fields, l);
  const signerInfo = parseSignerInfo(fields.signerInfos[0]!);
  const certificates = fields.certificates.filter((c) => c.tag === Tag.SEQUENCE).map(rawOf);
  let signerCertificate: CertificateInfo | undefined;
  let known: KnownSigner | undefined;
  for (const certDer of certificates) {
    const hit = cachedSigner(certDer);
    const cert = hit?.certificate ?? parseCertificate(certDer);
    if (referencesCertificate(signerInfo.sid, cert)) {
      signerCertificate = cert;
      known = hit;
      break;
    }
  }
  if (!signerCertificate) throw new CertsError('signerNotFound', 'the signer certificate is not among the embedded certificates');
  const out: UnverifiedSignedData = { contentType: fields.contentType, certificates, signerInfo, signerCertificate };
  if (fields.content !== undefined) out.content = fields.content;
  if (known) foundKnown.set(out, known);
  return out;
}

/**
 * Verify what readSignedData read, over `content`: the signer's key limits, then `acceptSigner`,
 * then messageDigest, contentType and the RSA signature (RFC 5652 §5.4, §5.6, §11.1).
 */
export function verifySignedData(sd: UnverifiedSignedData, content: Buffer, acceptSigner: SignerPolicy, keyLimits: RsaKeyLimits = CLIENT_RSA_KEY_LIMITS): VerifiedCms {
  const si = sd.signerInfo;
  const known = foundKnown.get(sd);
  const signer: CmsSigner = known ?? {
    certificate: sd.signerCertificate,
    fingerprint: createHash('sha256').update(sd.signerCertificate.der).digest('hex'),
    key: checkClientKey(publicKeyFacts(sd.signerCertificate.spki), keyLimits),
  };
  // A cached signer passed the limits of the verification that cached it; these apply too.
  if (known) checkClientKey(known.key, keyLimits);
  acceptSigner(signer);
  const hash = rsaSignatureHash(si.signatureAlgorithm, si.digest);
  let signed: Buffer;
  if (si.signedAttrsDer) {
    const md = singleAttribute(si.signedAttributes, OID.messageDigest);
    if (!md || md.tag !== Tag.OCTET_STRING) throw new CertsError('badSignature', 'signed attributes without messageDigest');
    if (!createHash(si.digest).update(content).digest().equals(contentOf(md))) throw new CertsError('badSignature', 'messageDigest does not match the content');
    const ct = singleAttribute(si.signedAttributes, OID.contentType);
    if (!ct || readOid(ct) !== sd.contentType) throw new CertsError('badSignature', 'contentType attribute missing or wrong (RFC 5652 §11.1)');
    signed = si.signedAttrsDer;
  } else {
    signed = content;
  }
  let publicKey = known?.publicKey;
  if (!publicKey) {
    try {
      publicKey = publicKeyFromSpki(signer.certificate.spki);
    } catch (err) {
      throw new CertsError('badCertificate', `signer public key unusable: ${(err as Error).message}`, { cause: err });
    }
  }
  let ok = false;
  try {
    ok = verify(hash, signed, publicKey, si.signature);
  } catch {
    ok = false;
  }
  if (!ok) throw new CertsError('badSignature', 'CMS signature does not verify with the signer certificate');
  if (!known) remember({ ...signer, publicKey });
  const result: VerifiedCms = {
    content,
    contentType: sd.contentType,
    signer,
    signerCertificate: signer.certificate.der,
    certificates: sd.certificates,
    signedAttributes: si.signedAttributes,
    digestAlgorithm: si.digest,
  };
  const st = singleAttribute(si.signedAttributes, OID.signingTime);
  if (st) result.signingTime = readTime(st);
  return result;
}

/** Options of verifyCms. */
export interface VerifyCmsOptions {
  /** The content of a detached signature (e.g. the HTTP body). If the CMS is attached, it must be equal. */
  detachedContent?: Buffer;
  /** Who may have signed; runs before any RSA work with the signer's key. */
  acceptSigner: SignerPolicy;
  limits?: Partial<CmsLimits>;
  keyLimits?: RsaKeyLimits;
}

/** readSignedData then verifySignedData, for callers that need nothing in between. */
export function verifyCms(der: Buffer, opts: VerifyCmsOptions): VerifiedCms {
  const sd = readSignedData(der, opts.limits);
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
  return verifySignedData(sd, content, opts.acceptSigner, opts.keyLimits);
}
