import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCertificate, randomSerialNumber } from '../../certs/certificate-builder.js';
import { isWithinValidity, parseCertificate, verifyCertificateSignature } from '../../certs/certificate.js';
import { parseBasicConstraints, parseExtKeyUsage, parseKeyUsage, parseSubjectAltName } from '../../certs/extensions.js';
import { generateRsaKeyPair, keyIdentifier, spkiDer, type RsaKeyPair } from '../../certs/keys.js';
import { nameValue, parseName } from '../../certs/name.js';
import { OID } from '../../certs/oids.js';
import { derToPem } from '../../certs/pem.js';
import { expectCertsError, openssl, opensslOk, TempDir } from './helpers.js';

const tmp = new TempDir();
let caKeys: RsaKeyPair;
let leafKeys: RsaKeyPair;
let caDer: Buffer;
const now = new Date();
const later = new Date(now.getTime() + 86_400_000);
const caSubject = [
  { shortName: 'CN', value: 'Test Root' },
  { shortName: 'O', value: 'mdmlab, Inc.' },
  { shortName: 'C', value: 'FR' },
];

beforeAll(async () => {
  [caKeys, leafKeys] = await Promise.all([generateRsaKeyPair(), generateRsaKeyPair()]);
  caDer = buildCertificate({
    subject: caSubject,
    issuer: caSubject,
    notBefore: now,
    notAfter: later,
    subjectPublicKey: caKeys.publicKey,
    issuerPrivateKey: caKeys.privateKey,
    extensions: {
      basicConstraints: { ca: true },
      keyUsage: ['keyCertSign', 'cRLSign', 'digitalSignature'],
      subjectKeyIdentifier: true,
    },
  });
});
afterAll(() => tmp.cleanup());

describe('buildCertificate', () => {
  it('makes a self-signed CA that node:crypto verifies', () => {
    const x = new X509Certificate(caDer);
    expect(x.verify(caKeys.publicKey)).toBe(true);
    expect(x.ca).toBe(true);
    expect(x.subject.split('\n')).toEqual(['CN=Test Root', 'O=mdmlab\\, Inc.', 'C=FR']);
    expect(x.checkIssued(x)).toBe(true);
    const info = parseCertificate(caDer);
    expect(info.version).toBe(3);
    expect(info.signatureAlgorithm).toBe(OID.sha256WithRSAEncryption);
    expect(info.subject.string).toBe('CN=Test Root,O=mdmlab\\, Inc.,C=FR');
    expect(nameValue(info.subject, 'O')).toBe('mdmlab, Inc.');
    expect(info.subjectKeyIdentifier?.equals(keyIdentifier(caKeys.publicKey))).toBe(true);
    const bc = info.extensions.find((e) => e.oid === OID.basicConstraints)!;
    expect(bc.critical).toBe(true);
    expect(parseBasicConstraints(bc.value)).toEqual({ ca: true });
    const ku = info.extensions.find((e) => e.oid === OID.keyUsage)!;
    expect(ku.critical).toBe(true);
    expect(parseKeyUsage(ku.value)).toEqual(['digitalSignature', 'keyCertSign', 'cRLSign']);
    expect(info.notBefore.getTime()).toBe(Math.floor(now.getTime() / 1000) * 1000);
    expect(isWithinValidity(info, new Date(now.getTime() + 1000))).toBe(true);
    expect(isWithinValidity(info, new Date(later.getTime() + 1000))).toBe(false);
  });

  it('issues a leaf with SAN, EKU and key identifiers that openssl verifies against the CA', () => {
    const ca = parseCertificate(caDer);
    const leaf = buildCertificate({
      subject: [{ shortName: 'CN', value: 'mdm.example.test' }],
      issuer: ca.subject.der,
      serialNumber: '0a1b2c',
      notBefore: now,
      notAfter: later,
      subjectPublicKey: spkiDer(leafKeys.publicKey),
      issuerPrivateKey: caKeys.privateKey,
      extensions: {
        keyUsage: ['digitalSignature', 'keyEncipherment'],
        extKeyUsage: ['serverAuth', 'clientAuth'],
        subjectAltName: {
          dns: ['mdm.example.test', 'localhost'],
          ip: ['127.0.0.1', '::1', 'fe80::1:2'],
          email: ['admin@example.test'],
          uri: ['https://mdm.example.test/'],
          upn: ['user@corp.example'],
        },
        subjectKeyIdentifier: true,
        authorityKeyIdentifier: ca.subjectKeyIdentifier!,
      },
    });
    const x = new X509Certificate(leaf);
    expect(x.verify(caKeys.publicKey)).toBe(true);
    expect(x.checkIssued(new X509Certificate(caDer))).toBe(true);
    expect(x.serialNumber).toBe('0A1B2C');
    expect(x.subjectAltName).toContain('DNS:mdm.example.test');
    expect(x.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(x.subjectAltName).toContain('email:admin@example.test');
    expect(x.subjectAltName).toContain('URI:https://mdm.example.test/');
    expect(x.checkHost('mdm.example.test')).toBe('mdm.example.test');
    expect(x.checkIP('::1')).toBe('::1');
    const info = parseCertificate(leaf);
    expect(info.authorityKeyIdentifier?.equals(ca.subjectKeyIdentifier!)).toBe(true);
    const san = parseSubjectAltName(info.extensions.find((e) => e.oid === OID.subjectAltName)!.value);
    expect(san).toEqual({
      dns: ['mdm.example.test', 'localhost'],
      ip: ['127.0.0.1', '0:0:0:0:0:0:0:1', 'fe80:0:0:0:0:0:1:2'],
      email: ['admin@example.test'],
      uri: ['https://mdm.example.test/'],
      upn: ['user@corp.example'],
    });
    expect(parseExtKeyUsage(info.extensions.find((e) => e.oid === OID.extKeyUsage)!.value)).toEqual([OID.serverAuth, OID.clientAuth]);
    expect(verifyCertificateSignature(info, caKeys.publicKey)).toBe(true);
    expect(verifyCertificateSignature(info, leafKeys.publicKey)).toBe(false);

    tmp.write('ca.pem', derToPem(caDer, 'CERTIFICATE'));
    tmp.write('leaf.pem', derToPem(leaf, 'CERTIFICATE'));
    expect(opensslOk(['verify', '-CAfile', 'ca.pem', 'leaf.pem'], { cwd: tmp.path }).toString()).toContain('leaf.pem: OK');
    const text = opensslOk(['x509', '-in', 'leaf.pem', '-noout', '-text'], { cwd: tmp.path }).toString();
    expect(text).toContain('TLS Web Server Authentication, TLS Web Client Authentication');
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
    expect(text).toContain('Signature Algorithm: sha256WithRSAEncryption');
  });

  it('fails openssl verification when signed by another key', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const forged = buildCertificate({
      subject: [{ shortName: 'CN', value: 'forged' }],
      issuer: caSubject,
      notBefore: now,
      notAfter: later,
      subjectPublicKey: leafKeys.publicKey,
      issuerPrivateKey: other.privateKey,
    });
    tmp.write('ca.pem', derToPem(caDer, 'CERTIFICATE'));
    tmp.write('forged.pem', derToPem(forged, 'CERTIFICATE'));
    expect(openssl(['verify', '-CAfile', 'ca.pem', 'forged.pem'], { cwd: tmp.path }).status).not.toBe(0);
    expect(new X509Certificate(forged).verify(caKeys.publicKey)).toBe(false);
  });

  it('signs with an ECDSA issuer key too', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = buildCertificate({
      subject: [{ shortName: 'CN', value: 'ec' }],
      issuer: [{ shortName: 'CN', value: 'ec' }],
      notBefore: now,
      notAfter: later,
      subjectPublicKey: ec.publicKey,
      issuerPrivateKey: ec.privateKey,
    });
    expect(new X509Certificate(der).verify(ec.publicKey)).toBe(true);
  });

  it('draws positive 16-byte serials and rejects bad input', () => {
    const s = randomSerialNumber();
    expect(s).toHaveLength(16);
    expect(s[0]! & 0x80).toBe(0);
    const base = { subject: caSubject, issuer: caSubject, subjectPublicKey: caKeys.publicKey, issuerPrivateKey: caKeys.privateKey };
    expectCertsError(() => buildCertificate({ ...base, notBefore: later, notAfter: now }), 'badCertificate');
    expectCertsError(() => buildCertificate({ ...base, notBefore: now, notAfter: later, serialNumber: 'xyz' }), 'badDer');
    expectCertsError(
      () => buildCertificate({ ...base, notBefore: now, notAfter: later, subject: [{ shortName: 'NOPE', value: 'x' }] }),
      'badDer',
    );
  });
});

describe('parseName', () => {
  it('keeps raw values and escapes the one-line form (RFC 4514)', () => {
    const der = buildCertificate({
      subject: [
        { shortName: 'CN', value: '6F9619FF-8B86-D011-B42D-00C04FC964FF!dev1\u0000' },
        { oid: '2.5.4.97', value: '#x' },
        { shortName: 'emailAddress', value: 'a@b.c' },
      ],
      issuer: caSubject,
      notBefore: now,
      notAfter: later,
      subjectPublicKey: leafKeys.publicKey,
      issuerPrivateKey: caKeys.privateKey,
    });
    const name = parseName(parseCertificate(der).subject.der);
    expect(name.attributes[0]).toEqual({ oid: OID_CN, shortName: 'CN', value: '6F9619FF-8B86-D011-B42D-00C04FC964FF!dev1\u0000' });
    expect(name.string).toBe('CN=6F9619FF-8B86-D011-B42D-00C04FC964FF!dev1\\00,2.5.4.97=\\#x,emailAddress=a@b.c');
  });
});

const OID_CN = '2.5.4.3';
