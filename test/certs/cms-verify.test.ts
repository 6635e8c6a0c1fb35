import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../certs/authority.js';
import { signCms } from '../../certs/cms-signed.js';
import { anySigner, issuedBy, readSignedData, verifyCms, verifySignedData, type CmsSigner, type SignerPolicy } from '../../certs/cms-verify.js';
import { buildCsr } from '../../certs/csr.js';
import { CertsError } from '../../certs/errors.js';
import { generateRsaKeyPair, type RsaKeyPair } from '../../certs/keys.js';
import { makeSelfSignedRequesterCert } from '../../certs/scep-message.js';
import { rsaKeyWithHugeExponent, withExtraCertificates, withRepeatedSigner } from '../../scripts/bench/abusive-cms.js';
import { expectCertsError } from './helpers.js';

/**
 * verifyCms does its checks in the one safe order: bounds (size, certificates, exactly one
 * signer), the signer's key, the caller's signer policy, and only then the RSA signature.
 */
let ca: CertificateAuthority;
let device: RsaKeyPair;
let deviceCert: Buffer;
const body = randomBytes(1500);

beforeAll(async () => {
  [ca, device] = await Promise.all([CertificateAuthority.create({ commonName: 'Verify CA' }), generateRsaKeyPair()]);
  deviceCert = ca.issueFromCsr(buildCsr({ privateKey: device.privateKey, subject: [{ shortName: 'CN', value: 'device' }] }), { validityDays: 30 }).certDer;
});

const sign = (content = body) => signCms({ content, detached: true, signerCertDer: deviceCert, signerKey: device.privateKey });

/** A policy that records what it saw, then refuses or accepts. */
function recording(refuse: boolean): { policy: SignerPolicy; seen: CmsSigner[] } {
  const seen: CmsSigner[] = [];
  return {
    seen,
    policy: (signer) => {
      seen.push(signer);
      if (refuse) throw new CertsError('untrustedSigner', 'refused by the test policy');
    },
  };
}

describe('exactly one signer', () => {
  it('refuses two SignerInfos even when each verifies, and none', () => {
    const twice = withRepeatedSigner(sign(), 2);
    expect(() => verifyCms(twice, { detachedContent: body, acceptSigner: anySigner })).toThrow(/2 signers, not exactly one/);
    expectCertsError(() => verifyCms(twice, { detachedContent: body, acceptSigner: anySigner }), 'badCms');
    expectCertsError(() => verifyCms(withRepeatedSigner(sign(), 350), { detachedContent: body, acceptSigner: anySigner }), 'badCms');
    expectCertsError(() => verifyCms(withRepeatedSigner(sign(), 0), { detachedContent: body, acceptSigner: anySigner }), 'badCms');
  });
});

describe('bounds', () => {
  it('refuses more embedded certificates than the limit, and a SignedData over the size limit', () => {
    const five = withExtraCertificates(sign(), [ca.certDer, ca.certDer, ca.certDer, ca.certDer]);
    expect(verifyCms(five, { detachedContent: body, acceptSigner: anySigner, limits: { maxCertificates: 5 } }).certificates).toHaveLength(5);
    expect(() => verifyCms(five, { detachedContent: body, acceptSigner: anySigner, limits: { maxCertificates: 4 } })).toThrow(/embeds 5 certificates/);
    const sig = sign();
    expectCertsError(() => verifyCms(sig, { detachedContent: body, acceptSigner: anySigner, limits: { maxBytes: sig.length - 1 } }), 'badCms');
    expect(verifyCms(sig, { detachedContent: body, acceptSigner: anySigner, limits: { maxBytes: sig.length } }).signer.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('the signer is judged before its signature is checked', () => {
  it('the policy sees the signer certificate and its fingerprint; its refusal wins over a bad signature', () => {
    const { policy, seen } = recording(true);
    const tampered = Buffer.from(body);
    tampered[0]! ^= 1;
    // The content does not match: a verifier checking the signature first would say badSignature.
    expectCertsError(() => verifyCms(sign(), { detachedContent: tampered, acceptSigner: policy }), 'untrustedSigner');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.certificate.der.equals(deviceCert)).toBe(true);
    expect(seen[0]!.fingerprint).toBe(createHash('sha256').update(deviceCert).digest('hex'));
    expect(seen[0]!.key).toEqual({ type: 'rsa', modulusBits: 2048, exponent: 65537 });
  });

  it('a signer key outside the limits is refused before the policy and before any RSA work', () => {
    const huge = rsaKeyWithHugeExponent(2048);
    const cert = makeSelfSignedRequesterCert(huge, [{ shortName: 'CN', value: 'huge exponent' }]);
    const der = signCms({ content: body, detached: true, signerCertDer: cert, signerKey: huge.privateKey });
    const { policy, seen } = recording(false);
    expect(() => verifyCms(der, { detachedContent: body, acceptSigner: policy })).toThrow(/exponent over 2\^53/);
    expectCertsError(() => verifyCms(der, { detachedContent: body, acceptSigner: policy }), 'keyNotAllowed');
    expect(seen).toHaveLength(0);
  });

  it('an EC signer is refused for its key type', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cert = makeSelfSignedRequesterCert(ec, [{ shortName: 'CN', value: 'ec' }]);
    const der = signCms({ content: body, detached: true, signerCertDer: cert, signerKey: ec.privateKey });
    expect(() => verifyCms(der, { detachedContent: body, acceptSigner: anySigner })).toThrow(/not RSA/);
  });

  it('key limits apply to a signer seen before too (the signer cache does not skip them)', () => {
    expect(verifyCms(sign(), { detachedContent: body, acceptSigner: anySigner }).signer.key.modulusBits).toBe(2048);
    const tight = { minModulusBits: 3072, maxModulusBits: 4096 };
    expectCertsError(() => verifyCms(sign(), { detachedContent: body, acceptSigner: anySigner, keyLimits: tight }), 'keyNotAllowed');
  });

  it('readSignedData reads without verifying; verifySignedData then runs the checks', () => {
    const sd = readSignedData(sign());
    expect(sd.signerCertificate.der.equals(deviceCert)).toBe(true);
    expect(sd.content).toBeUndefined();
    expectCertsError(() => verifySignedData(sd, Buffer.from('other content'), anySigner), 'badSignature');
    expect(verifySignedData(sd, body, anySigner).signerCertificate.equals(deviceCert)).toBe(true);
  });
});

describe('issuedBy', () => {
  it('accepts an anchor itself or a certificate it signed, and nothing else', async () => {
    const other = await CertificateAuthority.create({ commonName: 'Other CA' });
    expect(verifyCms(sign(), { detachedContent: body, acceptSigner: issuedBy([other.certDer, ca.certDer]) }).signerCertificate.equals(deviceCert)).toBe(true);
    expect(verifyCms(sign(), { detachedContent: body, acceptSigner: issuedBy([deviceCert]) }).signerCertificate.equals(deviceCert)).toBe(true);
    expectCertsError(() => verifyCms(sign(), { detachedContent: body, acceptSigner: issuedBy([other.certDer]) }), 'untrustedSigner');
    // The same names, another key: a certificate claiming our CA as issuer but signed by someone else.
    const impostor = await CertificateAuthority.create({ commonName: 'Verify CA' });
    expectCertsError(() => verifyCms(sign(), { detachedContent: body, acceptSigner: issuedBy([impostor.certDer]) }), 'untrustedSigner');
  });
});
