import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../certs/certificate.js';
import {
  generateRsaKeyPair,
  importPrivateKey,
  importPublicKey,
  keyIdentifier,
  privateKeyToPem,
  publicKeyFingerprint,
  publicKeyFromSpki,
  publicKeyToPem,
  spkiDer,
} from '../../certs/keys.js';
import { derToPem, pemBlocks, pemToDer } from '../../certs/pem.js';
import { expectCertsError, opensslOk, TempDir } from './helpers.js';

const tmp = new TempDir();
afterAll(() => tmp.cleanup());

describe('keys', () => {
  it('generates 2048-bit RSA keys with e = 65537', async () => {
    const { privateKey, publicKey } = await generateRsaKeyPair();
    expect(privateKey.asymmetricKeyType).toBe('rsa');
    expect(publicKey.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });
  });

  it('round-trips keys through PEM and SPKI DER', async () => {
    const { privateKey, publicKey } = await generateRsaKeyPair(1024);
    const priv = importPrivateKey(privateKeyToPem(privateKey));
    const pub = importPublicKey(publicKeyToPem(publicKey));
    const sig = sign('sha256', Buffer.from('x'), priv);
    expect(verify('sha256', Buffer.from('x'), pub, sig)).toBe(true);
    expect(spkiDer(publicKeyFromSpki(spkiDer(publicKey))).equals(spkiDer(publicKey))).toBe(true);
    expect(spkiDer(privateKey).equals(spkiDer(publicKey))).toBe(true);
    // PKCS#1 PEM (what `openssl genrsa -traditional` writes) imports too.
    const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    expect(spkiDer(importPrivateKey(pkcs1)).equals(spkiDer(publicKey))).toBe(true);
  });

  it('imports non-RSA SPKI through the generic path', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(publicKeyFromSpki(spkiDer(publicKey)).asymmetricKeyType).toBe('ec');
  });

  it('rejects garbage keys with badKey', () => {
    expectCertsError(() => publicKeyFromSpki(Buffer.from('300302010a', 'hex')), 'badKey');
    expectCertsError(() => importPrivateKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'), 'badKey');
  });

  it('fingerprints the SPKI like openssl and computes the RFC 5280 key identifier like openssl', () => {
    opensslOk(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=ski', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '1'], {
      cwd: tmp.path,
    });
    const pubDer = opensslOk(['pkey', '-in', 'k.pem', '-pubout', '-outform', 'DER'], { cwd: tmp.path });
    const key = importPrivateKey(tmp.read('k.pem').toString());
    expect(publicKeyFingerprint(key)).toBe(createHash('sha256').update(pubDer).digest('hex'));
    expect(publicKeyFingerprint(key, 'sha1')).toBe(createHash('sha1').update(pubDer).digest('hex'));
    const cert = parseCertificate(pemToDer(tmp.read('c.pem').toString(), 'CERTIFICATE'));
    expect(cert.subjectKeyIdentifier?.toString('hex')).toBe(keyIdentifier(key).toString('hex'));
  });
});

describe('pem', () => {
  it('wraps at 64 columns and finds blocks by label', () => {
    const der = Buffer.alloc(100, 1);
    const pem = derToPem(der, 'CERTIFICATE') + derToPem(Buffer.from([2]), 'OTHER');
    expect(pem.split('\n')[1]).toHaveLength(64);
    expect(pemBlocks(pem).map((b) => b.label)).toEqual(['CERTIFICATE', 'OTHER']);
    expect(pemToDer(pem, 'OTHER')).toEqual(Buffer.from([2]));
    expect(pemToDer(pem)).toEqual(der);
    expectCertsError(() => pemToDer(pem, 'PRIVATE KEY'), 'badDer');
  });
});
