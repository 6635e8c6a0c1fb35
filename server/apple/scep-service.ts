import { createHash, randomBytes } from 'node:crypto';
import type { IssuedCertificate } from '../../certs/authority.js';
import { envelopeCipher, openEnvelope } from '../../certs/cms-enveloped.js';
import { anySigner, type CmsLimits } from '../../certs/cms-verify.js';
import { parseCsr, type ParsedCsr } from '../../certs/csr.js';
import { isCertsError } from '../../certs/errors.js';
import { CLIENT_RSA_KEY_LIMITS } from '../../certs/key-limits.js';
import { buildCertRep, readPkiMessage, verifyPkiMessage, type CertRepSpec, type FailInfo, type PkiMessage, type UnverifiedPkiMessage } from '../../certs/scep-message.js';
import { ProtocolError } from '../errors/protocol-error.js';
import type { Repositories } from '../store/port.js';
import type { ScepChallengeRecord } from '../store/records.js';
import type { AppleContext } from './apple-context.js';

/**
 * The largest pkiMessage taken, by POST or GET. A PKCSReq is a few KB: a 4096-bit key's CSR
 * enveloped to us, its self-signed certificate and one SignerInfo come to about 5 KB, and the
 * four certificates a request may embed to about 10 KB.
 */
export const SCEP_MESSAGE_LIMIT = 32 * 1024;
/** A requester signs with its own certificate, which may come with its chain (RFC 8894 §3.2). */
const PKI_MESSAGE_LIMITS: CmsLimits = { maxBytes: SCEP_MESSAGE_LIMIT, maxCertificates: 4 };
/** The Keysize the enrollment profile's SCEP payload asks for: the least a device identity request may have. */
export const ENROLLMENT_KEY_BITS = 2048;

type Issuance = { issued: IssuedCertificate; reply: Buffer } | { refused: 'challenge' } | { refused: 'keySize'; required: number };

/**
 * The SCEP server (RFC 8894) of the lab CA. One-time challenges decide what a request may get:
 * an `enrollment` challenge (from an enrollment profile) gets a device identity for MDM; a
 * `certificateProfile` challenge (from an email profile) gets an identity for Exchange
 * certificate authentication or S/MIME signing. Cheap checks first: the message's shape (size,
 * one signer, a few certificates), then the requester's key (RSA within the client key limits,
 * before any RSA work with it), then the CSR, and only then the challenge, inside one unit of
 * work with the issuance and the reply. Refusals are answered in SCEP's own form, a CertRep with
 * pkiStatus FAILURE (§3.3.2): badAlg for a key or cipher we do not take, badMessageCheck for a
 * CSR whose signature fails, badRequest for a bad, spent or expired challenge or a key smaller
 * than the challenge asks for (§3.2.1.4). A message that is not a pkiMessage at all is a 400.
 */
export class ScepService {
  constructor(private readonly ctx: AppleContext) {}

  /** GetCACaps (§3.5.2): what the CA supports, one keyword a line. */
  caps(): string {
    return ['AES', 'DES3', 'POSTPKIOperation', 'SCEPStandard', 'SHA-1', 'SHA-256', 'SHA-512'].join('\n');
  }

  /** GetCACert (§4.2): a single CA, no RA: the DER certificate itself. */
  caCert(): Buffer {
    return this.ctx.ca.certDer;
  }

  /** PKIOperation (§4.3): a PKCSReq in, a CertRep out. Garbage is a ProtocolError (HTTP 400). */
  async pkiOperation(der: Buffer): Promise<Buffer> {
    let unverified: UnverifiedPkiMessage;
    try {
      unverified = readPkiMessage(der, PKI_MESSAGE_LIMITS);
    } catch (err) {
      if (!isCertsError(err)) throw err; // ours, not the client's: a 500, logged
      throw new ProtocolError('badScepRequest', `not a signed SCEP pkiMessage: ${err.message}`);
    }
    const failure = (failInfo: FailInfo) => this.reply(unverified, 'failure', { failInfo });
    let msg: PkiMessage;
    try {
      msg = verifyPkiMessage(unverified, anySigner);
    } catch (err) {
      // A requester key we do not take (not RSA, or outside the sizes a SCEP payload offers) is
      // refused before any RSA work with it; the FAILURE echoes the message's claimed
      // transactionID and nonce, as a reply to a message that cannot be verified does (§3.3.2).
      if (!isCertsError(err)) throw err;
      if (err.code === 'keyNotAllowed') return failure('badAlg');
      throw new ProtocolError('badScepRequest', `not a signed SCEP pkiMessage: ${err.message}`);
    }
    if (msg.messageType !== 'PKCSReq') {
      // No pending requests and no renewal here: nothing to poll for or renew.
      return failure(msg.messageType === 'GetCertInitial' ? 'badCertId' : 'badRequest');
    }
    let csrDer: Buffer;
    try {
      csrDer = openEnvelope(msg.envelopedData!, this.ctx.ca.privateKey, this.ctx.ca.certDer);
    } catch (err) {
      // RFC 8894 §3.2.1.4 badAlg: a content cipher or key transport we do not implement. Single
      // DES is what the micromdm/scep library sends by default (go.mozilla.org/pkcs7's default)
      // unless its caller picks AES from GetCACaps. Answered before the challenge is read, so the
      // client can retry with a cipher we advertise.
      if (!isCertsError(err)) throw err;
      if (err.code === 'unsupportedAlgorithm') return failure('badAlg');
      throw new ProtocolError('badScepRequest', `the request is not encrypted to this CA: ${err.message}`);
    }
    let csr: ParsedCsr;
    try {
      csr = parseCsr(csrDer);
    } catch (err) {
      if (!isCertsError(err)) throw err;
      return failure(err.code === 'keyNotAllowed' ? 'badAlg' : 'badRequest');
    }
    if (!csr.signatureValid) return failure('badMessageCheck');
    const outcome = await this.issue(msg, unverified, csr);
    if ('refused' in outcome) {
      const why = outcome.refused === 'keySize'
        ? `a ${csr.key.modulusBits}-bit key where the challenge asks for at least ${outcome.required} bits`
        : 'challenge unknown, expired or already used';
      this.ctx.log.warn({ transactionId: msg.transactionId }, `SCEP request refused: ${why}`);
      return failure('badRequest');
    }
    this.ctx.log.info({ transactionId: msg.transactionId, serial: outcome.issued.serialHex, subject: outcome.issued.subjectString }, 'SCEP certificate issued');
    return outcome.reply;
  }

  /**
   * One unit of work: the challenge is read and judged (with the key size it asks for), spent,
   * the certificate issued and recorded, and the reply built; any failure leaves nothing spent
   * and nothing recorded.
   */
  private issue(msg: PkiMessage, unverified: UnverifiedPkiMessage, csr: ParsedCsr): Promise<Issuance> {
    const at = this.ctx.now();
    return this.ctx.store.transaction(async (tx): Promise<Issuance> => {
      const challenge = await this.usableChallenge(tx, csr.challengePassword, at.toISOString());
      if (!challenge) return { refused: 'challenge' };
      const profile = challenge.certificateProfileId ? await tx.certificateProfiles.get(challenge.certificateProfileId) : undefined;
      const required = challenge.purpose === 'enrollment' ? ENROLLMENT_KEY_BITS : (profile?.scep?.keySize ?? CLIENT_RSA_KEY_LIMITS.minModulusBits);
      if (csr.key.modulusBits < required) return { refused: 'keySize', required };
      if (!(await tx.scepChallenges.spend(challenge.challenge, at.toISOString()))) return { refused: 'challenge' };
      const issued = this.ctx.ca.issueFromCsr(csr, {
        validityDays: profile?.scep?.validityDays ?? 365,
        extendedKeyUsage: challenge.purpose === 'enrollment' ? ['clientAuth'] : ['clientAuth', 'emailProtection'],
        now: at,
      });
      await tx.issuedCertificates.insert({
        serial: issued.serialHex,
        fingerprintSha256: createHash('sha256').update(issued.certDer).digest('hex'),
        subject: issued.subjectString,
        purpose: challenge.purpose,
        challenge: challenge.challenge,
        ...(challenge.userId ? { userId: challenge.userId } : {}),
        ...(challenge.deviceId ? { deviceId: challenge.deviceId } : {}),
        ...(challenge.certificateProfileId ? { certificateProfileId: challenge.certificateProfileId } : {}),
        issuedAt: at.toISOString(),
        notAfter: issued.notAfter.toISOString(),
      });
      // Only a success carries a pkcsPKIEnvelope, encrypted to the requester's (verified) signer
      // certificate with the request's own cipher (§3.3.2).
      const reply = this.reply(unverified, 'success', { issuedCertDer: issued.certDer, cipher: envelopeCipher(msg.envelopedData!) });
      return { issued, reply };
    });
  }

  private reply(unverified: UnverifiedPkiMessage, status: 'success' | 'failure', extra: Pick<CertRepSpec, 'failInfo' | 'issuedCertDer' | 'cipher'>): Buffer {
    return buildCertRep({
      status,
      ...extra,
      caCertDer: this.ctx.ca.certDer,
      caKey: this.ctx.ca.privateKey,
      recipientCertDer: unverified.signedData.signerCertificate.der,
      transactionId: unverified.claimed.transactionId,
      recipientNonce: unverified.claimed.senderNonce,
      senderNonce: randomBytes(16),
    });
  }

  /** The challenge named by the CSR if it exists, has not expired and is not spent. */
  private async usableChallenge(tx: Repositories, challenge: string | undefined, at: string): Promise<ScepChallengeRecord | undefined> {
    if (!challenge) return undefined;
    const record = await tx.scepChallenges.get(challenge);
    if (!record || record.expiresAt < at || record.spentAt) return undefined;
    return record;
  }
}
