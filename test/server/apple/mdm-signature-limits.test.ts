import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCertificate } from '../../../certs/certificate-builder.js';
import { signCms } from '../../../certs/cms-signed.js';
import { generateRsaKeyPair } from '../../../certs/keys.js';
import { encodeCheckIn } from '../../../protocol/apple/checkin.js';
import { rsaKeyWithHugeExponent, withExtraCertificates, withRepeatedSigner } from '../../../scripts/bench/abusive-cms.js';
import { CHECKIN, enrollIdentity, signedPut, type WireIdentity } from '../../helpers/apple-wire.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * The Mdm-Signature header (a detached CMS SignedData over the body) against hostile shapes: the
 * protocol has one signer, whose certificate must be one this CA issued; that is checked before
 * any RSA work with the client's key, and the header, its certificates and the key are bounded.
 * Every refusal is 4xx (never 401) and changes nothing.
 */
let server: TestServer;
let alice: WireIdentity;
let checkInUrl: string;
const as = () => ({ key: alice.key, certDer: alice.certDer });
const tokenUpdate = (id: WireIdentity, pushMagic: string) => encodeCheckIn({ MessageType: 'TokenUpdate', Topic: id.mdm.topic, UDID: id.udid, Token: randomBytes(32), PushMagic: pushMagic });
const authenticate = (id: WireIdentity, udid = id.udid) => encodeCheckIn({ MessageType: 'Authenticate', Topic: id.mdm.topic, UDID: udid, OSVersion: '18.1', ProductName: 'iPhone15,2' });
const deviceCount = async () => (await server.api.get('/devices').expect(200)).body.length as number;
const pushMagic = async () => (await server.store.appleDevices.getByUdid(alice.udid))?.pushMagic;

/** PUT a check-in to the CheckInURL with exactly this Mdm-Signature. */
function putWithSignature(body: string, signature: Buffer) {
  return request(checkInUrl).put('').set('Content-Type', CHECKIN).set('Mdm-Signature', signature.toString('base64')).send(Buffer.from(body)).buffer(true);
}
const normalSignature = (body: string) => signCms({ content: Buffer.from(body), detached: true, signerCertDer: alice.certDer, signerKey: alice.key });

beforeAll(async () => {
  server = await startTestServer();
  alice = await enrollIdentity(server, 'alice@contoso.com');
  checkInUrl = alice.mdm.checkInUrl!;
  await signedPut(checkInUrl, CHECKIN, authenticate(alice), as()).expect(200);
  await signedPut(checkInUrl, CHECKIN, tokenUpdate(alice, 'magic-0'), as()).expect(200);
});
afterAll(() => server.stop());

describe('Mdm-Signature: one signer, checked against the CA first', () => {
  it('two SignerInfos are refused (400) even when each verifies, and nothing changes', async () => {
    const body = tokenUpdate(alice, 'magic-two-signers');
    const res = await putWithSignature(body, withRepeatedSigner(normalSignature(body), 2)).expect(400);
    expect(res.text).toMatch(/^badSignature: .*one signer/);
    expect(await pushMagic()).toBe('magic-0');
  });

  it("a signer this CA did not issue is refused (403) before its signature is looked at", async () => {
    // A self-signed certificate for one key, the signature made with another: checking the
    // signature first would answer badSignature; checking the certificate first answers 403.
    const [certKey, signingKey] = await Promise.all([generateRsaKeyPair(2048), generateRsaKeyPair(2048)]);
    const now = new Date();
    const name = [{ shortName: 'CN', value: 'rogue' }];
    const rogue = buildCertificate({ subject: name, issuer: name, notBefore: now, notAfter: new Date(now.getTime() + 86_400_000), subjectPublicKey: certKey.publicKey, issuerPrivateKey: certKey.privateKey });
    const before = await deviceCount();
    const body = authenticate(alice, 'ROGUE-UDID');
    const res = await putWithSignature(body, signCms({ content: Buffer.from(body), detached: true, signerCertDer: rogue, signerKey: signingKey.privateKey })).expect(403);
    expect(res.text).toContain('untrustedCertificate');
    expect(await deviceCount()).toBe(before);
  });

  it('a certificate of this CA whose key has an absurd public exponent is refused (403) and enrolls nothing', async () => {
    // Such a certificate can no longer be had through SCEP; issued directly by the CA here, with
    // the record an enrollment would have made, it is refused for its key alone.
    const huge = rsaKeyWithHugeExponent(2048);
    const ca = server.identity.ca;
    const now = new Date();
    const certDer = buildCertificate({
      subject: [{ shortName: 'CN', value: 'huge exponent' }],
      issuer: ca.certificate.subject.der,
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: new Date(now.getTime() + 86_400_000),
      subjectPublicKey: huge.publicKey,
      issuerPrivateKey: ca.privateKey,
    });
    await server.store.issuedCertificates.insert({
      serial: randomBytes(8).toString('hex'),
      fingerprintSha256: createHash('sha256').update(certDer).digest('hex'),
      subject: 'CN=huge exponent',
      purpose: 'enrollment',
      challenge: 'none',
      issuedAt: now.toISOString(),
      notAfter: new Date(now.getTime() + 86_400_000).toISOString(),
    });
    const before = await deviceCount();
    const body = authenticate(alice, 'HUGE-EXPONENT-UDID');
    const res = await putWithSignature(body, signCms({ content: Buffer.from(body), detached: true, signerCertDer: certDer, signerKey: huge.privateKey })).expect(403);
    expect(res.text).toMatch(/^untrustedCertificate: .*exponent/);
    expect(await deviceCount()).toBe(before);
  });
});

describe('Mdm-Signature: bounded', () => {
  it('more embedded certificates than a device sends are refused (400)', async () => {
    const body = tokenUpdate(alice, 'magic-many-certs');
    const padded = withExtraCertificates(normalSignature(body), Array.from({ length: 4 }, () => server.identity.ca.certDer));
    expect(padded.toString('base64').length).toBeLessThan(8 * 1024);
    const res = await putWithSignature(body, padded).expect(400);
    expect(res.text).toMatch(/^badSignature: .*certificates/);
    expect(await pushMagic()).toBe('magic-0');
  });

  it('a header over 8 KiB is refused with 431 (RFC 6585 §5)', async () => {
    const body = tokenUpdate(alice, 'magic-big-header');
    const padded = withExtraCertificates(normalSignature(body), Array.from({ length: 8 }, () => server.identity.ca.certDer));
    expect(padded.toString('base64').length).toBeGreaterThan(8 * 1024);
    const res = await putWithSignature(body, padded).expect(431);
    expect(res.text).toContain('headerTooLarge');
    expect(await pushMagic()).toBe('magic-0');
  });

  it('a normal check-in still passes after all that', async () => {
    await signedPut(checkInUrl, CHECKIN, tokenUpdate(alice, 'magic-1'), as()).expect(200);
    expect(await pushMagic()).toBe('magic-1');
  });
});
