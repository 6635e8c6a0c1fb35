import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildConfigurationProfile,
  findPayloadByUuid,
  isSignedProfile,
  parseConfigurationProfile,
  payloadsOfType,
  profileListItemFor,
} from '../../../protocol/apple/configuration-profile.js';
import { buildEnrollmentProfile } from '../../../protocol/apple/enrollment-profile.js';
import { cannotParseChain } from '../../../protocol/apple/errors-catalogue.js';
import { decodeEasPayload } from '../../../protocol/apple/payloads/eas-account.js';
import { decodePlist, encodePlist } from '../../../protocol/apple/plist-codec.js';
import type { PlistDict } from '../../../protocol/apple/plist-types.js';
import { AppleProfileError } from '../../../protocol/apple/profile-error.js';
import { bytes, enrollmentInput } from './fixtures.js';
import { appleSpecs } from './schema-checker.js';

function profileError(f: () => unknown): AppleProfileError {
  try {
    f();
  } catch (err) {
    if (err instanceof AppleProfileError) return err;
    throw err;
  }
  throw new Error('expected an AppleProfileError');
}

const enrollment = buildEnrollmentProfile(enrollmentInput);
/** A fresh, decoded copy to mutate. */
const copy = (): PlistDict => decodePlist(encodePlist(enrollment));
const payloadsOf = (d: PlistDict): PlistDict[] => d.PayloadContent as PlistDict[];

describe('parseConfigurationProfile', () => {
  it('parses what buildConfigurationProfile writes, from bytes, text or dict', () => {
    const xml = encodePlist(enrollment);
    for (const input of [Buffer.from(xml), xml, enrollment]) {
      const p = parseConfigurationProfile(input);
      expect(p).toMatchObject({
        identifier: 'com.mdmlab.enroll',
        uuid: enrollmentInput.uuids.profile,
        version: 1,
        displayName: 'mdmlab enrollment',
        organization: 'mdmlab',
        description: 'Enrolls this device with mdmlab',
        removalDisallowed: false,
        hasRemovalPasscode: false,
      });
      expect(p.payloads.map((x) => [x.type, x.identifier, x.uuid, x.version])).toEqual([
        ['com.apple.security.root', 'com.mdmlab.enroll.root', enrollmentInput.uuids.root, 1],
        ['com.apple.security.scep', 'com.mdmlab.enroll.scep', enrollmentInput.uuids.scep, 1],
        ['com.apple.mdm', 'com.mdmlab.enroll.mdm', enrollmentInput.uuids.mdm, 1],
      ]);
      expect(payloadsOfType(p, 'com.apple.mdm')).toHaveLength(1);
      expect(findPayloadByUuid(p, enrollmentInput.uuids.scep.toLowerCase())?.type).toBe('com.apple.security.scep');
    }
  });

  it("parses Apple's Exchange ActiveSync example, tolerating the stray apostrophe in its PayloadUUID", () => {
    const p = parseConfigurationProfile(readFileSync(path.join(appleSpecs, 'appledocs_exchangeactivesync_example.mobileconfig')));
    expect(p.uuid).toBe("b8fd6fd7-a55e-4eb1-96af-d9c4d8562e38'");
    expect(p.identifier).toBe('com.example.myprofile');
    expect(p.payloads).toHaveLength(1);
    expect(decodeEasPayload(p.payloads[0] as never)).toMatchObject({
      email: 'juanchavez4@companyemail.com',
      host: 'host.companyemail.com',
      ssl: true,
      daysToSync: 7,
      accountName: 'Exchange',
    });
  });

  it('rejects the deliberately malformed profiledocs EAS template with a clear error', () => {
    const file = readFileSync(path.join(appleSpecs, 'profiledocs_com.apple.eas.account.template.mobileconfig'));
    const err = profileError(() => parseConfigurationProfile(file));
    expect(err.apple).toEqual({ domain: 'MCProfileErrorDomain', code: 1003, description: 'profile: PayloadVersion must be an integer, found string' });
    expect(err.code).toBe('badFieldType');
    expect(err.field).toBe('PayloadVersion');
    // Its EAS payload is wrong as well: Certificate is a <string>, not <data>.
    const payload = (decodePlist(file).PayloadContent as PlistDict[])[0] as PlistDict;
    const easErr = profileError(() => decodeEasPayload(payload));
    expect(easErr.apple.domain).toBe('MCEASErrorDomain'); // empty Host is checked first: 21003
    const withHost = profileError(() => decodeEasPayload({ ...payload, Host: 'h', EmailAddress: 'a@b', UserName: 'a' }));
    expect(withHost.apple).toMatchObject({ domain: 'MCPayloadErrorDomain', code: 2003 });
    expect(withHost.field).toBe('Certificate');
  });

  describe('reports errors as iOS does', () => {
    it.each<[string, Buffer | string]>([
      ['garbage', 'not a plist'],
      ['a binary plist', Buffer.concat([Buffer.from('bplist00'), bytes(30)])],
      ['a truncated plist', encodePlist(enrollment).slice(0, 500)],
      ['a top-level array', encodePlist([1] as never)],
      ['an entity declaration', '<!DOCTYPE plist [<!ENTITY x "y">]><plist><dict/></plist>'],
    ])('%s → MCProfileErrorDomain 1000', (_name, body) => {
      const err = profileError(() => parseConfigurationProfile(body));
      expect(err.apple.domain).toBe('MCProfileErrorDomain');
      expect(err.apple.code).toBe(1000);
      expect(err.code).toBe('malformedProfile');
      expect(err.message).toMatch(/^MCProfileErrorDomain 1000: the profile is not a readable XML plist: /);
    });

    it('a CMS-signed profile → 1000, telling the caller to unwrap it', () => {
      const signed = Buffer.concat([Buffer.from([0x30, 0x82, 0x10, 0x00]), bytes(100)]);
      expect(isSignedProfile(signed)).toBe(true);
      expect(isSignedProfile(Buffer.from(encodePlist(enrollment)))).toBe(false);
      expect(profileError(() => parseConfigurationProfile(signed)).message).toMatch(/CMS-signed/);
    });

    it.each<[string, number, string, (d: PlistDict) => void]>([
      ['no PayloadIdentifier', 1002, 'PayloadIdentifier', (d) => delete d.PayloadIdentifier],
      ['an empty PayloadUUID', 1002, 'PayloadUUID', (d) => (d.PayloadUUID = '')],
      ['no PayloadContent', 1002, 'PayloadContent', (d) => delete d.PayloadContent],
      ['a payload without PayloadType', 1002, 'PayloadContent[1].PayloadType', (d) => delete payloadsOf(d)[1]?.PayloadType],
      ['a payload without PayloadUUID', 1002, 'PayloadContent[2].PayloadUUID', (d) => delete payloadsOf(d)[2]?.PayloadUUID],
      ['PayloadVersion as a string', 1003, 'PayloadVersion', (d) => (d.PayloadVersion = '1')],
      ['PayloadContent as a dict', 1003, 'PayloadContent', (d) => (d.PayloadContent = {})],
      ['a payload that is a string', 1003, 'PayloadContent[0]', (d) => (d.PayloadContent = ['x'])],
      ['PayloadDisplayName as an integer', 1003, 'PayloadDisplayName', (d) => (d.PayloadDisplayName = 3)],
      ['PayloadRemovalDisallowed as a string', 1003, 'PayloadRemovalDisallowed', (d) => (d.PayloadRemovalDisallowed = 'true')],
      ['a payload PayloadIdentifier as data', 1003, 'PayloadContent[0].PayloadIdentifier', (d) => ((payloadsOf(d)[0] as PlistDict).PayloadIdentifier = Buffer.from('x'))],
      ['two payloads with one UUID', 1007, 'PayloadContent[2].PayloadUUID', (d) => ((payloadsOf(d)[2] as PlistDict).PayloadUUID = enrollmentInput.uuids.root.toLowerCase())],
      ['a payload with the profile UUID', 1007, 'PayloadContent[0].PayloadUUID', (d) => ((payloadsOf(d)[0] as PlistDict).PayloadUUID = enrollmentInput.uuids.profile)],
      ['two payloads with one identifier', 1008, 'PayloadContent[1].PayloadIdentifier', (d) => ((payloadsOf(d)[1] as PlistDict).PayloadIdentifier = 'com.mdmlab.enroll.root')],
      ['PayloadVersion 2', 1001, 'PayloadVersion', (d) => (d.PayloadVersion = 2)],
      ['PayloadType other than Configuration', 1010, 'PayloadType', (d) => (d.PayloadType = 'com.apple.mdm')],
      ['IsEncrypted', 1006, 'IsEncrypted', (d) => ((d.IsEncrypted = true), (d.EncryptedPayloadContent = bytes(10)))],
    ])('%s → %i', (_name, code, field, mutate) => {
      const d = copy();
      mutate(d);
      const err = profileError(() => parseConfigurationProfile(d));
      expect(err.apple.code).toBe(code);
      expect(err.field).toBe(field);
      expect(err.message).toContain(field.replace(/\[\d+\].*$/, ''));
    });

    it('a payload PayloadVersion other than 1 → MCPayloadErrorDomain 2001', () => {
      const d = copy();
      (payloadsOf(d)[0] as PlistDict).PayloadVersion = 2;
      expect(profileError(() => parseConfigurationProfile(d)).apple).toMatchObject({ domain: 'MCPayloadErrorDomain', code: 2001 });
    });

    it('errors turn into an ErrorChain item and a 4000 chain', () => {
      const err = profileError(() => parseConfigurationProfile('junk'));
      expect(cannotParseChain(err.toErrorChainItem()).map((i) => [i.ErrorDomain, i.ErrorCode])).toEqual([
        ['MCInstallationErrorDomain', 4000],
        ['MCProfileErrorDomain', 1000],
      ]);
    });
  });

  it('accepts a payload PayloadVersion written as <real>1</real> (a real-world variant)', () => {
    const xml = encodePlist(enrollment).replace(/<integer>1<\/integer>/g, '<real>1</real>');
    expect(parseConfigurationProfile(xml).payloads).toHaveLength(3);
  });
});

describe('buildConfigurationProfile', () => {
  const payload = (uuid: string, id: string): PlistDict => ({ PayloadType: 'x', PayloadVersion: 1, PayloadIdentifier: id, PayloadUUID: uuid });
  const U1 = '11111111-1111-4111-8111-111111111111';
  const U2 = '22222222-2222-4222-8222-222222222222';

  it('refuses duplicate UUIDs or identifiers and non-UUID profile UUIDs', () => {
    expect(() => buildConfigurationProfile({ identifier: 'a', uuid: U1, payloads: [payload(U2, 'p'), payload(U2.toLowerCase(), 'q')] })).toThrow(/used twice/);
    expect(() => buildConfigurationProfile({ identifier: 'a', uuid: U1, payloads: [payload(U1, 'p')] })).toThrow(/used twice/);
    expect(() => buildConfigurationProfile({ identifier: 'a', uuid: U1, payloads: [payload(U2, 'p'), payload('33333333-3333-4333-8333-333333333333', 'p')] })).toThrow(
      /PayloadIdentifier p is used twice/,
    );
    expect(() => buildConfigurationProfile({ identifier: 'a', uuid: 'nope', payloads: [] })).toThrow(/not a UUID/);
    expect(() => buildConfigurationProfile({ identifier: '', uuid: U1, payloads: [] })).toThrow(/must not be empty/);
  });

  it('lists an installed profile the way ProfileList reports it', () => {
    const item = profileListItemFor(parseConfigurationProfile(enrollment), { isManaged: true, signerCertificates: [bytes(5)] });
    expect(item).toEqual({
      PayloadIdentifier: 'com.mdmlab.enroll',
      PayloadUUID: enrollmentInput.uuids.profile,
      PayloadVersion: 1,
      PayloadDisplayName: 'mdmlab enrollment',
      PayloadOrganization: 'mdmlab',
      PayloadDescription: 'Enrolls this device with mdmlab',
      PayloadRemovalDisallowed: false,
      HasRemovalPasscode: false,
      IsEncrypted: false,
      IsManaged: true,
      SignerCertificates: [bytes(5)],
      PayloadContent: [
        { PayloadType: 'com.apple.security.root', PayloadVersion: 1, PayloadIdentifier: 'com.mdmlab.enroll.root', PayloadUUID: enrollmentInput.uuids.root, PayloadDisplayName: 'Root certificate', PayloadOrganization: 'mdmlab' },
        { PayloadType: 'com.apple.security.scep', PayloadVersion: 1, PayloadIdentifier: 'com.mdmlab.enroll.scep', PayloadUUID: enrollmentInput.uuids.scep, PayloadDisplayName: 'Device identity', PayloadOrganization: 'mdmlab' },
        { PayloadType: 'com.apple.mdm', PayloadVersion: 1, PayloadIdentifier: 'com.mdmlab.enroll.mdm', PayloadUUID: enrollmentInput.uuids.mdm, PayloadDisplayName: 'Device management', PayloadOrganization: 'mdmlab' },
      ],
    });
  });
});
