import { randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../certs/authority.js';
import { buildCertsOnlySignedData, parseCertsOnly, signCms } from '../../certs/cms-signed.js';
import { anySigner, issuedBy, verifyCms } from '../../certs/cms-verify.js';
import { buildCsr } from '../../certs/csr.js';
import { contentOf, parseDer, printableString, readString } from '../../certs/der.js';
import { generateRsaKeyPair, privateKeyToPem, type RsaKeyPair } from '../../certs/keys.js';
import { OID } from '../../certs/oids.js';
import { derToPem, pemBlocks } from '../../certs/pem.js';
import { expectCertsError, openssl, opensslOk, TempDir } from './helpers.js';

const tmp = new TempDir();
let ca: CertificateAuthority;
let otherCa: CertificateAuthority;
let device: RsaKeyPair;
let other: RsaKeyPair;
let deviceCert: Buffer;
let otherCert: Buffer;
// An Apple check-in body is a ~1-2 KB plist; binary bytes make sure nothing is treated as text.
const body = Buffer.concat([Buffer.from('<?xml version="1.0"?><plist>'), randomBytes(1200), Buffer.from('</plist>\r\n')]);

beforeAll(async () => {
  [ca, otherCa, device, other] = await Promise.all([
    CertificateAuthority.create({ commonName: 'CMS Test CA' }),
    CertificateAuthority.create({ commonName: 'Other CA' }),
    generateRsaKeyPair(),
    generateRsaKeyPair(),
  ]);
  deviceCert = ca.issueFromCsr(buildCsr({ privateKey: device.privateKey, subject: [{ shortName: 'CN', value: 'device-1' }] }), { validityDays: 30 }).certDer;
  otherCert = ca.issueFromCsr(buildCsr({ privateKey: other.privateKey, subject: [{ shortName: 'CN', value: 'device-2' }] }), { validityDays: 30 }).certDer;
  tmp.write('ca.pem', ca.certPem);
  tmp.write('signer.pem', derToPem(deviceCert, 'CERTIFICATE'));
  tmp.write('signer.key', privateKeyToPem(device.privateKey));
  tmp.write('body.bin', body);
});
afterAll(() => tmp.cleanup());

function opensslVerify(sigFile: string, extra: string[]): { status: number | null; out: Buffer; stderr: string } {
  const r = openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', sigFile, '-out', 'out.bin', ...extra], { cwd: tmp.path });
  return { status: r.status, out: r.status === 0 ? tmp.read('out.bin') : Buffer.alloc(0), stderr: r.stderr };
}

describe('signCms → openssl cms -verify', () => {
  it('a detached signature (Mdm-Signature) verifies with -noverify and against the CA', () => {
    tmp.write('det.der', signCms({ content: body, detached: true, signerCertDer: deviceCert, signerKey: device.privateKey }));
    expect(opensslVerify('det.der', ['-content', 'body.bin', '-noverify']).status).toBe(0);
    const chained = opensslVerify('det.der', ['-content', 'body.bin', '-CAfile', 'ca.pem', '-purpose', 'any']);
    expect(chained.stderr).toContain('Verification successful');
    tmp.write('body2.bin', Buffer.concat([body, Buffer.from('x')]));
    expect(opensslVerify('det.der', ['-content', 'body2.bin', '-noverify']).status).not.toBe(0);
  });

  it('an attached SHA-1 signature with the CA included verifies and yields the content', () => {
    const der = signCms({ content: body, detached: false, signerCertDer: deviceCert, signerKey: device.privateKey, digest: 'sha1', includeCertificates: [ca.certDer] });
    tmp.write('att.der', der);
    const r = opensslVerify('att.der', ['-noverify']);
    expect(r.status).toBe(0);
    expect(r.out.equals(body)).toBe(true);
    const printed = opensslOk(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', 'att.der'], { cwd: tmp.path }).toString();
    expect(printed).toContain('algorithm: sha1 (1.3.14.3.2.26)');
    expect(printed).toContain('algorithm: sha1WithRSAEncryption');
  });

  it('a signature without signed attributes verifies', () => {
    tmp.write('noattr.der', signCms({ content: body, detached: true, signerCertDer: deviceCert, signerKey: device.privateKey, signedAttributes: false }));
    expect(opensslVerify('noattr.der', ['-content', 'body.bin', '-noverify']).status).toBe(0);
  });
});

describe('openssl cms -sign → verifyCms', () => {
  const cases: { name: string; args: string[]; detached: boolean; digest: string; attrs: boolean }[] = [
    { name: 'detached sha256', args: [], detached: true, digest: 'sha256', attrs: true },
    { name: 'attached sha256', args: ['-nodetach'], detached: false, digest: 'sha256', attrs: true },
    { name: 'detached sha1', args: ['-md', 'sha1'], detached: true, digest: 'sha1', attrs: true },
    { name: 'attached sha1', args: ['-md', 'sha1', '-nodetach'], detached: false, digest: 'sha1', attrs: true },
    { name: 'detached -noattr', args: ['-noattr'], detached: true, digest: 'sha256', attrs: false },
    { name: 'attached -noattr sha512', args: ['-noattr', '-nodetach', '-md', 'sha512'], detached: false, digest: 'sha512', attrs: false },
    { name: 'attached BER streaming (-stream)', args: ['-nodetach', '-stream'], detached: false, digest: 'sha256', attrs: true },
    { name: 'subject key identifier (-keyid) with chain', args: ['-keyid', '-certfile', 'ca.pem'], detached: true, digest: 'sha256', attrs: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const file = `os-${c.name.replace(/\W+/g, '_')}.der`;
      opensslOk(['cms', '-sign', '-binary', '-outform', 'DER', '-in', 'body.bin', '-signer', 'signer.pem', '-inkey', 'signer.key', '-out', file, ...c.args], { cwd: tmp.path });
      const der = tmp.read(file);
      const result = c.detached ? verifyCms(der, { detachedContent: body, acceptSigner: anySigner }) : verifyCms(der, { acceptSigner: anySigner });
      expect(result.content.equals(body)).toBe(true);
      expect(result.signerCertificate.equals(deviceCert)).toBe(true);
      expect(result.digestAlgorithm).toBe(c.digest);
      expect(result.signedAttributes.has(OID.messageDigest)).toBe(c.attrs);
      expect(verifyCms(der, { detachedContent: body, acceptSigner: issuedBy([ca.certDer]) }).content.equals(body)).toBe(true);
      if (c.detached) {
        expectCertsError(() => verifyCms(der, { detachedContent: Buffer.concat([body, Buffer.from(' ')]), acceptSigner: anySigner }), 'badSignature');
      }
    });
  }
});

describe('verifyCms failures', () => {
  it('rejects tampered content, tampered signature, a wrong certificate and missing content', () => {
    const sig = signCms({ content: body, detached: true, signerCertDer: deviceCert, signerKey: device.privateKey });
    const tamperedBody = Buffer.from(body);
    tamperedBody[100]! ^= 1;
    expectCertsError(() => verifyCms(sig, { detachedContent: tamperedBody, acceptSigner: anySigner }), 'badSignature');

    const tamperedSig = Buffer.from(sig);
    tamperedSig[tamperedSig.length - 5]! ^= 0xff; // inside the RSA signature value
    expectCertsError(() => verifyCms(tamperedSig, { detachedContent: body, acceptSigner: anySigner }), 'badSignature');

    // Signed with device-2's key while naming device-1's certificate.
    const wrongKey = signCms({ content: body, detached: true, signerCertDer: deviceCert, signerKey: other.privateKey });
    expectCertsError(() => verifyCms(wrongKey, { detachedContent: body, acceptSigner: anySigner }), 'badSignature');

    // device-1's certificate swapped for device-2's: the signer can no longer be found.
    const swapped = Buffer.from(sig);
    const at = swapped.indexOf(deviceCert);
    expect(at).toBeGreaterThan(0);
    expect(otherCert.length).toBe(deviceCert.length);
    otherCert.copy(swapped, at);
    expectCertsError(() => verifyCms(swapped, { detachedContent: body, acceptSigner: anySigner }), 'signerNotFound');

    expectCertsError(() => verifyCms(sig, { acceptSigner: anySigner }), 'badCms');
    expectCertsError(() => verifyCms(Buffer.from('MIIB'), { acceptSigner: anySigner }), 'badCms');
    expectCertsError(() => verifyCms(buildCertsOnlySignedData([ca.certDer]), { detachedContent: body, acceptSigner: anySigner }), 'badCms');
  });

  it('requires attached content to equal the content supplied and enforces trusted signers', () => {
    const sig = signCms({ content: body, detached: false, signerCertDer: deviceCert, signerKey: device.privateKey });
    expect(verifyCms(sig, { detachedContent: body, acceptSigner: anySigner }).content.equals(body)).toBe(true);
    expectCertsError(() => verifyCms(sig, { detachedContent: Buffer.from('other body'), acceptSigner: anySigner }), 'badSignature');
    expect(verifyCms(sig, { acceptSigner: issuedBy([deviceCert]) }).signerCertificate.equals(deviceCert)).toBe(true);
    expectCertsError(() => verifyCms(sig, { acceptSigner: issuedBy([otherCa.certDer]) }), 'untrustedSigner');
  });
});

describe('signed attributes', () => {
  it('returns extra attributes (DER or forge ASN.1) and the signing time', () => {
    const when = new Date('2030-05-06T07:08:09Z');
    const forgeValue = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.PRINTABLESTRING, false, '19');
    const sig = signCms({
      content: body,
      detached: true,
      signerCertDer: deviceCert,
      signerKey: device.privateKey,
      signingTime: when,
      extraSignedAttributes: [
        { oid: OID.scepMessageType, values: [forgeValue] },
        { oid: OID.scepTransactionId, values: [printableString('abc')] },
      ],
    });
    const r = verifyCms(sig, { detachedContent: body, acceptSigner: anySigner });
    expect(r.signingTime?.toISOString()).toBe(when.toISOString());
    expect(readString(parseDer(r.signedAttributes.get(OID.scepMessageType)![0]!))).toBe('19');
    expect(readString(parseDer(r.signedAttributes.get(OID.scepTransactionId)![0]!))).toBe('abc');
    expect(contentOf(parseDer(r.signedAttributes.get(OID.contentType)![0]!)).length).toBeGreaterThan(0);
    tmp.write('extra.der', sig);
    expect(opensslVerify('extra.der', ['-content', 'body.bin', '-noverify']).status).toBe(0);
    const noTime = signCms({ content: body, detached: true, signerCertDer: deviceCert, signerKey: device.privateKey, signingTime: null });
    expect(verifyCms(noTime, { detachedContent: body, acceptSigner: anySigner }).signedAttributes.has(OID.signingTime)).toBe(false);
  });
});

describe('certs-only SignedData', () => {
  it('builds a degenerate PKCS#7 openssl can print, and reads openssl crl2pkcs7 output', () => {
    const p7 = buildCertsOnlySignedData([ca.certDer, deviceCert]);
    tmp.write('certs.p7b', p7);
    const printed = opensslOk(['pkcs7', '-inform', 'DER', '-in', 'certs.p7b', '-print_certs'], { cwd: tmp.path }).toString();
    expect(pemBlocks(printed, 'CERTIFICATE').map((b) => b.der)).toEqual([ca.certDer, deviceCert]);
    expect(parseCertsOnly(p7)).toEqual([ca.certDer, deviceCert]);
    const fromOpenssl = opensslOk(['crl2pkcs7', '-nocrl', '-certfile', 'ca.pem', '-certfile', 'signer.pem', '-outform', 'DER'], { cwd: tmp.path });
    expect(parseCertsOnly(fromOpenssl)).toEqual([ca.certDer, deviceCert]);
  });
});
