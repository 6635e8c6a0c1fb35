/**
 * SCEP pkiMessage (RFC 8894 §3): a SignedData whose content is the pkcsPKIEnvelope (an
 * EnvelopedData), with the SCEP authenticated attributes (§3.2.1). Built by the simulated devices
 * (PKCSReq) and the SCEP server (CertRep); parsed by both.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { ContentCipher, DigestName } from './algorithms.js';
import { buildCertificate } from './certificate-builder.js';
import { parseCertificate } from './certificate.js';
import { envelope, openEnvelopeReporting } from './cms-enveloped.js';
import type { LegacyContentCipher } from './legacy-ciphers.js';
import { buildCertsOnlySignedData, parseCertsOnly, signCms, singleAttribute, type SignedAttributeInput } from './cms-signed.js';
import { anySigner, issuedBy, readSignedData, verifySignedData, type CmsLimits, type SignerPolicy, type UnverifiedSignedData } from './cms-verify.js';
import { contentOf, isPrintable, octetString, printableString, readString, Tag } from './der.js';
import { CertsError } from './errors.js';
import type { RsaKeyLimits } from './key-limits.js';
import { publicKeyFingerprint, spkiDer, type RsaKeyPair } from './keys.js';
import type { NameInput } from './name.js';
import { OID } from './oids.js';

/** messageType values (RFC 8894 §3.2.1.2); GetCertInitial is called CertPoll in RFC 8894. */
export const SCEP_MESSAGE_TYPES = {
  CertRep: '3',
  RenewalReq: '17',
  PKCSReq: '19',
  GetCertInitial: '20',
  GetCert: '21',
  GetCRL: '22',
} as const;
export type ScepMessageType = keyof typeof SCEP_MESSAGE_TYPES;

/** pkiStatus values (RFC 8894 §3.2.1.3). */
export const PKI_STATUS = { success: '0', failure: '2', pending: '3' } as const;
export type PkiStatus = keyof typeof PKI_STATUS;

/** failInfo values (RFC 8894 §3.2.1.4). */
export const FAIL_INFO = { badAlg: '0', badMessageCheck: '1', badRequest: '2', badTime: '3', badCertId: '4' } as const;
export type FailInfo = keyof typeof FAIL_INFO;

function reverseLookup<K extends string>(table: Record<K, string>, value: string, what: string): K {
  const hit = (Object.keys(table) as K[]).find((k) => table[k] === value);
  if (!hit) throw new CertsError('badScepMessage', `unknown ${what} ${JSON.stringify(value)}`);
  return hit;
}

/** Everything that goes into a pkiMessage. */
export interface PkiMessageSpec {
  messageType: ScepMessageType;
  /** Plaintext for the pkcsPKIEnvelope (CSR, IssuerAndSubject, certs-only...); absent = no content. */
  content?: Buffer;
  /** Certificate the envelope is encrypted to. Required when `content` is given. */
  recipientCertDer?: Buffer;
  signerCertDer: Buffer;
  signerKey: KeyObject;
  transactionId: string;
  senderNonce: Buffer;
  recipientNonce?: Buffer;
  pkiStatus?: PkiStatus;
  failInfo?: FailInfo;
  /** Default aes-256-cbc. */
  cipher?: ContentCipher;
  /** Default sha256. */
  digest?: DigestName;
  includeCertificates?: Buffer[];
}

/** Build any pkiMessage (RFC 8894 §3.2). */
export function buildPkiMessage(spec: PkiMessageSpec): Buffer {
  const attrs: SignedAttributeInput[] = [
    { oid: OID.scepMessageType, values: [printableString(SCEP_MESSAGE_TYPES[spec.messageType])] },
    { oid: OID.scepTransactionId, values: [printableString(spec.transactionId)] },
    { oid: OID.scepSenderNonce, values: [octetString(spec.senderNonce)] },
  ];
  if (spec.recipientNonce) attrs.push({ oid: OID.scepRecipientNonce, values: [octetString(spec.recipientNonce)] });
  if (spec.pkiStatus) attrs.push({ oid: OID.scepPkiStatus, values: [printableString(PKI_STATUS[spec.pkiStatus])] });
  if (spec.failInfo) attrs.push({ oid: OID.scepFailInfo, values: [printableString(FAIL_INFO[spec.failInfo])] });
  let content: Buffer = Buffer.alloc(0);
  if (spec.content) {
    if (!spec.recipientCertDer) throw new CertsError('badScepMessage', 'a pkiMessage with content needs a recipient certificate');
    content = envelope(spec.content, spec.recipientCertDer, { cipher: spec.cipher ?? 'aes-256-cbc' });
  }
  return signCms({
    content,
    // A failure/pending CertRep has no pkcsPKIEnvelope (RFC 8894 §3.3.2). It still carries an empty
    // eContent rather than none, as micromdm's server does: OpenSSL-based clients (certmonger) read a
    // SignedData without eContent as a detached signature and cannot verify the reply at all.
    detached: false,
    signerCertDer: spec.signerCertDer,
    signerKey: spec.signerKey,
    extraSignedAttributes: attrs,
    digest: spec.digest ?? 'sha256',
    ...(spec.includeCertificates ? { includeCertificates: spec.includeCertificates } : {}),
  });
}

/** Options of buildPkcsReq. */
export interface PkcsReqSpec {
  csrDer: Buffer;
  /** The requester's (usually self-signed) certificate, see makeSelfSignedRequesterCert. */
  signerCertDer: Buffer;
  signerKey: KeyObject;
  /** The CA (or RA) encryption certificate from GetCACert. */
  recipientCaCertDer: Buffer;
  transactionId: string;
  senderNonce: Buffer;
  cipher?: ContentCipher;
  digest?: DigestName;
  /** RenewalReq when re-enrolling with an existing certificate (RFC 8894 §3.3.1.2). */
  messageType?: 'PKCSReq' | 'RenewalReq';
}

/** Build a PKCSReq: the CSR enveloped to the CA, signed by the requester (RFC 8894 §3.3.1). */
export function buildPkcsReq(spec: PkcsReqSpec): Buffer {
  return buildPkiMessage({
    messageType: spec.messageType ?? 'PKCSReq',
    content: spec.csrDer,
    recipientCertDer: spec.recipientCaCertDer,
    signerCertDer: spec.signerCertDer,
    signerKey: spec.signerKey,
    transactionId: spec.transactionId,
    senderNonce: spec.senderNonce,
    ...(spec.cipher ? { cipher: spec.cipher } : {}),
    ...(spec.digest ? { digest: spec.digest } : {}),
  });
}

/** A verified pkiMessage. */
export interface PkiMessage {
  messageType: ScepMessageType;
  transactionId: string;
  senderNonce: Buffer;
  recipientNonce?: Buffer;
  pkiStatus?: PkiStatus;
  failInfo?: FailInfo;
  /** DER of the certificate that signed the message. */
  signerCertificate: Buffer;
  certificates: Buffer[];
  /** The pkcsPKIEnvelope (ContentInfo EnvelopedData DER), still encrypted; open with openEnvelope. */
  envelopedData?: Buffer;
  digestAlgorithm: DigestName;
}

function stringAttr(attrs: Map<string, Buffer[]>, attrOid: string): string | undefined {
  const t = singleAttribute(attrs, attrOid);
  return t ? readString(t) : undefined;
}

function octetAttr(attrs: Map<string, Buffer[]>, attrOid: string): Buffer | undefined {
  const t = singleAttribute(attrs, attrOid);
  if (!t) return undefined;
  if (t.tag !== Tag.OCTET_STRING) throw new CertsError('badScepMessage', `nonce attribute ${attrOid} is not an OCTET STRING`);
  return Buffer.from(contentOf(t));
}

const REQUEST_TYPES = new Set<ScepMessageType>(['PKCSReq', 'RenewalReq', 'GetCertInitial', 'GetCert', 'GetCRL']);

/** A pkiMessage read within its limits but not verified: the SCEP attributes are the sender's claims. */
export interface UnverifiedPkiMessage {
  signedData: UnverifiedSignedData;
  /** As sent: trustworthy only once verifyPkiMessage has run, but what a FAILURE reply echoes (RFC 8894 §3.3.2). */
  claimed: { messageType: ScepMessageType; transactionId: string; senderNonce: Buffer };
}

/**
 * Read a pkiMessage (RFC 8894 §3.2): the SignedData within `limits` with its one signer, and the
 * messageType, transactionID and senderNonce it claims. No signature is checked.
 */
export function readPkiMessage(der: Buffer, limits: Partial<CmsLimits> = {}): UnverifiedPkiMessage {
  const signedData = readSignedData(der, limits);
  const attrs = signedData.signerInfo.signedAttributes;
  const typeText = stringAttr(attrs, OID.scepMessageType);
  const transactionId = stringAttr(attrs, OID.scepTransactionId);
  const senderNonce = octetAttr(attrs, OID.scepSenderNonce);
  if (typeText === undefined || transactionId === undefined || senderNonce === undefined) {
    throw new CertsError('badScepMessage', 'pkiMessage lacks messageType, transactionID or senderNonce');
  }
  // Every reply echoes the transactionID as a PrintableString (RFC 8894 §3.2.1.1): one that is not
  // such a string could not be answered, so the message is malformed.
  if (!isPrintable(transactionId)) throw new CertsError('badScepMessage', 'the transactionID is not a PrintableString (RFC 8894 §3.2.1.1)');
  return { signedData, claimed: { messageType: reverseLookup(SCEP_MESSAGE_TYPES, typeText, 'messageType'), transactionId, senderNonce } };
}

/** Verify what readPkiMessage read (CMS RFC 5652 §5.6, signer checked by `acceptSigner` first). */
export function verifyPkiMessage(unverified: UnverifiedPkiMessage, acceptSigner: SignerPolicy, keyLimits?: RsaKeyLimits): PkiMessage {
  const sd = unverified.signedData;
  const verified = verifySignedData(sd, sd.content ?? Buffer.alloc(0), acceptSigner, keyLimits);
  const attrs = verified.signedAttributes;
  const { messageType, transactionId, senderNonce } = unverified.claimed;
  const msg: PkiMessage = {
    messageType,
    transactionId,
    senderNonce,
    signerCertificate: verified.signerCertificate,
    certificates: verified.certificates,
    digestAlgorithm: verified.digestAlgorithm,
  };
  const recipientNonce = octetAttr(attrs, OID.scepRecipientNonce);
  if (recipientNonce) msg.recipientNonce = recipientNonce;
  const status = stringAttr(attrs, OID.scepPkiStatus);
  if (status !== undefined) msg.pkiStatus = reverseLookup(PKI_STATUS, status, 'pkiStatus');
  const fail = stringAttr(attrs, OID.scepFailInfo);
  if (fail !== undefined) msg.failInfo = reverseLookup(FAIL_INFO, fail, 'failInfo');
  if (sd.content && sd.content.length > 0) msg.envelopedData = sd.content;
  if (REQUEST_TYPES.has(messageType) && !msg.envelopedData) {
    throw new CertsError('badScepMessage', `${messageType} without pkcsPKIEnvelope`);
  }
  if (messageType === 'CertRep' && !msg.pkiStatus) throw new CertsError('badScepMessage', 'CertRep without pkiStatus');
  return msg;
}

/** Read and verify a pkiMessage (RFC 8894 §3.2). */
export function parsePkiMessage(der: Buffer, opts: { acceptSigner: SignerPolicy; limits?: Partial<CmsLimits> }): PkiMessage {
  return verifyPkiMessage(readPkiMessage(der, opts.limits), opts.acceptSigner);
}

/** Options of buildCertRep. */
export interface CertRepSpec {
  status: PkiStatus;
  failInfo?: FailInfo;
  /** The issued certificate (status success). */
  issuedCertDer?: Buffer;
  /** More certificates for the degenerate SignedData (e.g. the CA chain). */
  extraCertsDer?: Buffer[];
  caCertDer: Buffer;
  caKey: KeyObject;
  /** The requester's signer certificate, to encrypt the reply to (RFC 8894 §3.3.2). */
  recipientCertDer: Buffer;
  transactionId: string;
  /** The request's senderNonce. */
  recipientNonce: Buffer;
  senderNonce: Buffer;
  cipher?: ContentCipher;
  digest?: DigestName;
}

/** Build a CertRep (RFC 8894 §3.3.2): on success the envelope holds a certs-only SignedData. */
export function buildCertRep(spec: CertRepSpec): Buffer {
  if (spec.status === 'success' && !spec.issuedCertDer) throw new CertsError('badScepMessage', 'success CertRep needs the issued certificate');
  if (spec.status === 'failure' && !spec.failInfo) throw new CertsError('badScepMessage', 'failure CertRep needs a failInfo');
  const content =
    spec.status === 'success' ? buildCertsOnlySignedData([spec.issuedCertDer!, ...(spec.extraCertsDer ?? [])]) : undefined;
  return buildPkiMessage({
    messageType: 'CertRep',
    ...(content ? { content, recipientCertDer: spec.recipientCertDer } : {}),
    signerCertDer: spec.caCertDer,
    signerKey: spec.caKey,
    transactionId: spec.transactionId,
    senderNonce: spec.senderNonce,
    recipientNonce: spec.recipientNonce,
    pkiStatus: spec.status,
    ...(spec.status === 'failure' ? { failInfo: spec.failInfo! } : {}),
    ...(spec.cipher ? { cipher: spec.cipher } : {}),
    ...(spec.digest ? { digest: spec.digest } : {}),
  });
}

/** What a requester learns from a CertRep. */
export interface CertRepResult {
  status: PkiStatus;
  failInfo?: FailInfo;
  /** The certificate for our key (success only). */
  issuedCertDer?: Buffer;
  /** Every certificate of the certs-only reply (success only). */
  certificates?: Buffer[];
  /** The content cipher the CA encrypted the reply with (success only): a requester may warn about a weak one. */
  contentCipher?: ContentCipher | LegacyContentCipher;
  transactionId: string;
  senderNonce: Buffer;
  recipientNonce?: Buffer;
  signerCertificate: Buffer;
}

/** Checks parseCertRep can make on the reply. */
export interface ParseCertRepOptions {
  /** Our signer certificate: picks our RecipientInfo. */
  requesterCertDer?: Buffer;
  /** The CA certificate(s) from GetCACert: the reply must be signed by one or by a certificate it issued (default: any signer). */
  trustedSigners?: Buffer[];
  expectedTransactionId?: string;
  /** Our request's senderNonce, which must come back as recipientNonce (RFC 8894 §3.2.1.5). */
  expectedRecipientNonce?: Buffer;
  /**
   * Read a reply encrypted with single DES too (legacy-ciphers.ts): widely deployed SCEP servers
   * answer with it whatever the request used, and iOS accepts it. Default false.
   */
  acceptLegacyCiphers?: boolean;
}

/** Verify and open a CertRep on the requester's side (RFC 8894 §3.3.2). */
export function parseCertRep(der: Buffer, requesterKey: KeyObject, opts: ParseCertRepOptions = {}): CertRepResult {
  const msg = parsePkiMessage(der, { acceptSigner: opts.trustedSigners ? issuedBy(opts.trustedSigners) : anySigner });
  if (msg.messageType !== 'CertRep') throw new CertsError('badScepMessage', `expected CertRep, got ${msg.messageType}`);
  if (opts.expectedTransactionId !== undefined && msg.transactionId !== opts.expectedTransactionId) {
    throw new CertsError('badScepMessage', 'CertRep transactionID does not match the request');
  }
  if (opts.expectedRecipientNonce && !(msg.recipientNonce && msg.recipientNonce.equals(opts.expectedRecipientNonce))) {
    throw new CertsError('badScepMessage', 'CertRep recipientNonce does not match our senderNonce');
  }
  const result: CertRepResult = {
    status: msg.pkiStatus!,
    transactionId: msg.transactionId,
    senderNonce: msg.senderNonce,
    signerCertificate: msg.signerCertificate,
  };
  if (msg.recipientNonce) result.recipientNonce = msg.recipientNonce;
  if (msg.failInfo) result.failInfo = msg.failInfo;
  if (result.status === 'success') {
    if (!msg.envelopedData) throw new CertsError('badScepMessage', 'success CertRep without pkcsPKIEnvelope');
    const opened = openEnvelopeReporting(msg.envelopedData, requesterKey, {
      ...(opts.requesterCertDer ? { recipientCertDer: opts.requesterCertDer } : {}),
      acceptLegacyCiphers: opts.acceptLegacyCiphers === true,
    });
    const certs = parseCertsOnly(opened.content);
    const ours = spkiDer(createPublicKey(requesterKey));
    const issued = certs.find((c) => parseCertificate(c).spki.equals(ours)) ?? certs[0];
    if (!issued) throw new CertsError('badScepMessage', 'success CertRep holds no certificate');
    result.issuedCertDer = issued;
    result.certificates = certs;
    result.contentCipher = opened.cipher;
  }
  return result;
}

/** The temporary self-signed certificate a SCEP client signs its request with (RFC 8894 §2.3). */
export function makeSelfSignedRequesterCert(
  keyPair: RsaKeyPair,
  subject: NameInput,
  opts: { now?: Date; validityDays?: number } = {},
): Buffer {
  const now = opts.now ?? new Date();
  return buildCertificate({
    subject,
    issuer: subject,
    notBefore: new Date(now.getTime() - 5 * 60_000),
    notAfter: new Date(now.getTime() + (opts.validityDays ?? 30) * 86_400_000),
    subjectPublicKey: keyPair.publicKey,
    issuerPrivateKey: keyPair.privateKey,
    extensions: { keyUsage: ['digitalSignature', 'keyEncipherment'] },
  });
}

/** Conventional transactionID: hex SHA-256 (or SHA-1) of the requester's public key (RFC 8894 §3.2.1.1). */
export function scepTransactionId(publicKey: KeyObject, digest: 'sha256' | 'sha1' = 'sha256'): string {
  return publicKeyFingerprint(publicKey, digest);
}
