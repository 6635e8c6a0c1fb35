import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../certs/authority.js';
import { parseCertificate } from '../../certs/certificate.js';
import { buildCsr } from '../../certs/csr.js';
import { parseExtKeyUsage, parseKeyUsage } from '../../certs/extensions.js';
import { generateRsaKeyPair, type RsaKeyPair } from '../../certs/keys.js';
import { OID } from '../../certs/oids.js';
import { derToPem } from '../../certs/pem.js';
import { expectCertsError, opensslOk, TempDir } from './helpers.js';

const tmp = new TempDir();
let ca: CertificateAuthority;
let otherCa: CertificateAuthority;
let device: RsaKeyPair;
const DAY = 86_400_000;

beforeAll(async () => {
  [ca, otherCa, device] = await Promise.all([
    CertificateAuthority.create({ commonName: 'mdmlab Lab CA', organization: 'mdmlab', validityDays: 365 }),
    // Same subject on purpose: verifyIssued must not trust names alone.
    CertificateAuthority.create({ commonName: 'mdmlab Lab CA', organization: 'mdmlab', validityDays: 365 }),
    generateRsaKeyPair(),
  ]);
  tmp.write('ca.pem', ca.certPem);
});
afterAll(() => tmp.cleanup());

describe('CertificateAuthority.create / fromPem', () => {
  it('creates a self-signed root with critical CA constraints and key usages', () => {
    const x = new X509Certificate(ca.certDer);
    expect(x.verify(ca.publicKey)).toBe(true);
    expect(x.ca).toBe(true);
    expect(x.subject).toBe('CN=mdmlab Lab CA\nO=mdmlab');
    expect(x.fingerprint256.replace(/:/g, '').toLowerCase()).toBe(ca.fingerprintSha256);
    expect(x.fingerprint.replace(/:/g, '').toLowerCase()).toBe(ca.fingerprintSha1);
    const info = ca.certificate;
    expect(info.extensions.find((e) => e.oid === OID.basicConstraints)?.critical).toBe(true);
    const ku = info.extensions.find((e) => e.oid === OID.keyUsage)!;
    expect(ku.critical).toBe(true);
    expect(parseKeyUsage(ku.value)).toEqual(['digitalSignature', 'keyCertSign', 'cRLSign']);
    expect(info.subjectKeyIdentifier).toBeDefined();
    const days = (info.notAfter.getTime() - Date.now()) / DAY;
    expect(days).toBeGreaterThan(364);
    expect(days).toBeLessThan(366);
    expect(ca.certPem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
  });

  it('reloads from PEM and refuses a key that does not match', () => {
    const again = CertificateAuthority.fromPem(ca.certPem, ca.keyPem);
    expect(again.fingerprintSha256).toBe(ca.fingerprintSha256);
    const issued = again.issueFromCsr(buildCsr({ privateKey: device.privateKey, subject: [{ shortName: 'CN', value: 'd' }] }), { validityDays: 1 });
    expect(ca.verifyIssued(issued.certDer)).toBe(true);
    expectCertsError(() => CertificateAuthority.fromPem(ca.certPem, otherCa.keyPem), 'badKey');
  });
});

describe('issueServerCertificate', () => {
  it('issues a TLS server certificate a client trusting the CA accepts for the host name', async () => {
    const { certPem, keyPem } = await ca.issueServerCertificate({ hostnames: ['mdm.lab.test'], ipAddresses: ['127.0.0.1'], validityDays: 30 });
    const x = new X509Certificate(certPem);
    expect(x.subject).toBe('CN=mdm.lab.test');
    expect(x.subjectAltName).toBe('DNS:mdm.lab.test, IP Address:127.0.0.1');
    expect(parseExtKeyUsage(parseCertificate(x.raw).extensions.find((e) => e.oid === OID.extKeyUsage)!.value)).toEqual([OID.serverAuth]);
    const server = createServer({ cert: certPem, key: keyPem }, (s) => s.end('hello'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const port = (server.address() as AddressInfo).port;
      const client = connect({ host: '127.0.0.1', port, servername: 'mdm.lab.test', ca: ca.certPem });
      const [data] = (await once(client, 'data')) as [Buffer];
      expect(client.authorized).toBe(true);
      expect(data.toString()).toBe('hello');
      client.destroy();
      const wrongName = connect({ host: '127.0.0.1', port, servername: 'other.lab.test', ca: ca.certPem });
      const [err] = (await once(wrongName, 'error')) as [Error & { code?: string }];
      expect(err.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    } finally {
      server.close();
    }
  });
});

describe('issueFromCsr', () => {
  it('issues for an openssl request with a challengePassword; openssl verifies the chain', () => {
    tmp.write(
      'req.cnf',
      ['[ req ]', 'distinguished_name = dn', 'attributes = attrs', 'prompt = no', '[ dn ]', 'CN = x', '[ attrs ]', 'challengePassword = secret', ''].join('\n'),
    );
    opensslOk(
      ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'dev.key', '-config', 'req.cnf', '-addext', 'subjectAltName=email:x@example.test', '-outform', 'DER', '-out', 'dev.csr'],
      { cwd: tmp.path },
    );
    const issued = ca.issueFromCsr(tmp.read('dev.csr'), { validityDays: 90 });
    expect(issued.subjectString).toBe('CN=x');
    expect(issued.serialHex).toMatch(/^[0-9a-f]{32}$/);
    tmp.write('dev.pem', derToPem(issued.certDer, 'CERTIFICATE'));
    expect(opensslOk(['verify', '-CAfile', 'ca.pem', '-purpose', 'sslclient', 'dev.pem'], { cwd: tmp.path }).toString()).toContain('dev.pem: OK');
    const x = new X509Certificate(issued.certDer);
    expect(x.subjectAltName).toBe('email:x@example.test');
    expect(x.serialNumber.toLowerCase()).toBe(issued.serialHex);
    const info = parseCertificate(issued.certDer);
    expect(parseKeyUsage(info.extensions.find((e) => e.oid === OID.keyUsage)!.value)).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(parseExtKeyUsage(info.extensions.find((e) => e.oid === OID.extKeyUsage)!.value)).toEqual([OID.clientAuth]);
    expect(info.authorityKeyIdentifier?.equals(ca.certificate.subjectKeyIdentifier!)).toBe(true);
    expect(ca.verifyIssued(issued.certDer)).toBe(true);
  });

  it('applies subject, usage and SAN overrides and caps validity at the CA expiry', () => {
    const csr = buildCsr({ privateKey: device.privateKey, subject: [{ shortName: 'CN', value: 'asked' }], extensions: { subjectAltName: { dns: ['asked.example'] } } });
    const issued = ca.issueFromCsr(csr, {
      validityDays: 10_000,
      subjectOverride: [{ shortName: 'CN', value: 'granted' }, { shortName: 'OU', value: 'devices' }],
      extendedKeyUsage: ['clientAuth', 'emailProtection'],
      keyUsage: ['digitalSignature'],
      subjectAltName: { email: ['granted@example.test'] },
      serialNumber: '01ab',
    });
    const x = new X509Certificate(issued.certDer);
    expect(x.subject).toBe('CN=granted\nOU=devices');
    expect(x.subjectAltName).toBe('email:granted@example.test');
    expect(x.serialNumber).toBe('01AB');
    expect(issued.notAfter.getTime()).toBe(ca.certificate.notAfter.getTime());
    const info = parseCertificate(issued.certDer);
    expect(parseExtKeyUsage(info.extensions.find((e) => e.oid === OID.extKeyUsage)!.value)).toEqual([OID.clientAuth, OID.emailProtection]);
  });

  it('rejects a request whose signature does not verify, and garbage', () => {
    const csr = Buffer.from(buildCsr({ privateKey: device.privateKey, subject: [{ shortName: 'CN', value: 'honest' }] }));
    csr[csr.indexOf(Buffer.from('honest'))] = 0x48; // 'H'
    expectCertsError(() => ca.issueFromCsr(csr, { validityDays: 1 }), 'badCsr');
    expectCertsError(() => ca.issueFromCsr(Buffer.from('garbage'), { validityDays: 1 }), 'badCsr');
  });

  it('refuses a key outside the client key limits (RSA-512)', () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 512 });
    expectCertsError(() => ca.issueFromCsr(buildCsr({ privateKey: weak.privateKey, subject: [{ shortName: 'CN', value: 'weak' }] }), { validityDays: 1 }), 'keyNotAllowed');
  });
});

describe('verifyIssued', () => {
  it('accepts only certificates signed by this CA and within validity', () => {
    const now = new Date();
    const csr = buildCsr({ privateKey: device.privateKey, subject: [{ shortName: 'CN', value: 'dev' }] });
    const ours = ca.issueFromCsr(csr, { validityDays: 30, now });
    const theirs = otherCa.issueFromCsr(csr, { validityDays: 30, now });
    expect(ca.verifyIssued(ours.certDer, now)).toBe(true);
    expect(ca.verifyIssued(theirs.certDer, now)).toBe(false);
    expect(otherCa.verifyIssued(ours.certDer, now)).toBe(false);
    expect(ca.verifyIssued(ours.certDer, new Date(now.getTime() + 31 * DAY))).toBe(false);
    expect(ca.verifyIssued(ours.certDer, new Date(now.getTime() - DAY))).toBe(false);
    expect(ca.verifyIssued(Buffer.from('nope'))).toBe(false);
    const tampered = Buffer.from(ours.certDer);
    tampered[tampered.indexOf(Buffer.from('dev'))] = 0x44;
    expect(ca.verifyIssued(tampered, now)).toBe(false);
  });
});
