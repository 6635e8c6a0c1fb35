/**
 * CMS EnvelopedData (RFC 5652 §6) with KeyTransRecipientInfo and RSAES-PKCS1-v1_5 key transport,
 * the form iOS, micromdm/scep and certmonger use for the SCEP pkcsPKIEnvelope (RFC 8894 §3.2.2).
 * Content ciphers: AES-CBC (RFC 3565) and 3DES-CBC (RFC 3370 §5.1, still sent by older clients);
 * a device opening a server's reply may also accept single DES (legacy-ciphers.ts).
 */
import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { cipherFromOid, cipherInfo, readAlgorithmIdentifier, type ContentCipher } from './algorithms.js';
import { certificatePublicKey, parseCertificate, type CertificateInfo } from './certificate.js';
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
  integer,
  isContext,
  NULL,
  octetString,
  octetsOf,
  oid,
  readOid,
  seq,
  setOf,
  Tag,
  tlv,
  type Tlv,
} from './der.js';
import { CertsError } from './errors.js';
import { checkClientKey } from './key-limits.js';
import { decryptLegacy, legacyCipherFromOid, type LegacyContentCipher } from './legacy-ciphers.js';
import { OID } from './oids.js';
import { rsaPkcs1Decrypt, rsaPkcs1Encrypt } from './rsa-pkcs1.js';

/** Options of envelope. */
export interface EnvelopeOptions {
  /** Default aes-256-cbc. */
  cipher?: ContentCipher;
  /** Inner content type; default id-data. */
  contentType?: string;
}

/** 3DES keys carry odd parity in the low bit of each byte (FIPS 46-3); some decoders check it. */
function setDesParity(key: Buffer): Buffer {
  for (let i = 0; i < key.length; i++) {
    let b = key[i]! & 0xfe;
    let ones = 0;
    for (let v = b; v; v >>= 1) ones += v & 1;
    if (ones % 2 === 0) b |= 1;
    key[i] = b;
  }
  return key;
}

/** Encrypt `content` to one or more recipient certificates (RFC 5652 §6.1, §6.2.1). */
export function envelope(content: Buffer, recipientCertDer: Buffer | Buffer[], opts: EnvelopeOptions = {}): Buffer {
  const cipher = opts.cipher ?? 'aes-256-cbc';
  const info = cipherInfo(cipher);
  const cek = randomBytes(info.keyLength);
  if (cipher === 'des-ede3-cbc') setDesParity(cek);
  const iv = randomBytes(info.ivLength);
  const c = createCipheriv(cipher, cek, iv); // PKCS#7 padding as RFC 5652 §6.3 requires
  const encrypted = Buffer.concat([c.update(content), c.final()]);
  const recipients = (Array.isArray(recipientCertDer) ? recipientCertDer : [recipientCertDer]).map((der) => {
    const cert = parseCertificate(der);
    // The recipient's key is someone else's (a SCEP requester's, a CA's from GetCACert): an RSA
    // encryption costs an exponentiation by its public exponent, so it is bounded first.
    checkClientKey(cert.spki);
    return seq(
      integer(0), // version 0: rid is issuerAndSerialNumber
      issuerAndSerialNumber(cert),
      seq(oid(OID.rsaEncryption), NULL),
      octetString(rsaPkcs1Encrypt(certificatePublicKey(cert), cek)),
    );
  });
  const envelopedData = seq(
    integer(0), // no originatorInfo, only v0 KeyTransRecipientInfo, no unprotectedAttrs (§6.1)
    setOf(recipients),
    seq(oid(opts.contentType ?? OID.data), seq(oid(info.oid), octetString(iv)), tlv(0x80, encrypted)),
  );
  return wrapContentInfo(OID.envelopedData, envelopedData);
}

interface KeyTransRecipient {
  rid: CertificateReference;
  keyEncryptionAlgorithm: string;
  encryptedKey: Buffer;
}

interface ParsedEnvelope {
  recipients: KeyTransRecipient[];
  contentType: string;
  /** The contentEncryptionAlgorithm OID; which ciphers are accepted is the opener's choice. */
  cipherOid: string;
  iv: Buffer;
  encryptedContent: Buffer;
}

function parseEnvelope(der: Buffer): ParsedEnvelope {
  try {
    const ed = unwrapContentInfo(der, OID.envelopedData, 'EnvelopedData');
    const parts = children(expectTag(ed, Tag.SEQUENCE, 'EnvelopedData'));
    let i = 1;
    if (isContext(parts[i], 0)) i++; // originatorInfo
    const recipients: KeyTransRecipient[] = [];
    for (const ri of children(expectTag(parts[i++], Tag.SET, 'recipientInfos'))) {
      if (ri.tag !== Tag.SEQUENCE) continue; // kari/kekri/pwri/ori: not for an RSA key holder
      const [, ridT, algT, keyT] = children(ri);
      recipients.push({
        rid: readCertificateReference(ridT),
        keyEncryptionAlgorithm: readAlgorithmIdentifier(algT, 'keyEncryptionAlgorithm').oid,
        encryptedKey: octetsOf(expectTag(keyT, Tag.OCTET_STRING, 'encryptedKey')),
      });
    }
    const [typeT, algT, encT] = children(expectTag(parts[i], Tag.SEQUENCE, 'encryptedContentInfo'));
    const alg = readAlgorithmIdentifier(algT, 'contentEncryptionAlgorithm');
    if (!alg.params || alg.params.tag !== Tag.OCTET_STRING) throw new CertsError('badCms', 'content-encryption IV missing');
    if (!isContext(encT, 0)) throw new CertsError('badCms', 'encryptedContent missing');
    return {
      recipients,
      contentType: readOid(expectTag(typeT, Tag.OID, 'contentType')),
      cipherOid: alg.oid,
      iv: contentOf(alg.params),
      encryptedContent: encT.constructed ? Buffer.concat(children(encT).map((s: Tlv) => octetsOf(s))) : contentOf(encT),
    };
  } catch (err) {
    if (err instanceof CertsError && err.code !== 'badDer') throw err;
    throw new CertsError('badCms', `malformed EnvelopedData: ${(err as Error).message}`, { cause: err });
  }
}

/** The cipher of an envelope, decided before any RSA work: unsupported ones are refused first. */
function contentCipherOf(p: ParsedEnvelope, acceptLegacy: boolean): ContentCipher | LegacyContentCipher {
  const legacy = acceptLegacy ? legacyCipherFromOid(p.cipherOid) : undefined;
  return legacy ?? cipherFromOid(p.cipherOid);
}

function decryptContent(p: ParsedEnvelope, cipher: ContentCipher | LegacyContentCipher, cek: Buffer): Buffer {
  if (cipher === 'des-cbc') return decryptLegacy(cipher, cek, p.iv, p.encryptedContent);
  const info = cipherInfo(cipher);
  if (cek.length !== info.keyLength || p.iv.length !== info.ivLength) {
    throw new CertsError('badPadding', `content key/IV size does not fit ${cipher}`);
  }
  try {
    const d = createDecipheriv(cipher, cek, p.iv);
    return Buffer.concat([d.update(p.encryptedContent), d.final()]);
  } catch (err) {
    throw new CertsError('badPadding', `content decryption failed: ${(err as Error).message}`, { cause: err });
  }
}

/** Without our certificate to pick our RecipientInfo, how many are tried: each costs an RSA private operation. */
const MAX_BLIND_ATTEMPTS = 4;

/**
 * Decrypt an EnvelopedData with our RSA private key (RFC 5652 §6.2.1, §6.3). With `recipientCertDer`
 * only the first RecipientInfo naming it is tried (notForUs if none): a sender writes one per
 * recipient, and each attempt is an RSA private operation, so a message repeating ours many times
 * with bogus keys must not buy one each. Without it the first few are tried.
 */
export function openEnvelope(der: Buffer, recipientPrivateKey: KeyObject, recipientCertDer?: Buffer): Buffer {
  return openEnvelopeReporting(der, recipientPrivateKey, recipientCertDer ? { recipientCertDer } : {}).content;
}

/** Options of openEnvelopeReporting. */
export interface OpenEnvelopeOptions {
  /** Our certificate: picks our RecipientInfo (see openEnvelope). */
  recipientCertDer?: Buffer;
  /**
   * Also read single DES-CBC (legacy-ciphers.ts). For a device reading what a server sent it
   * (iOS accepts DES SCEP replies); never for a server reading what a client sent.
   */
  acceptLegacyCiphers?: boolean;
}

/** The decrypted content and the cipher the sender used (a reader may warn about a weak one). */
export interface OpenedEnvelope {
  content: Buffer;
  cipher: ContentCipher | LegacyContentCipher;
}

/** openEnvelope, also saying which content cipher the sender chose. */
export function openEnvelopeReporting(der: Buffer, recipientPrivateKey: KeyObject, opts: OpenEnvelopeOptions = {}): OpenedEnvelope {
  const { recipientCertDer } = opts;
  const p = parseEnvelope(der);
  const cipher = contentCipherOf(p, opts.acceptLegacyCiphers === true);
  let candidates = p.recipients.slice(0, MAX_BLIND_ATTEMPTS);
  if (recipientCertDer) {
    const cert: CertificateInfo = parseCertificate(recipientCertDer);
    const ours = p.recipients.find((r) => referencesCertificate(r.rid, cert));
    candidates = ours ? [ours] : [];
  }
  if (candidates.length === 0) throw new CertsError('notForUs', 'no KeyTransRecipientInfo for our certificate');
  let lastError: CertsError | undefined;
  for (const r of candidates) {
    if (r.keyEncryptionAlgorithm !== OID.rsaEncryption) {
      lastError = new CertsError('unsupportedAlgorithm', `key transport ${r.keyEncryptionAlgorithm} not supported`);
      continue;
    }
    try {
      return { content: decryptContent(p, cipher, rsaPkcs1Decrypt(recipientPrivateKey, r.encryptedKey)), cipher };
    } catch (err) {
      if (!(err instanceof CertsError)) throw err;
      lastError = err;
    }
  }
  throw lastError ?? new CertsError('notForUs', 'no recipient could be decrypted');
}

/** The content cipher an EnvelopedData was made with (a SCEP CA answers in the client's cipher). */
export function envelopeCipher(der: Buffer): ContentCipher {
  return cipherFromOid(parseEnvelope(der).cipherOid);
}
