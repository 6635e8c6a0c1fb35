import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsr } from '../../certs/csr.js';
import { generateRsaKeyPair, spkiDer, type RsaKeyPair } from '../../certs/keys.js';
import { OID } from '../../certs/oids.js';
import { derToPem } from '../../certs/pem.js';
import { buildWindowsCsr, WINDOWS_DEVICE_ID_EXTENSION_OID, windowsCsrCommonName, windowsCsrIdentity } from '../../certs/windows-csr.js';
import { expectCertsError, openssl, TempDir } from './helpers.js';

const tmp = new TempDir();
let keys: RsaKeyPair;
const REQUEST_GUID = '562A7F9A-6CD8-40B0-9E7E-0DBDD8A1C3F2';
const DEVICE_ID = 'B5B954E81FBCB94EB79BD08BE625F4EE';

beforeAll(async () => {
  keys = await generateRsaKeyPair();
});
afterAll(() => tmp.cleanup());

describe('Windows certificate requests', () => {
  it('shorten the request GUID so <GUID>!<DeviceID> and its NUL fill the 64-character common name', () => {
    const cn = windowsCsrCommonName(REQUEST_GUID, DEVICE_ID);
    expect(cn).toBe(`562A7F9A-6CD8-40B0-9E7E-0DBDD8!${DEVICE_ID}\u0000`);
    expect(cn).toHaveLength(64);
    expect(windowsCsrCommonName('short', 'D1')).toBe('short!D1\u0000');
    expectCertsError(() => windowsCsrCommonName('x', 'D'.repeat(63)), 'badCsr');
  });

  it('are built as Windows 10 writes them, and openssl verifies them', () => {
    const der = buildWindowsCsr({ privateKey: keys.privateKey, requestGuid: REQUEST_GUID, deviceId: DEVICE_ID });
    tmp.write('win.csr', derToPem(der, 'CERTIFICATE REQUEST'));
    const verify = openssl(['req', '-in', 'win.csr', '-verify', '-noout'], { cwd: tmp.path });
    expect(verify.stdout.toString() + verify.stderr).toMatch(/verify OK/);
    const asn1 = openssl(['asn1parse', '-in', 'win.csr'], { cwd: tmp.path }).stdout.toString();
    // PrintableString tag kept for a value holding `!` and NUL; the extension and the OIW signature OID.
    expect(asn1).toMatch(/PRINTABLESTRING\s+:562A7F9A-6CD8-40B0-9E7E-0DBDD8!B5B954E81FBCB94EB79BD08BE625F4EE/);
    expect(asn1).toContain(WINDOWS_DEVICE_ID_EXTENSION_OID);
    expect(asn1).toMatch(/OCTET STRING\s+\[HEX DUMP\]:42354239353445383146424342393445423739424430384245363235463445450*00\n/);
    expect(asn1).toMatch(/OBJECT\s+:sha1WithRSA\n/);
  });

  it('are accepted by parseCsr: OIW SHA-1 signature, NUL in the subject, DeviceID extension', () => {
    // Regression: parseCsr refused 1.3.14.3.2.29, the signature algorithm of every Windows request
    // made without an enrollment policy asking for another hash.
    const parsed = parseCsr(buildWindowsCsr({ privateKey: keys.privateKey, requestGuid: REQUEST_GUID, deviceId: DEVICE_ID }));
    expect(parsed.signatureValid).toBe(true);
    expect(parsed.signatureAlgorithm).toBe(OID.sha1WithRSASignatureOiw);
    expect(parsed.subject).toEqual([{ oid: '2.5.4.3', shortName: 'CN', value: `562A7F9A-6CD8-40B0-9E7E-0DBDD8!${DEVICE_ID}\u0000` }]);
    expect(spkiDer(parsed.publicKey).equals(spkiDer(keys.publicKey))).toBe(true);
    expect(windowsCsrIdentity(parsed)).toEqual({
      commonName: `562A7F9A-6CD8-40B0-9E7E-0DBDD8!${DEVICE_ID}\u0000`,
      requestGuid: '562A7F9A-6CD8-40B0-9E7E-0DBDD8',
      deviceId: DEVICE_ID,
      extensionDeviceId: DEVICE_ID,
    });
  });

  it('sign with the hash an enrollment policy asks for', () => {
    const der = buildWindowsCsr({ privateKey: keys.privateKey, requestGuid: REQUEST_GUID, deviceId: DEVICE_ID, digest: 'sha256' });
    const parsed = parseCsr(der);
    expect(parsed.signatureValid).toBe(true);
    expect(parsed.signatureAlgorithm).toBe(OID.sha256WithRSAEncryption);
  });

  it('report a tampered request as signatureValid=false', () => {
    const der = Buffer.from(buildWindowsCsr({ privateKey: keys.privateKey, requestGuid: REQUEST_GUID, deviceId: DEVICE_ID }));
    const i = der.indexOf(Buffer.from(DEVICE_ID));
    der[i] = 0x43; // 'C'
    const parsed = parseCsr(der);
    expect(parsed.signatureValid).toBe(false);
    expect(windowsCsrIdentity(parsed).deviceId).toBe(`C${DEVICE_ID.slice(1)}`);
  });
});
