import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../certs/authority.js';
import { envelopeCipher, openEnvelope, openEnvelopeReporting } from '../../certs/cms-enveloped.js';
import { buildCsr } from '../../certs/csr.js';
import { generateRsaKeyPair, privateKeyToPem, type RsaKeyPair } from '../../certs/keys.js';
import { isWeakContentCipher } from '../../certs/legacy-ciphers.js';
import { derToPem } from '../../certs/pem.js';
import { FORGE_CIPHER_OIDS, forgeEnvelope } from '../helpers/forge-envelope.js';
import { expectCertsError, opensslOk, TempDir } from './helpers.js';

/**
 * EnvelopedData encrypted with single DES-CBC (OID 1.3.14.3.2.7), as SCEP servers built on Go's
 * pkcs7 package send their CertRep: built here by two implementations that are not ours (node-forge's
 * PKCS#7 and OpenSSL's legacy provider). A device may read it (acceptLegacyCiphers); nothing else does.
 */

const tmp = new TempDir('mdmlab-des-');
let alice: RsaKeyPair;
let aliceCert: Buffer;
const secret = Buffer.concat([Buffer.from('certs-only reply'), randomBytes(500)]);

beforeAll(async () => {
  const [ca, a] = await Promise.all([CertificateAuthority.create({ commonName: 'DES CA' }), generateRsaKeyPair()]);
  alice = a;
  aliceCert = ca.issueFromCsr(buildCsr({ privateKey: alice.privateKey, subject: [{ shortName: 'CN', value: 'alice' }] }), { validityDays: 1 }).certDer;
  tmp.write('alice.pem', derToPem(aliceCert, 'CERTIFICATE'));
  tmp.write('alice.key', privateKeyToPem(alice.privateKey));
  tmp.write('secret.bin', secret);
});
afterAll(() => tmp.cleanup());

describe('DES-CBC envelopes (a device reading a SCEP reply)', () => {
  it('opens one made by node-forge and says the sender used des-cbc, a weak cipher', () => {
    const der = forgeEnvelope(secret, aliceCert, FORGE_CIPHER_OIDS.des);
    const opened = openEnvelopeReporting(der, alice.privateKey, { recipientCertDer: aliceCert, acceptLegacyCiphers: true });
    expect(opened.content.equals(secret)).toBe(true);
    expect(opened.cipher).toBe('des-cbc');
    expect(isWeakContentCipher(opened.cipher)).toBe(true);
  });

  it("opens one made by OpenSSL's legacy provider", () => {
    opensslOk(
      ['cms', '-encrypt', '-binary', '-provider', 'legacy', '-provider', 'default', '-outform', 'DER', '-in', 'secret.bin', '-out', 'des.der', '-des', 'alice.pem'],
      { cwd: tmp.path },
    );
    const opened = openEnvelopeReporting(tmp.read('des.der'), alice.privateKey, { acceptLegacyCiphers: true });
    expect(opened.content.equals(secret)).toBe(true);
    expect(opened.cipher).toBe('des-cbc');
  });

  it('reports 3DES as weak and AES as not', () => {
    const des3 = openEnvelopeReporting(forgeEnvelope(secret, aliceCert, FORGE_CIPHER_OIDS.des3), alice.privateKey, { acceptLegacyCiphers: true });
    expect(des3).toMatchObject({ cipher: 'des-ede3-cbc' });
    expect(isWeakContentCipher(des3.cipher)).toBe(true);
    const aes = openEnvelopeReporting(forgeEnvelope(secret, aliceCert, FORGE_CIPHER_OIDS.aes256), alice.privateKey);
    expect(aes.cipher).toBe('aes-256-cbc');
    expect(isWeakContentCipher(aes.cipher)).toBe(false);
  });

  it('is refused where legacy ciphers are not asked for (the server reading a request), before any RSA work', () => {
    const der = forgeEnvelope(secret, aliceCert, FORGE_CIPHER_OIDS.des);
    expectCertsError(() => openEnvelope(der, alice.privateKey), 'unsupportedAlgorithm');
    expectCertsError(() => envelopeCipher(der), 'unsupportedAlgorithm');
    // A key that is not the recipient's would fail the RSA step: the cipher is refused before it.
    expectCertsError(() => openEnvelope(der, alice.privateKey, Buffer.from('not a certificate')), 'unsupportedAlgorithm');
  });

  it('says badPadding for DES content decrypted with the wrong key', () => {
    const der = forgeEnvelope(secret, aliceCert, FORGE_CIPHER_OIDS.des);
    // Flip the last ciphertext byte: the key decrypts, the padding does not check.
    const tampered = Buffer.from(der);
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 0xff;
    expectCertsError(() => openEnvelopeReporting(tampered, alice.privateKey, { acceptLegacyCiphers: true }), 'badPadding');
  });
});
