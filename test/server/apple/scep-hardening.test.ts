import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CertificateAuthority } from '../../../certs/authority.js';
import { envelope } from '../../../certs/cms-enveloped.js';
import { buildCsr } from '../../../certs/csr.js';
import { generateRsaKeyPair, type RsaKeyPair } from '../../../certs/keys.js';
import { buildPkcsReq, makeSelfSignedRequesterCert, parseCertRep, scepTransactionId } from '../../../certs/scep-message.js';
import type { AppleContext } from '../../../server/apple/apple-context.js';
import { ScepService } from '../../../server/apple/scep-service.js';
import { randomId } from '../../../server/domain/context.js';
import { Reconciler } from '../../../server/domain/reconciler.js';
import { ProfileOutcomes } from '../../../server/domain/profile-outcomes.js';
import { EnrollmentTokenService } from '../../../server/domain/enrollment-tokens.js';
import { pkcsReqAround, rsaKeyWithHugeExponent, withBogusRecipients, withExtraCertificates, withRepeatedSigner } from '../../../scripts/bench/abusive-cms.js';
import { binary, createUserAndToken, fetchEnrollmentProfile } from '../../helpers/apple-wire.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * SCEP PKIOperation against hostile or unsupported requests (RFC 8894): the requester's key is
 * checked (type RSA, modulus and exponent within limits, at least the size the challenge asks
 * for) before any RSA work with it and before the challenge is spent; a refused request leaves
 * the challenge usable and records no certificate.
 */
let server: TestServer;
let rsa2048: RsaKeyPair;
const subject = [{ shortName: 'CN', value: 'hardening' }];

beforeAll(async () => {
  server = await startTestServer();
  rsa2048 = await generateRsaKeyPair(2048);
});
afterAll(() => server.stop());

/** Rows of issued_certificates, read beside the running server. */
function issuedCount(): number {
  const db = new Database(join(server.dataDir, 'mdmlab.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM issued_certificates').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function enrollmentChallenge(upn: string): Promise<string> {
  const { scep } = await fetchEnrollmentProfile((await createUserAndToken(server, upn)).enrollUrl);
  return scep.challenge!;
}

interface RequestKeys {
  /** Signs the pkiMessage (self-signed requester certificate, RFC 8894 §2.3). */
  signer: RsaKeyPair;
  /** The key the CSR asks a certificate for; default the signer's. */
  csr?: RsaKeyPair;
}

function pkcsReq(keys: RequestKeys, challenge: string): { der: Buffer; requester: Buffer } {
  const csrKeys = keys.csr ?? keys.signer;
  const requester = makeSelfSignedRequesterCert(keys.signer, subject);
  const der = buildPkcsReq({
    csrDer: buildCsr({ privateKey: csrKeys.privateKey, publicKey: csrKeys.publicKey, subject, challengePassword: challenge }),
    signerCertDer: requester,
    signerKey: keys.signer.privateKey,
    recipientCaCertDer: server.identity.ca.certDer,
    transactionId: scepTransactionId(keys.signer.publicKey),
    senderNonce: randomBytes(16),
  });
  return { der, requester };
}

function post(der: Buffer) {
  return request(server.url).post('/scep?operation=PKIOperation').set('Content-Type', 'application/x-pki-message').send(der).buffer(true).parse(binary);
}

/** POSTs a PKCSReq; the CertRep's status and failInfo (the HTTP status must be 200). */
async function pkiOperation(keys: RequestKeys, challenge: string): Promise<{ status: string; failInfo?: string; certDer?: Buffer }> {
  const { der, requester } = pkcsReq(keys, challenge);
  const res = await post(der);
  expect(res.status, String(res.body)).toBe(200);
  const rep = parseCertRep(res.body as Buffer, keys.signer.privateKey, { requesterCertDer: requester, trustedSigners: [server.identity.ca.certDer] });
  return { status: rep.status, ...(rep.failInfo ? { failInfo: rep.failInfo } : {}), ...(rep.issuedCertDer ? { certDer: rep.issuedCertDer } : {}) };
}

/** The refused request spent nothing: the challenge is unspent and still issues a certificate. */
async function expectChallengeStillUsable(challenge: string, issuedBefore: number): Promise<void> {
  expect(issuedCount()).toBe(issuedBefore);
  expect((await server.store.scepChallenges.get(challenge))?.spentAt).toBeUndefined();
  expect((await pkiOperation({ signer: rsa2048 }, challenge)).status).toBe('success');
  expect(issuedCount()).toBe(issuedBefore + 1);
}

describe('the requester key is checked before the challenge is spent (RFC 8894 §3.2.1.4)', () => {
  it('an EC requester gets CertRep FAILURE badAlg, not a 500 after the certificate was recorded', async () => {
    const challenge = await enrollmentChallenge('ec@contoso.com');
    const before = issuedCount();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(await pkiOperation({ signer: ec }, challenge)).toEqual({ status: 'failure', failInfo: 'badAlg' });
    await expectChallengeStillUsable(challenge, before);
  });

  it('an RSA signer asking a certificate for an EC key gets badAlg', async () => {
    const challenge = await enrollmentChallenge('ec-csr@contoso.com');
    const before = issuedCount();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(await pkiOperation({ signer: rsa2048, csr: ec }, challenge)).toEqual({ status: 'failure', failInfo: 'badAlg' });
    await expectChallengeStillUsable(challenge, before);
  });

  it('an RSA-512 request gets badAlg (outside the 1024–4096-bit RSA we issue for)', async () => {
    const challenge = await enrollmentChallenge('rsa512@contoso.com');
    const before = issuedCount();
    const weak = generateKeyPairSync('rsa', { modulusLength: 512 });
    expect(await pkiOperation({ signer: weak }, challenge)).toEqual({ status: 'failure', failInfo: 'badAlg' });
    await expectChallengeStillUsable(challenge, before);
  });

  it('a requester key with a 2040-bit public exponent gets badAlg', async () => {
    const challenge = await enrollmentChallenge('exponent@contoso.com');
    const before = issuedCount();
    expect(await pkiOperation({ signer: rsaKeyWithHugeExponent(2048) }, challenge)).toEqual({ status: 'failure', failInfo: 'badAlg' });
    await expectChallengeStillUsable(challenge, before);
  });

  it('a CSR smaller than the enrollment profile asks for (Keysize 2048) gets badRequest', async () => {
    const challenge = await enrollmentChallenge('small@contoso.com');
    const before = issuedCount();
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(await pkiOperation({ signer: rsa2048, csr: small }, challenge)).toEqual({ status: 'failure', failInfo: 'badRequest' });
    await expectChallengeStillUsable(challenge, before);
  });

  it("a certificate-profile challenge requires at least the profile's keySize", async () => {
    const challengeFor = async (keySize: number) => {
      const profile = (await server.api.post('/certificate-profiles', { name: `keys ${keySize}`, kind: 'scep', platform: 'ios', keySize }).expect(201)).body;
      const challenge = `cp-${randomBytes(12).toString('hex')}`;
      const now = new Date();
      await server.store.scepChallenges.insert({
        challenge,
        purpose: 'certificateProfile',
        certificateProfileId: profile.id,
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + 3600_000).toISOString(),
      });
      return challenge;
    };
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const wants2048 = await challengeFor(2048);
    const before = issuedCount();
    expect(await pkiOperation({ signer: rsa1024 }, wants2048)).toEqual({ status: 'failure', failInfo: 'badRequest' });
    await expectChallengeStillUsable(wants2048, before);
    // A profile asking for 1024 bits takes them: the floor is the profile's, not a fixed one.
    expect((await pkiOperation({ signer: rsa1024 }, await challengeFor(1024))).status).toBe('success');
  });
});

describe('the pkiMessage has the shape RFC 8894 §3 gives it', () => {
  it('two SignerInfos are refused (400) without spending the challenge, even when both verify', async () => {
    const challenge = await enrollmentChallenge('signers@contoso.com');
    const before = issuedCount();
    const res = await post(withRepeatedSigner(pkcsReq({ signer: rsa2048 }, challenge).der, 2)).expect(400);
    expect(String(res.body)).toContain('badScepRequest');
    await expectChallengeStillUsable(challenge, before);
  });

  it('more embedded certificates than a request carries are refused (400)', async () => {
    const challenge = await enrollmentChallenge('certs@contoso.com');
    const before = issuedCount();
    const padded = withExtraCertificates(pkcsReq({ signer: rsa2048 }, challenge).der, Array.from({ length: 6 }, () => server.identity.ca.certDer));
    expect(padded.length).toBeLessThan(16 * 1024);
    expect(String((await post(padded).expect(400)).body)).toContain('badScepRequest');
    await expectChallengeStillUsable(challenge, before);
  });

  it('a body over the PKIOperation limit is refused with 413 before it is parsed', async () => {
    const challenge = await enrollmentChallenge('big@contoso.com');
    const before = issuedCount();
    const padded = withExtraCertificates(pkcsReq({ signer: rsa2048 }, challenge).der, Array.from({ length: 60 }, () => server.identity.ca.certDer));
    expect(padded.length).toBeGreaterThan(48 * 1024);
    expect(String((await post(padded).expect(413)).body)).toContain('bodyTooLarge');
    await expectChallengeStillUsable(challenge, before);
  });

  it('an envelope naming the CA many times costs one decryption: the first RecipientInfo for us is the one tried', async () => {
    // 20 bogus copies before the real one: a server trying each pays 20 RSA private operations
    // and then issues; one that tries the first finds a bad key and refuses.
    const challenge = await enrollmentChallenge('recipients@contoso.com');
    const before = issuedCount();
    const csr = buildCsr({ privateKey: rsa2048.privateKey, publicKey: rsa2048.publicKey, subject, challengePassword: challenge });
    const env = withBogusRecipients(envelope(csr, server.identity.ca.certDer), 20);
    const der = pkcsReqAround(env, { certDer: makeSelfSignedRequesterCert(rsa2048, subject), key: rsa2048.privateKey }, scepTransactionId(rsa2048.publicKey));
    expect(String((await post(der).expect(400)).body)).toMatch(/^badScepRequest: the request is not encrypted to this CA/);
    await expectChallengeStillUsable(challenge, before);
  });

  it('the same limits hold for PKIOperation by GET', async () => {
    const challenge = await enrollmentChallenge('get@contoso.com');
    const before = issuedCount();
    const message = encodeURIComponent(withRepeatedSigner(pkcsReq({ signer: rsa2048 }, challenge).der, 2).toString('base64'));
    expect((await request(server.url).get(`/scep?operation=PKIOperation&message=${message}`).expect(400)).text).toContain('badScepRequest');
    await expectChallengeStillUsable(challenge, before);
  });
});

/**
 * The server's CA, except that its certificate can no longer be read once it has issued one:
 * stands in for any failure while the CertRep is built (none happens with a real CA once the
 * requester's key has been checked, so it has to be injected).
 */
function caFailingAfterIssue(ca: CertificateAuthority): CertificateAuthority {
  let issued = false;
  const faulty = Object.create(ca) as CertificateAuthority;
  Object.defineProperty(faulty, 'issueFromCsr', {
    value: (...args: Parameters<CertificateAuthority['issueFromCsr']>) => {
      const cert = ca.issueFromCsr(...args);
      issued = true;
      return cert;
    },
  });
  Object.defineProperty(faulty, 'certDer', {
    get: () => {
      if (issued) throw new Error('injected fault: the CertRep cannot be built');
      return ca.certDer;
    },
  });
  return faulty;
}

describe('the CertRep is built inside the unit of work', () => {
  it('a failure while building it rolls back the challenge spend and the issued-certificate row', async () => {
    const ctx: AppleContext = {
      store: server.store,
      now: () => new Date(),
      newId: randomId,
      log: server.log,
      ca: caFailingAfterIssue(server.identity.ca),
      topic: 'com.apple.mgmt.External.scep-hardening',
      baseUrl: () => server.url,
      push: server.push,
      reconciler: new Reconciler(),
      outcomes: new ProfileOutcomes({ store: server.store, now: () => new Date(), newId: randomId, log: server.log }),
      enrollmentTokens: new EnrollmentTokenService({ store: server.store, now: () => new Date(), newId: randomId, log: server.log }),
    };
    const challenge = await enrollmentChallenge('rollback@contoso.com');
    const before = issuedCount();
    await expect(new ScepService(ctx).pkiOperation(pkcsReq({ signer: rsa2048 }, challenge).der)).rejects.toThrow(/injected fault/);
    await expectChallengeStillUsable(challenge, before);
  });
});
