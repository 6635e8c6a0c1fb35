import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../certs/authority.js';
import { signCms } from '../../certs/cms-signed.js';
import { openEnvelope } from '../../certs/cms-enveloped.js';
import { anySigner } from '../../certs/cms-verify.js';
import { buildCsr, parseCsr } from '../../certs/csr.js';
import { seq } from '../../certs/der.js';
import { generateRsaKeyPair, privateKeyToPem, type RsaKeyPair } from '../../certs/keys.js';
import { derToPem, pemBlocks } from '../../certs/pem.js';
import {
  buildCertRep,
  buildPkcsReq,
  buildPkiMessage,
  makeSelfSignedRequesterCert,
  parseCertRep,
  parsePkiMessage,
  readPkiMessage,
  scepTransactionId,
  verifyPkiMessage,
} from '../../certs/scep-message.js';
import { withRepeatedSigner } from '../../scripts/bench/abusive-cms.js';
import { expectCertsError, opensslOk, TempDir } from './helpers.js';

const tmp = new TempDir();
let ca: CertificateAuthority;
let rogueCa: CertificateAuthority;
let device: RsaKeyPair;
let requesterCert: Buffer;
let csrDer: Buffer;
const subject = [{ shortName: 'CN', value: 'iPhone-0001' }];

beforeAll(async () => {
  [ca, rogueCa, device] = await Promise.all([
    CertificateAuthority.create({ commonName: 'SCEP CA', organization: 'mdmlab' }),
    CertificateAuthority.create({ commonName: 'Rogue CA' }),
    generateRsaKeyPair(),
  ]);
  requesterCert = makeSelfSignedRequesterCert(device, subject);
  csrDer = buildCsr({ privateKey: device.privateKey, subject, challengePassword: 'enroll-me' });
  tmp.write('ca.pem', ca.certPem);
  tmp.write('ca.key', ca.keyPem);
  tmp.write('req.pem', derToPem(requesterCert, 'CERTIFICATE'));
  tmp.write('req.key', privateKeyToPem(device.privateKey));
});
afterAll(() => tmp.cleanup());

function request(opts: { cipher?: 'aes-256-cbc' | 'des-ede3-cbc' | 'aes-128-cbc'; digest?: 'sha1' | 'sha256' } = {}) {
  const senderNonce = randomBytes(16);
  const transactionId = scepTransactionId(device.publicKey);
  const der = buildPkcsReq({
    csrDer,
    signerCertDer: requesterCert,
    signerKey: device.privateKey,
    recipientCaCertDer: ca.certDer,
    transactionId,
    senderNonce,
    ...opts,
  });
  return { der, senderNonce, transactionId };
}

describe('SCEP enrollment round trip (RFC 8894 §3.3)', () => {
  for (const [cipher, digest] of [
    ['aes-256-cbc', 'sha256'],
    ['des-ede3-cbc', 'sha1'],
  ] as const) {
    it(`PKCSReq → CertRep success with ${cipher}/${digest}`, () => {
      const req = request({ cipher, digest });
      // Server side.
      const msg = parsePkiMessage(req.der, { acceptSigner: anySigner });
      expect(msg.messageType).toBe('PKCSReq');
      expect(msg.transactionId).toBe(req.transactionId);
      expect(msg.transactionId).toMatch(/^[0-9a-f]{64}$/);
      expect(msg.senderNonce.equals(req.senderNonce)).toBe(true);
      expect(msg.signerCertificate.equals(requesterCert)).toBe(true);
      expect(msg.digestAlgorithm).toBe(digest);
      const csr = parseCsr(openEnvelope(msg.envelopedData!, ca.privateKey, ca.certDer));
      expect(csr.challengePassword).toBe('enroll-me');
      expect(csr.subjectString).toBe('CN=iPhone-0001');
      const issued = ca.issueFromCsr(csr.der, { validityDays: 365 });
      const serverNonce = randomBytes(16);
      const rep = buildCertRep({
        status: 'success',
        issuedCertDer: issued.certDer,
        caCertDer: ca.certDer,
        caKey: ca.privateKey,
        recipientCertDer: msg.signerCertificate,
        transactionId: msg.transactionId,
        recipientNonce: msg.senderNonce,
        senderNonce: serverNonce,
        cipher,
        digest,
      });
      // Device side.
      const result = parseCertRep(rep, device.privateKey, {
        requesterCertDer: requesterCert,
        trustedSigners: [ca.certDer],
        expectedTransactionId: req.transactionId,
        expectedRecipientNonce: req.senderNonce,
      });
      expect(result.status).toBe('success');
      expect(result.senderNonce.equals(serverNonce)).toBe(true);
      expect(result.issuedCertDer!.equals(issued.certDer)).toBe(true);
      expect(new X509Certificate(result.issuedCertDer!).verify(ca.publicKey)).toBe(true);
      expect(ca.verifyIssued(result.issuedCertDer!)).toBe(true);
    });
  }

  it('signals failure with failInfo and no envelope, and pending', () => {
    const req = request();
    const msg = parsePkiMessage(req.der, { acceptSigner: anySigner });
    const common = {
      caCertDer: ca.certDer,
      caKey: ca.privateKey,
      recipientCertDer: msg.signerCertificate,
      transactionId: msg.transactionId,
      recipientNonce: msg.senderNonce,
      senderNonce: randomBytes(16),
    };
    const failure = buildCertRep({ ...common, status: 'failure', failInfo: 'badRequest' });
    const parsed = parsePkiMessage(failure, { acceptSigner: anySigner });
    expect(parsed).toMatchObject({ messageType: 'CertRep', pkiStatus: 'failure', failInfo: 'badRequest' });
    expect(parsed.envelopedData).toBeUndefined();
    expect(parsed.recipientNonce?.equals(req.senderNonce)).toBe(true);
    const result = parseCertRep(failure, device.privateKey, { expectedRecipientNonce: req.senderNonce });
    expect(result).toMatchObject({ status: 'failure', failInfo: 'badRequest' });
    expect(result.issuedCertDer).toBeUndefined();
    expect(parseCertRep(buildCertRep({ ...common, status: 'pending' }), device.privateKey).status).toBe('pending');
    expectCertsError(() => buildCertRep({ ...common, status: 'failure' }), 'badScepMessage');
    expectCertsError(() => buildCertRep({ ...common, status: 'success' }), 'badScepMessage');
  });
});

describe('interop with openssl cms', () => {
  it('our PKCSReq verifies with openssl and its envelope decrypts with the CA key to the CSR', () => {
    tmp.write('pkcsreq.der', request({ cipher: 'aes-128-cbc' }).der);
    opensslOk(['cms', '-verify', '-binary', '-noverify', '-inform', 'DER', '-in', 'pkcsreq.der', '-out', 'env.der'], { cwd: tmp.path });
    const csr = opensslOk(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', 'env.der', '-recip', 'ca.pem', '-inkey', 'ca.key'], { cwd: tmp.path });
    expect(csr.equals(csrDer)).toBe(true);
  });

  it('our CertRep verifies against the CA with openssl and yields the issued certificate', () => {
    const req = request();
    const msg = parsePkiMessage(req.der, { acceptSigner: anySigner });
    const issued = ca.issueFromCsr(csrDer, { validityDays: 30 });
    const rep = buildCertRep({
      status: 'success',
      issuedCertDer: issued.certDer,
      extraCertsDer: [ca.certDer],
      caCertDer: ca.certDer,
      caKey: ca.privateKey,
      recipientCertDer: msg.signerCertificate,
      transactionId: msg.transactionId,
      recipientNonce: msg.senderNonce,
      senderNonce: randomBytes(16),
    });
    tmp.write('certrep.der', rep);
    opensslOk(['cms', '-verify', '-binary', '-CAfile', 'ca.pem', '-purpose', 'any', '-inform', 'DER', '-in', 'certrep.der', '-out', 'repenv.der'], { cwd: tmp.path });
    opensslOk(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', 'repenv.der', '-recip', 'req.pem', '-inkey', 'req.key', '-out', 'certs.p7'], { cwd: tmp.path });
    const printed = opensslOk(['pkcs7', '-inform', 'DER', '-in', 'certs.p7', '-print_certs'], { cwd: tmp.path }).toString();
    expect(pemBlocks(printed, 'CERTIFICATE').map((b) => b.der)).toEqual([issued.certDer, ca.certDer]);
    // Our side picks the certificate for our key, not simply the first one.
    const result = parseCertRep(rep, device.privateKey);
    expect(result.issuedCertDer!.equals(issued.certDer)).toBe(true);
    expect(result.certificates).toHaveLength(2);
  });
});

describe('rejections', () => {
  it('rejects a CertRep from an untrusted signer, a wrong nonce or transaction, and tampering', () => {
    const req = request();
    const msg = parsePkiMessage(req.der, { acceptSigner: anySigner });
    const spec = {
      status: 'success' as const,
      issuedCertDer: ca.issueFromCsr(csrDer, { validityDays: 1 }).certDer,
      recipientCertDer: msg.signerCertificate,
      transactionId: msg.transactionId,
      recipientNonce: msg.senderNonce,
      senderNonce: randomBytes(16),
    };
    const rogue = buildCertRep({ ...spec, caCertDer: rogueCa.certDer, caKey: rogueCa.privateKey });
    expectCertsError(() => parseCertRep(rogue, device.privateKey, { trustedSigners: [ca.certDer] }), 'untrustedSigner');
    const rep = buildCertRep({ ...spec, caCertDer: ca.certDer, caKey: ca.privateKey });
    expectCertsError(() => parseCertRep(rep, device.privateKey, { expectedRecipientNonce: randomBytes(16) }), 'badScepMessage');
    expectCertsError(() => parseCertRep(rep, device.privateKey, { expectedTransactionId: 'other' }), 'badScepMessage');
    expectCertsError(() => parseCertRep(req.der, device.privateKey), 'badScepMessage');
    const tampered = Buffer.from(rep);
    tampered[tampered.length - 3]! ^= 0x55;
    expectCertsError(() => parsePkiMessage(tampered, { acceptSigner: anySigner }), 'badSignature');
  });

  it('rejects signed data without SCEP attributes and requests without an envelope', () => {
    const plain = signCms({ content: Buffer.from('x'), detached: false, signerCertDer: requesterCert, signerKey: device.privateKey });
    expectCertsError(() => parsePkiMessage(plain, { acceptSigner: anySigner }), 'badScepMessage');
    const empty = buildPkiMessage({
      messageType: 'PKCSReq',
      signerCertDer: requesterCert,
      signerKey: device.privateKey,
      transactionId: 't1',
      senderNonce: randomBytes(16),
    });
    expectCertsError(() => parsePkiMessage(empty, { acceptSigner: anySigner }), 'badScepMessage');
  });

  it('reads the claimed attributes of a request it will not verify, and refuses to verify an EC requester', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ecCert = makeSelfSignedRequesterCert(ec, subject);
    const nonce = randomBytes(16);
    const der = buildPkcsReq({ csrDer, signerCertDer: ecCert, signerKey: ec.privateKey, recipientCaCertDer: ca.certDer, transactionId: 'ec-1', senderNonce: nonce });
    const unverified = readPkiMessage(der);
    expect(unverified.claimed).toEqual({ messageType: 'PKCSReq', transactionId: 'ec-1', senderNonce: nonce });
    expect(unverified.signedData.signerCertificate.der.equals(ecCert)).toBe(true);
    expectCertsError(() => verifyPkiMessage(unverified, anySigner), 'keyNotAllowed');
    expectCertsError(() => parsePkiMessage(withRepeatedSigner(request().der, 2), { acceptSigner: anySigner }), 'badCms');
  });

  it('carries other message types such as GetCertInitial', () => {
    const issuerAndSubject = seq(ca.certificate.subject.der, ca.certificate.subject.der);
    const der = buildPkiMessage({
      messageType: 'GetCertInitial',
      content: issuerAndSubject,
      recipientCertDer: ca.certDer,
      signerCertDer: requesterCert,
      signerKey: device.privateKey,
      transactionId: 'poll-1',
      senderNonce: randomBytes(16),
    });
    const msg = parsePkiMessage(der, { acceptSigner: anySigner });
    expect(msg.messageType).toBe('GetCertInitial');
    expect(openEnvelope(msg.envelopedData!, ca.privateKey).equals(issuerAndSubject)).toBe(true);
  });
});
