import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../certs/authority.js';
import { parseCertificate } from '../../certs/certificate.js';
import { buildCsr } from '../../certs/csr.js';
import { generateRsaKeyPair, privateKeyToPem, spkiDer, type RsaKeyPair } from '../../certs/keys.js';
import { derToPem } from '../../certs/pem.js';
import { readPkcs12 } from '../../certs/pkcs12.js';
import { expectCertsError, opensslOk, TempDir } from './helpers.js';

/**
 * PKCS#12 identities as `openssl pkcs12 -export` writes them (OpenSSL 3: PBES2/AES-256-CBC with
 * an HMAC-SHA-256 MAC by default; `-legacy`: 3DES keys, RC2-40 certificates, SHA-1 MAC), read
 * back with readPkcs12 (RFC 7292).
 */

const tmp = new TempDir('mdmlab-p12-');
let ca: CertificateAuthority;
let device: RsaKeyPair;
let deviceCert: Buffer;

beforeAll(async () => {
  [ca, device] = await Promise.all([CertificateAuthority.create({ commonName: 'P12 CA' }), generateRsaKeyPair()]);
  deviceCert = ca.issueFromCsr(buildCsr({ privateKey: device.privateKey, subject: [{ shortName: 'CN', value: 'device identity' }] }), { validityDays: 2 }).certDer;
  tmp.write('device.pem', derToPem(deviceCert, 'CERTIFICATE'));
  tmp.write('device.key', privateKeyToPem(device.privateKey));
  tmp.write('ca.pem', ca.certPem);
});
afterAll(() => tmp.cleanup());

function exportP12(name: string, extra: string[] = [], opts: { key?: string; cert?: string; password?: string } = {}): Buffer {
  opensslOk(
    ['pkcs12', '-export', '-in', opts.cert ?? 'device.pem', '-inkey', opts.key ?? 'device.key', '-certfile', 'ca.pem', '-out', name, '-passout', `pass:${opts.password ?? 'secret'}`, ...extra],
    { cwd: tmp.path },
  );
  return tmp.read(name);
}

describe('readPkcs12', () => {
  it("reads OpenSSL 3's default export: the key, its certificate and the chain", () => {
    const id = readPkcs12(exportP12('default.p12'), 'secret');
    expect(id.certDer.equals(deviceCert)).toBe(true);
    expect(id.chain.map((c) => parseCertificate(c).subject.string)).toEqual([parseCertificate(ca.certDer).subject.string]);
    expect(spkiDer(createPublicKey(id.privateKey)).equals(spkiDer(device.publicKey))).toBe(true);
    // The key signs what the certificate verifies.
    const signature = sign('sha256', Buffer.from('check-in'), id.privateKey);
    expect(verify('sha256', Buffer.from('check-in'), createPublicKey(derToPem(deviceCert, 'CERTIFICATE')), signature)).toBe(true);
    expect(id.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('reads a -legacy export (3DES, RC2-40, SHA-1 MAC)', () => {
    const id = readPkcs12(exportP12('legacy.p12', ['-legacy']), 'secret');
    expect(id.certDer.equals(deviceCert)).toBe(true);
  });

  it('reads an empty password', () => {
    expect(readPkcs12(exportP12('empty.p12', [], { password: '' }), '').certDer.equals(deviceCert)).toBe(true);
  });

  it('reads an EC identity', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    tmp.write('ec.key', privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    opensslOk(['req', '-new', '-x509', '-key', 'ec.key', '-subj', '/CN=ec identity', '-days', '2', '-out', 'ec.pem'], { cwd: tmp.path });
    const id = readPkcs12(exportP12('ec.p12', [], { key: 'ec.key', cert: 'ec.pem' }), 'secret');
    expect(id.privateKey.asymmetricKeyType).toBe('ec');
    expect(parseCertificate(id.certDer).subject.string).toContain('ec identity');
  });

  it('says badPassword for the wrong password', () => {
    expectCertsError(() => readPkcs12(tmp.read('default.p12'), 'wrong'), 'badPassword');
    expectCertsError(() => readPkcs12(tmp.read('legacy.p12'), 'wrong'), 'badPassword');
  });

  it('refuses a file without a key (not an identity) and bytes that are not PKCS#12', () => {
    opensslOk(['pkcs12', '-export', '-nokeys', '-in', 'device.pem', '-out', 'nokey.p12', '-passout', 'pass:secret'], { cwd: tmp.path });
    expectCertsError(() => readPkcs12(tmp.read('nokey.p12'), 'secret'), 'badCertificate');
    expectCertsError(() => readPkcs12(Buffer.from('not a pkcs12 file'), 'secret'), 'badDer');
  });

  it('refuses more iterations than its limit before deriving any key, and files over its size limit', () => {
    const many = exportP12('iter.p12', ['-iter', '5000']);
    expect(readPkcs12(many, 'secret').certDer.equals(deviceCert)).toBe(true);
    expectCertsError(() => readPkcs12(many, 'secret', { maxIterations: 4999 }), 'keyNotAllowed');
    // The key derivations' counts alone (the MAC does 1) and the MAC's alone (the keys do 1).
    const keysOnly = exportP12('keyiter.p12', ['-iter', '5000', '-nomaciter']);
    expectCertsError(() => readPkcs12(keysOnly, 'secret', { maxIterations: 4999 }), 'keyNotAllowed');
    const macOnly = exportP12('maciter.p12', ['-iter', '5000', '-noiter']);
    expectCertsError(() => readPkcs12(macOnly, 'secret', { maxIterations: 4999 }), 'keyNotAllowed');
    expect(readPkcs12(macOnly, 'secret', { maxIterations: 5000 }).certDer.equals(deviceCert)).toBe(true);
    expectCertsError(() => readPkcs12(many, 'secret', { maxBytes: many.length - 1 }), 'badDer');
  });
});
