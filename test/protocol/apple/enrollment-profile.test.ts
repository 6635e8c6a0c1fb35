import { describe, expect, it } from 'vitest';
import { parseConfigurationProfile, findPayloadByUuid } from '../../../protocol/apple/configuration-profile.js';
import { buildEnrollmentProfile } from '../../../protocol/apple/enrollment-profile.js';
import { decodeMdmPayload, MDM_PAYLOAD_TYPE } from '../../../protocol/apple/payloads/mdm.js';
import { decodeRootCertificatePayload } from '../../../protocol/apple/payloads/root-certificate.js';
import { decodeScepPayload } from '../../../protocol/apple/payloads/scep.js';
import { encodePlist } from '../../../protocol/apple/plist-codec.js';
import { enrollmentInput, TOPIC } from './fixtures.js';

describe('buildEnrollmentProfile', () => {
  const profile = parseConfigurationProfile(encodePlist(buildEnrollmentProfile(enrollmentInput)));
  const [root, scep, mdm] = profile.payloads;

  it('holds the CA, the SCEP identity and the MDM payload, in that order', () => {
    expect(profile.payloads.map((p) => p.type)).toEqual(['com.apple.security.root', 'com.apple.security.scep', MDM_PAYLOAD_TYPE]);
    expect(profile.identifier).toBe('com.mdmlab.enroll');
  });

  it('root payload: PayloadContent is the CA DER', () => {
    expect(decodeRootCertificatePayload(root as never)).toEqual({ certificateDer: enrollmentInput.caCertDer, fileName: 'mdmlab-ca.cer' });
  });

  it('SCEP payload: URL, challenge, subject in array-of-arrays form, RSA 2048, Key Usage 5', () => {
    expect(decodeScepPayload(scep as never)).toEqual({
      url: 'https://mdm.example.test/scep',
      name: 'mdmlab-ca',
      challenge: 'one-time-challenge-123',
      subject: [[['O', 'mdmlab']], [['CN', 'mdmlab device identity']]],
      keysize: 2048,
      keyType: 'RSA',
      keyUsage: 5,
      retries: 3,
      retryDelay: 10,
    });
  });

  it("MDM payload: IdentityCertificateUUID is the SCEP payload's PayloadUUID", () => {
    const decoded = decodeMdmPayload(mdm as never);
    expect(decoded).toEqual({
      identityCertificateUuid: enrollmentInput.uuids.scep,
      topic: TOPIC,
      serverUrl: 'https://mdm.example.test/mdm',
      checkInUrl: 'https://mdm.example.test/mdm/checkin',
      signMessage: true,
      accessRights: 8191,
      checkOutWhenRemoved: true,
      useDevelopmentApns: false,
      serverCapabilities: [],
    });
    expect(findPayloadByUuid(profile, decoded.identityCertificateUuid)).toBe(scep);
  });

  it('applies the documented defaults (2048, Key Usage 5, SignMessage, 8191, CheckOutWhenRemoved)', () => {
    const { keysize: _k, keyUsage: _u, ...scepIn } = enrollmentInput.scep;
    const minimal = parseConfigurationProfile(
      buildEnrollmentProfile({ ...enrollmentInput, scep: scepIn, mdm: { serverUrl: 'https://m.test/mdm', topic: TOPIC } }),
    );
    expect(decodeScepPayload(minimal.payloads[1] as never)).toMatchObject({ keysize: 2048, keyUsage: 5 });
    expect(decodeMdmPayload(minimal.payloads[2] as never)).toMatchObject({ signMessage: true, accessRights: 8191, checkOutWhenRemoved: true });
    expect(minimal.payloads[2]?.dict.CheckInURL).toBeUndefined();
  });

  it.each<[string, Partial<typeof enrollmentInput.mdm>, RegExp]>([
    ['a topic without com.apple.mgmt.', { topic: 'com.example.push' }, /must start with com\.apple\.mgmt\./],
    ['an http ServerURL', { serverUrl: 'http://m.test/mdm' }, /ServerURL .* must be https/],
    ['an http CheckInURL', { checkInUrl: 'http://m.test/checkin' }, /CheckInURL .* must be https/],
    ['AccessRights 0', { accessRights: 0 }, /between 1 and 8191/],
    ['AccessRights 2 without 1', { accessRights: 2 }, /requires 1/],
    ['AccessRights 128 without 64', { accessRights: 1 | 128 }, /requires 64/],
  ])('refuses %s', (_name, mdmPatch, message) => {
    expect(() => buildEnrollmentProfile({ ...enrollmentInput, mdm: { ...enrollmentInput.mdm, ...mdmPatch } })).toThrow(message);
  });

  it('lab mode (allowHttp) lets http URLs through on both sides, and only when asked', () => {
    const profile = parseConfigurationProfile(
      buildEnrollmentProfile({ ...enrollmentInput, mdm: { ...enrollmentInput.mdm, serverUrl: 'http://lab.test/mdm', checkInUrl: 'http://lab.test/checkin', allowHttp: true } }),
    );
    const mdm = profile.payloads[2] as never;
    expect(() => decodeMdmPayload(mdm)).toThrow(/ServerURL must be an https URL/);
    expect(decodeMdmPayload(mdm, { allowHttp: true })).toMatchObject({ serverUrl: 'http://lab.test/mdm', checkInUrl: 'http://lab.test/checkin' });
    expect(() => buildEnrollmentProfile({ ...enrollmentInput, mdm: { ...enrollmentInput.mdm, serverUrl: 'ftp://x', allowHttp: true } })).toThrow(/must be https/);
  });

  it('refuses UUIDs that are not UUIDs and a key size Apple does not offer', () => {
    expect(() => buildEnrollmentProfile({ ...enrollmentInput, uuids: { ...enrollmentInput.uuids, scep: 'scep' } })).toThrow(/not a UUID/);
    expect(() => buildEnrollmentProfile({ ...enrollmentInput, scep: { ...enrollmentInput.scep, keysize: 3072 as never } })).toThrow(/Keysize 3072/);
  });
});
