import { createHash } from 'node:crypto';
import { envelopeCipher, openEnvelope } from '../../certs/cms-enveloped.js';
import { parseCsr } from '../../certs/csr.js';
import { isCertsError } from '../../certs/errors.js';
import { buildCertRep, parsePkiMessage, type FailInfo, type PkiMessage } from '../../certs/scep-message.js';
import { randomBytes } from 'node:crypto';
import { ProtocolError } from '../errors/protocol-error.js';
import type { Repositories } from '../store/port.js';
import type { ScepChallengeRecord } from '../store/records.js';
import type { AppleContext } from './apple-context.js';

/**
 * The SCEP server (RFC 8894) of the lab CA. One-time challenges decide what a request may get:
 * an `enrollment` challenge (from an enrollment profile) gets a device identity for MDM; a
 * `certificateProfile` challenge (from an email profile) gets an identity for Exchange
 * certificate authentication or S/MIME signing. A bad, spent or expired challenge is answered
 * in SCEP's own form: a CertRep with pkiStatus FAILURE and failInfo badRequest (§3.3.3).
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
    let msg: PkiMessage;
    try {
      msg = parsePkiMessage(der);
    } catch (err) {
      throw new ProtocolError('badScepRequest', `not a signed SCEP pkiMessage: ${isCertsError(err) ? err.message : 'unreadable'}`);
    }
    if (!msg.envelopedData) throw new ProtocolError('badScepRequest', 'the pkiMessage carries no enveloped request');
    const reply = (status: 'success' | 'failure', extra: { failInfo?: FailInfo; issuedCertDer?: Buffer }) =>
      buildCertRep({
        status,
        ...extra,
        caCertDer: this.ctx.ca.certDer,
        caKey: this.ctx.ca.privateKey,
        recipientCertDer: msg.signerCertificate,
        transactionId: msg.transactionId,
        recipientNonce: msg.senderNonce,
        senderNonce: randomBytes(16),
        // Only a success carries a pkcsPKIEnvelope; a failure must not depend on reading the
        // request's cipher (it may be the very thing we refuse: badAlg below).
        ...(extra.issuedCertDer ? { cipher: envelopeCipher(msg.envelopedData!) } : {}),
      });
    if (msg.messageType !== 'PKCSReq') {
      // No pending requests and no renewal here: nothing to poll for or renew.
      return reply('failure', { failInfo: msg.messageType === 'GetCertInitial' ? 'badCertId' : 'badRequest' });
    }
    let csrDer: Buffer;
    try {
      csrDer = openEnvelope(msg.envelopedData, this.ctx.ca.privateKey, this.ctx.ca.certDer);
    } catch (err) {
      // RFC 8894 §3.2.1.4 badAlg: a content cipher or key transport we do not implement. Single
      // DES is what the micromdm/scep library sends by default (go.mozilla.org/pkcs7's default)
      // unless its caller picks AES from GetCACaps. Answered before the challenge is read, so the
      // client can retry with a cipher we advertise.
      if (isCertsError(err, 'unsupportedAlgorithm')) return reply('failure', { failInfo: 'badAlg' });
      throw new ProtocolError('badScepRequest', `the request is not encrypted to this CA: ${isCertsError(err) ? err.message : 'unreadable'}`);
    }
    let csr;
    try {
      csr = parseCsr(csrDer);
    } catch {
      return reply('failure', { failInfo: 'badRequest' });
    }
    if (!csr.signatureValid) return reply('failure', { failInfo: 'badMessageCheck' });
    const at = this.ctx.now();
    const issued = await this.ctx.store.transaction(async (tx) => {
      const challenge = await this.spendChallenge(tx, csr.challengePassword, at.toISOString());
      if (!challenge) return undefined;
      const profile = challenge.certificateProfileId ? await tx.certificateProfiles.get(challenge.certificateProfileId) : undefined;
      const cert = this.ctx.ca.issueFromCsr(csrDer, {
        validityDays: profile?.scep?.validityDays ?? 365,
        extendedKeyUsage: challenge.purpose === 'enrollment' ? ['clientAuth'] : ['clientAuth', 'emailProtection'],
        now: at,
      });
      await tx.issuedCertificates.insert({
        serial: cert.serialHex,
        fingerprintSha256: createHash('sha256').update(cert.certDer).digest('hex'),
        subject: cert.subjectString,
        purpose: challenge.purpose,
        challenge: challenge.challenge,
        ...(challenge.userId ? { userId: challenge.userId } : {}),
        ...(challenge.deviceId ? { deviceId: challenge.deviceId } : {}),
        ...(challenge.certificateProfileId ? { certificateProfileId: challenge.certificateProfileId } : {}),
        issuedAt: at.toISOString(),
        notAfter: cert.notAfter.toISOString(),
      });
      return cert;
    });
    if (!issued) {
      this.ctx.log.warn({ transactionId: msg.transactionId }, 'SCEP request refused: challenge unknown, expired or already used');
      return reply('failure', { failInfo: 'badRequest' });
    }
    this.ctx.log.info({ transactionId: msg.transactionId, serial: issued.serialHex, subject: issued.subjectString }, 'SCEP certificate issued');
    return reply('success', { issuedCertDer: issued.certDer });
  }

  private async spendChallenge(tx: Repositories, challenge: string | undefined, at: string): Promise<ScepChallengeRecord | undefined> {
    if (!challenge) return undefined;
    const record = await tx.scepChallenges.get(challenge);
    if (!record || record.expiresAt < at) return undefined;
    return (await tx.scepChallenges.spend(challenge, at)) ? record : undefined;
  }
}
