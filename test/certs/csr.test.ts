import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCsr, parseCsr } from '../../certs/csr.js';
import { bitString, integer, NULL, oid, seq, setOf, tlv, utf8String } from '../../certs/der.js';
import { encodeExtensionList, encodeSubjectAltName } from '../../certs/extensions.js';
import { generateRsaKeyPair, importPrivateKey, spkiDer, type RsaKeyPair } from '../../certs/keys.js';
import { OID } from '../../certs/oids.js';
import { derToPem, pemToDer } from '../../certs/pem.js';
import { expectCertsError, openssl, opensslOk, TempDir } from './helpers.js';

const tmp = new TempDir();
let keys: RsaKeyPair;

beforeAll(async () => {
  keys = await generateRsaKeyPair();
});
afterAll(() => tmp.cleanup());

/** A hand-made CSR, to imitate encoders we cannot run here (Go crypto/x509, certmonger, Windows). */
function craftCsr(opts: { subject: Buffer; attributes?: Buffer[] | null; key: KeyObject; spki: Buffer }): Buffer {
  const attrs = opts.attributes === null ? [] : [setOf(opts.attributes ?? [], 0xa0)];
  const info = seq(integer(0), opts.subject, opts.spki, ...attrs);
  return seq(info, seq(oid(OID.sha256WithRSAEncryption), NULL), bitString(sign('sha256', info, opts.key)));
}

function rdn(attrOid: string, value: Buffer): Buffer {
  return setOf([seq(oid(attrOid), value)]);
}

const CN = '2.5.4.3';
const printable = (s: string) => tlv(0x13, Buffer.from(s, 'latin1'));
const ia5 = (s: string) => tlv(0x16, Buffer.from(s, 'latin1'));
const bmp = (s: string) => tlv(0x1e, Buffer.from(s, 'utf16le').swap16());

describe('buildCsr', () => {
  it('produces a request openssl verifies, with challengePassword and requested extensions', () => {
    const der = buildCsr({
      privateKey: keys.privateKey,
      subject: [
        { shortName: 'CN', value: 'iPhone 15 de Zoé' },
        { shortName: 'O', value: 'mdmlab' },
      ],
      challengePassword: 'secret-123',
      extensions: { subjectAltName: { email: ['zoe@example.test'], upn: ['zoe@corp.example'] }, keyUsage: ['digitalSignature'] },
    });
    tmp.write('ours.csr', derToPem(der, 'CERTIFICATE REQUEST'));
    const r = openssl(['req', '-in', 'ours.csr', '-verify', '-noout', '-text', '-nameopt', 'utf8'], { cwd: tmp.path });
    const out = r.stdout.toString();
    expect(r.stderr).toMatch(/verify OK/);
    expect(out).toContain('challengePassword');
    expect(out).toContain('secret-123');
    expect(out).toContain('email:zoe@example.test');
    expect(out).toContain('Subject: CN=iPhone 15 de Zoé, O=mdmlab');
    const parsed = parseCsr(der);
    expect(parsed.signatureValid).toBe(true);
    expect(parsed.subjectString).toBe('CN=iPhone 15 de Zoé,O=mdmlab');
    expect(parsed.challengePassword).toBe('secret-123');
    expect(parsed.subjectAltName?.upn).toEqual(['zoe@corp.example']);
    expect(spkiDer(parsed.publicKey).equals(spkiDer(keys.publicKey))).toBe(true);
  });

  it('uses UTF8String for a non-printable challenge and can sign with SHA-1', () => {
    const parsed = parseCsr(buildCsr({ privateKey: keys.privateKey, subject: [{ shortName: 'CN', value: 'x' }], challengePassword: 'mot_de_passe!', digest: 'sha1' }));
    expect(parsed.challengePassword).toBe('mot_de_passe!');
    expect(parsed.signatureAlgorithm).toBe(OID.sha1WithRSAEncryption);
    expect(parsed.signatureValid).toBe(true);
    expect(parsed.attributes.find((a) => a.oid === OID.challengePassword)!.values[0]![0]).toBe(0x0c);
  });
});

describe('parseCsr', () => {
  it('parses `openssl req` output with challengePassword from [ req_attributes ] and -addext', () => {
    // OpenSSL 3.0 drops [ req_attributes ] when -subj is given, so the subject comes from the config.
    tmp.write(
      'req.cnf',
      ['[ req ]', 'distinguished_name = dn', 'attributes = req_attributes', 'prompt = no', '[ dn ]', 'CN = x', 'O = Lab', '[ req_attributes ]', 'challengePassword = secret', ''].join('\n'),
    );
    opensslOk(
      ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-config', 'req.cnf',
        '-addext', 'subjectAltName=DNS:dev.example.test,IP:10.1.2.3', '-addext', 'keyUsage=digitalSignature', '-out', 'o.csr'],
      { cwd: tmp.path },
    );
    const parsed = parseCsr(pemToDer(tmp.read('o.csr').toString(), 'CERTIFICATE REQUEST'));
    expect(parsed.signatureValid).toBe(true);
    expect(parsed.subjectString).toBe('CN=x,O=Lab');
    expect(parsed.subject.map((a) => a.shortName)).toEqual(['CN', 'O']);
    expect(parsed.challengePassword).toBe('secret');
    expect(parsed.subjectAltName).toMatchObject({ dns: ['dev.example.test'], ip: ['10.1.2.3'] });
    expect(parsed.extensionRequest?.map((e) => e.oid)).toEqual([OID.subjectAltName, OID.keyUsage]);
    const key = importPrivateKey(tmp.read('k.pem').toString());
    expect(spkiDer(parsed.publicKey).equals(spkiDer(key))).toBe(true);
  });

  it('verifies a SHA-1 signed openssl request', () => {
    opensslOk(['req', '-new', '-newkey', 'rsa:1024', '-nodes', '-keyout', 'k1.pem', '-subj', '/CN=old', '-sha1', '-outform', 'DER', '-out', 'sha1.csr'], {
      cwd: tmp.path,
    });
    const parsed = parseCsr(tmp.read('sha1.csr'));
    expect(parsed.signatureAlgorithm).toBe(OID.sha1WithRSAEncryption);
    expect(parsed.signatureValid).toBe(true);
  });

  it('parses a Go crypto/x509 style request (PrintableString CN and challenge, extensionRequest)', () => {
    const san = encodeExtensionList([{ oid: OID.subjectAltName, critical: false, value: encodeSubjectAltName({ dns: ['go.example'] }) }]);
    const der = craftCsr({
      subject: seq(rdn(CN, printable('go-client')), rdn('2.5.4.10', printable('MicroMDM'))),
      attributes: [seq(oid(OID.challengePassword), setOf([printable('s3cret')])), seq(oid(OID.extensionRequest), setOf([san]))],
      key: keys.privateKey,
      spki: spkiDer(keys.publicKey),
    });
    const parsed = parseCsr(der);
    expect(parsed).toMatchObject({ subjectString: 'CN=go-client,O=MicroMDM', challengePassword: 's3cret', signatureValid: true });
    expect(parsed.subjectAltName?.dns).toEqual(['go.example']);
  });

  it('parses certmonger style challengePassword as UTF8String or IA5String', () => {
    for (const value of [utf8String('pässwörd'), ia5('ia5-pass')]) {
      const parsed = parseCsr(
        craftCsr({
          subject: seq(rdn(CN, utf8String('host.example'))),
          attributes: [seq(oid(OID.challengePassword), setOf([value]))],
          key: keys.privateKey,
          spki: spkiDer(keys.publicKey),
        }),
      );
      expect(parsed.signatureValid).toBe(true);
      expect(['pässwörd', 'ia5-pass']).toContain(parsed.challengePassword);
    }
  });

  it('parses a Windows style subject CN=<GUID>!<DeviceID> followed by NUL, also as BMPString', () => {
    const cn = '{8f2b7a9c-1d3e-4f5a-9b8c-7d6e5f4a3b2c}!0123456789ABCDEF\u0000';
    for (const value of [utf8String(cn), bmp(cn)]) {
      const parsed = parseCsr(craftCsr({ subject: seq(rdn(CN, value)), attributes: [], key: keys.privateKey, spki: spkiDer(keys.publicKey) }));
      expect(parsed.subject[0]).toEqual({ oid: CN, shortName: 'CN', value: cn });
      expect(parsed.subjectString).toBe(`CN={8f2b7a9c-1d3e-4f5a-9b8c-7d6e5f4a3b2c}!0123456789ABCDEF\\00`);
      expect(parsed.challengePassword).toBeUndefined();
    }
  });

  it('tolerates a request without the attributes field', () => {
    const parsed = parseCsr(craftCsr({ subject: seq(rdn(CN, printable('bare'))), attributes: null, key: keys.privateKey, spki: spkiDer(keys.publicKey) }));
    expect(parsed.signatureValid).toBe(true);
    expect(parsed.attributes).toEqual([]);
  });

  it('reports a tampered request as signatureValid=false and garbage as badCsr', () => {
    const der = Buffer.from(buildCsr({ privateKey: keys.privateKey, subject: [{ shortName: 'CN', value: 'aaaa' }] }));
    const i = der.indexOf(Buffer.from('aaaa'));
    der[i] = 0x62; // 'b'
    expect(parseCsr(der).signatureValid).toBe(false);
    expectCertsError(() => parseCsr(Buffer.from('3003020100', 'hex')), 'badCsr');
    expectCertsError(() => parseCsr(Buffer.from('not a csr')), 'badCsr');
    tmp.write('bad.der', der);
    // `openssl req -verify` exits 0 even on failure in 3.0: look at what it says.
    const r = openssl(['req', '-inform', 'DER', '-in', 'bad.der', '-verify', '-noout'], { cwd: tmp.path });
    expect(r.stdout.toString() + r.stderr).toMatch(/verify failure/);
  });

  it('reports the requested key and refuses one outside the client key limits before verifying with it', () => {
    expect(parseCsr(buildCsr({ privateKey: keys.privateKey, subject: [{ shortName: 'CN', value: 'k' }] })).key).toEqual({ type: 'rsa', modulusBits: 2048, exponent: 65537 });
    const weak = generateKeyPairSync('rsa', { modulusLength: 512 });
    expectCertsError(() => parseCsr(buildCsr({ privateKey: weak.privateKey, subject: [{ shortName: 'CN', value: 'weak' }] })), 'keyNotAllowed');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expectCertsError(() => parseCsr(buildCsr({ privateKey: ec.privateKey, subject: [{ shortName: 'CN', value: 'ec' }] })), 'keyNotAllowed');
    // The limits can be tightened by the caller.
    const csr = buildCsr({ privateKey: keys.privateKey, subject: [{ shortName: 'CN', value: 'k' }] });
    expectCertsError(() => parseCsr(csr, { keyLimits: { minModulusBits: 3072, maxModulusBits: 4096 } }), 'keyNotAllowed');
  });
});
