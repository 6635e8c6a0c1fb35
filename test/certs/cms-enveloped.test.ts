import { constants, publicEncrypt, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContentCipher } from '../../certs/algorithms.js';
import { CertificateAuthority } from '../../certs/authority.js';
import { envelope, openEnvelope } from '../../certs/cms-enveloped.js';
import { buildCsr } from '../../certs/csr.js';
import { generateRsaKeyPair, privateKeyToPem, type RsaKeyPair } from '../../certs/keys.js';
import { derToPem } from '../../certs/pem.js';
import { rsaPkcs1Decrypt, rsaPkcs1Encrypt } from '../../certs/rsa-pkcs1.js';
import { makeSelfSignedRequesterCert } from '../../certs/scep-message.js';
import { rsaKeyWithHugeExponent } from '../../scripts/bench/abusive-cms.js';
import { expectCertsError, opensslOk, TempDir } from './helpers.js';

const tmp = new TempDir();
let alice: RsaKeyPair;
let bob: RsaKeyPair;
let aliceCert: Buffer;
let bobCert: Buffer;
const secret = Buffer.concat([Buffer.from('-----CSR-----'), randomBytes(700)]);

beforeAll(async () => {
  const [ca, a, b] = await Promise.all([CertificateAuthority.create({ commonName: 'Env CA' }), generateRsaKeyPair(), generateRsaKeyPair()]);
  alice = a;
  bob = b;
  aliceCert = ca.issueFromCsr(buildCsr({ privateKey: alice.privateKey, subject: [{ shortName: 'CN', value: 'alice' }] }), { validityDays: 1 }).certDer;
  bobCert = ca.issueFromCsr(buildCsr({ privateKey: bob.privateKey, subject: [{ shortName: 'CN', value: 'bob' }] }), { validityDays: 1 }).certDer;
  tmp.write('alice.pem', derToPem(aliceCert, 'CERTIFICATE'));
  tmp.write('alice.key', privateKeyToPem(alice.privateKey));
  tmp.write('bob.pem', derToPem(bobCert, 'CERTIFICATE'));
  tmp.write('bob.key', privateKeyToPem(bob.privateKey));
  tmp.write('secret.bin', secret);
});
afterAll(() => tmp.cleanup());

describe('envelope → openssl cms -decrypt', () => {
  for (const cipher of ['aes-128-cbc', 'aes-256-cbc', 'des-ede3-cbc'] as ContentCipher[]) {
    it(cipher, () => {
      const der = envelope(secret, aliceCert, { cipher });
      tmp.write(`${cipher}.der`, der);
      const out = opensslOk(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', `${cipher}.der`, '-recip', 'alice.pem', '-inkey', 'alice.key'], {
        cwd: tmp.path,
      });
      expect(out.equals(secret)).toBe(true);
      expect(openEnvelope(der, alice.privateKey).equals(secret)).toBe(true);
    });
  }

  it('encrypts to several recipients', () => {
    const der = envelope(secret, [aliceCert, bobCert], { cipher: 'aes-128-cbc' });
    expect(openEnvelope(der, bob.privateKey, bobCert).equals(secret)).toBe(true);
    expect(openEnvelope(der, alice.privateKey, aliceCert).equals(secret)).toBe(true);
    tmp.write('multi.der', der);
    const out = opensslOk(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', 'multi.der', '-recip', 'bob.pem', '-inkey', 'bob.key'], { cwd: tmp.path });
    expect(out.equals(secret)).toBe(true);
  });
});

describe('openssl cms -encrypt → openEnvelope', () => {
  const cases: [string, string[]][] = [
    ['aes256', ['-aes256']],
    ['aes128', ['-aes128']],
    ['des3', ['-des3']],
    ['aes192 streamed BER', ['-aes192', '-stream']],
  ];
  for (const [name, args] of cases) {
    it(name, () => {
      const file = `os-${name.replace(/\W+/g, '_')}.der`;
      opensslOk(['cms', '-encrypt', '-binary', '-outform', 'DER', '-in', 'secret.bin', '-out', file, ...args, 'alice.pem'], { cwd: tmp.path });
      const der = tmp.read(file);
      expect(openEnvelope(der, alice.privateKey).equals(secret)).toBe(true);
      expect(openEnvelope(der, alice.privateKey, aliceCert).equals(secret)).toBe(true);
    });
  }

  it('finds our RecipientInfo among several', () => {
    opensslOk(['cms', '-encrypt', '-binary', '-outform', 'DER', '-in', 'secret.bin', '-out', 'two.der', '-aes256', 'alice.pem', 'bob.pem'], { cwd: tmp.path });
    expect(openEnvelope(tmp.read('two.der'), bob.privateKey).equals(secret)).toBe(true);
  });
});

describe('openEnvelope failures', () => {
  it('says notForUs when our certificate is not a recipient and badPadding for the wrong key', () => {
    const der = envelope(secret, aliceCert);
    expectCertsError(() => openEnvelope(der, bob.privateKey, bobCert), 'notForUs');
    expectCertsError(() => openEnvelope(der, bob.privateKey), 'badPadding');
    expectCertsError(() => openEnvelope(Buffer.from('3000', 'hex'), alice.privateKey), 'badCms');
  });

  it('refuses to encrypt to a recipient key outside the client key limits (a 2040-bit exponent)', () => {
    const huge = rsaKeyWithHugeExponent(2048);
    expectCertsError(() => envelope(secret, makeSelfSignedRequesterCert(huge, [{ shortName: 'CN', value: 'huge' }])), 'keyNotAllowed');
  });
});

describe('rsa-pkcs1', () => {
  it('round-trips and rejects malformed blocks', () => {
    const key = randomBytes(32);
    expect(rsaPkcs1Decrypt(alice.privateKey, rsaPkcs1Encrypt(alice.publicKey, key)).equals(key)).toBe(true);
    expect(rsaPkcs1Decrypt(alice.privateKey, rsaPkcs1Encrypt(alice.publicKey, Buffer.alloc(0)))).toHaveLength(0);
    const raw = (em: Buffer) => publicEncrypt({ key: alice.publicKey, padding: constants.RSA_NO_PADDING }, em);
    const k = 256;
    const typeOne = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(k - 3 - 16, 0xff), Buffer.from([0]), randomBytes(16)]);
    expectCertsError(() => rsaPkcs1Decrypt(alice.privateKey, raw(typeOne)), 'badPadding');
    const shortPs = Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(5, 7), Buffer.from([0]), Buffer.alloc(k - 8, 9)]);
    expectCertsError(() => rsaPkcs1Decrypt(alice.privateKey, raw(shortPs)), 'badPadding');
    const noSep = Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(k - 2, 7)]);
    expectCertsError(() => rsaPkcs1Decrypt(alice.privateKey, raw(noSep)), 'badPadding');
    expectCertsError(() => rsaPkcs1Decrypt(alice.privateKey, Buffer.alloc(300, 1)), 'badPadding');
  });
});
