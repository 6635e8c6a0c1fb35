import { describe, expect, it } from 'vitest';
import { validateEmailProfile, type EmailProfileDefinition } from '../../../protocol/admin/email-profile-validation.js';
import { parseConfigurationProfile, findPayloadByUuid, payloadsOfType } from '../../../protocol/apple/configuration-profile.js';
import {
  buildEmailProfile,
  easPayloadToAccountSettings,
  emailProfileIdentifier,
  emailProfileUuids,
  nameBasedUuid,
  profileIdFromIdentifier,
} from '../../../protocol/apple/email-profile.js';
import { decodeEasPayload, EAS_PAYLOAD_TYPE } from '../../../protocol/apple/payloads/eas-account.js';
import { decodeScepPayload, SCEP_PAYLOAD_TYPE } from '../../../protocol/apple/payloads/scep.js';
import { encodePlist } from '../../../protocol/apple/plist-codec.js';
import type { PlistDict } from '../../../protocol/apple/plist-types.js';
import { AppleProfileError } from '../../../protocol/apple/profile-error.js';
import { certificateDefinition, emailInput, passwordDefinition, smimeDefinition } from './fixtures.js';

/** What the device sees: build, encode, parse, and decode the EAS payload. */
function onDevice(definition: EmailProfileDefinition) {
  const input = emailInput(definition);
  const xml = encodePlist(buildEmailProfile(input));
  const profile = parseConfigurationProfile(Buffer.from(xml));
  const [easPayload] = payloadsOfType(profile, EAS_PAYLOAD_TYPE);
  if (!easPayload) throw new Error('no EAS payload');
  return { input, xml, profile, easPayload, eas: decodeEasPayload(easPayload) };
}

describe('buildEmailProfile (docs/email-profiles.md, iOS)', () => {
  it('password authentication: the EAS payload carries every setting under Apple keys', () => {
    const { profile, easPayload, xml } = onDevice(passwordDefinition);
    expect(profile).toMatchObject({
      identifier: 'com.mdmlab.email.eml_0123abcd',
      uuid: 'A1B2C3D4-0000-4000-8000-000000000001',
      version: 1,
      displayName: 'Corporate mail',
      description: 'Exchange for all staff',
      organization: 'Example Corp',
    });
    expect(profile.payloads.map((p) => p.type)).toEqual([EAS_PAYLOAD_TYPE]);
    expect(easPayload.dict).toEqual({
      PayloadType: 'com.apple.eas.account',
      PayloadVersion: 1,
      PayloadIdentifier: 'com.mdmlab.email.eml_0123abcd.eas',
      PayloadUUID: 'A1B2C3D4-0000-4000-8000-000000000002',
      PayloadDisplayName: 'Work mail',
      PayloadOrganization: 'Example Corp',
      Host: 'mail.example.com',
      EmailAddress: 'alice@example.com',
      UserName: 'alice',
      SSL: true,
      MailNumberOfPastDaysToSync: 14,
      SMIMESigningEnabled: false,
      PreventAppSheet: false,
      EnableMail: true,
      EnableContacts: true,
      EnableCalendars: true,
      EnableReminders: true,
      EnableNotes: true,
    });
    expect(xml).not.toMatch(/Password/);
  });

  it('certificate authentication: PayloadCertificateUUID points at the auth SCEP payload; unlimited → 0', () => {
    const { profile, easPayload, eas } = onDevice(certificateDefinition);
    expect(profile.payloads.map((p) => [p.type, p.identifier])).toEqual([
      [SCEP_PAYLOAD_TYPE, 'com.mdmlab.email.eml_0123abcd.scep.auth'],
      [EAS_PAYLOAD_TYPE, 'com.mdmlab.email.eml_0123abcd.eas'],
    ]);
    expect(easPayload.dict).toMatchObject({
      PayloadCertificateUUID: 'A1B2C3D4-0000-4000-8000-000000000003',
      MailNumberOfPastDaysToSync: 0,
      SSL: false,
      PreventAppSheet: true,
      EnableMail: true,
      EnableContacts: false,
      EnableCalendars: true,
      EnableReminders: false,
      EnableNotes: false,
    });
    expect(easPayload.dict.SMIMESigningCertificateUUID).toBeUndefined();
    const scep = findPayloadByUuid(profile, eas.certificateUuid ?? '');
    expect(scep?.type).toBe(SCEP_PAYLOAD_TYPE);
    expect(decodeScepPayload(scep as never)).toMatchObject({
      url: 'https://mdm.example.test/scep',
      challenge: 'email-challenge',
      subject: [[['CN', 'alice@example.com']], [['O', 'Example']]],
      keysize: 2048,
      keyUsage: 5,
    });
  });

  it('S/MIME: SMIMESigningEnabled + SMIMESigningCertificateUUID point at the signing SCEP payload', () => {
    const { profile, easPayload, eas } = onDevice(smimeDefinition);
    expect(profile.payloads.map((p) => p.identifier)).toEqual([
      'com.mdmlab.email.eml_0123abcd.scep.auth',
      'com.mdmlab.email.eml_0123abcd.scep.signing',
      'com.mdmlab.email.eml_0123abcd.eas',
    ]);
    expect(easPayload.dict).toMatchObject({
      SMIMESigningEnabled: true,
      SMIMESigningCertificateUUID: 'A1B2C3D4-0000-4000-8000-000000000004',
      PayloadCertificateUUID: 'A1B2C3D4-0000-4000-8000-000000000003',
      MailNumberOfPastDaysToSync: 31,
    });
    const signing = findPayloadByUuid(profile, eas.smimeSigningUuid ?? '');
    expect(decodeScepPayload(signing as never)).toMatchObject({ challenge: 'sign-challenge', keyUsage: 1 });
  });

  it.each([passwordDefinition, certificateDefinition, smimeDefinition])(
    'the device maps the payload back to the same settings ($authMethod, S/MIME $useSmime)',
    (definition) => {
      const { eas } = onDevice(definition);
      expect(eas.email).toBe('alice@example.com');
      expect(eas.host).toBe(definition.host);
      expect(easPayloadToAccountSettings(eas)).toEqual({
        accountName: definition.accountName,
        username: 'alice',
        daysToSync: definition.daysToSync,
        useSsl: definition.useSsl,
        contentTypes: definition.contentTypes,
        authMethod: definition.authMethod,
        useSmime: definition.useSmime,
        allowSendFromThirdPartyApps: definition.allowSendFromThirdPartyApps,
      });
    },
  );

  it('works from a definition as the admin validator fills it (defaults for absent settings)', () => {
    const v = validateEmailProfile({ platform: 'ios', name: 'Minimal', host: 'ex.example.com', accountName: 'Mail' });
    if (!v.ok) throw new Error(v.violation.message);
    const { eas } = onDevice(v.value);
    expect(easPayloadToAccountSettings(eas)).toEqual({
      accountName: 'Mail',
      username: 'alice',
      daysToSync: 7,
      useSsl: true,
      contentTypes: ['email', 'contacts', 'calendar', 'tasks', 'notes'],
      authMethod: 'password',
      useSmime: false,
      allowSendFromThirdPartyApps: true,
    });
  });

  it('builds a profile without content types, which the device refuses with 21009', () => {
    const profile = parseConfigurationProfile(buildEmailProfile(emailInput({ ...passwordDefinition, contentTypes: [] })));
    try {
      decodeEasPayload(profile.payloads[0] as never);
      expect.unreachable('the device accepted an account with no service');
    } catch (err) {
      expect(err).toBeInstanceOf(AppleProfileError);
      expect((err as AppleProfileError).apple).toMatchObject({ domain: 'MCEASErrorDomain', code: 21009 });
    }
  });

  it.each<[string, (i: ReturnType<typeof emailInput>) => ReturnType<typeof emailInput>, RegExp]>([
    ['another platform', (i) => ({ ...i, definition: { ...i.definition, platform: 'windows10' } }), /only ios/],
    ['certificate auth without its SCEP settings', (i) => ({ ...i, scepForAuth: undefined }), /scepForAuth is required/],
    ['certificate auth without its UUID', (i) => ({ ...i, uuids: { ...i.uuids, scepAuth: undefined } }), /uuids\.scepAuth is required/],
    ['S/MIME SCEP settings without useSmime', (i) => ({ ...i, definition: { ...i.definition, useSmime: false, signingCertificateProfileId: undefined } }), /scepForSigning is required exactly/],
    ['30 days, which iOS does not offer', (i) => ({ ...i, definition: { ...i.definition, daysToSync: 30 } }), /MailNumberOfPastDaysToSync 30/],
    ['a non-UUID payload UUID', (i) => ({ ...i, uuids: { ...i.uuids, eas: 'eas' } }), /not a UUID/],
    ['two payloads with one UUID', (i) => ({ ...i, uuids: { ...i.uuids, eas: i.uuids.profile } }), /used twice/],
    ['a version that is not a positive integer', (i) => ({ ...i, version: 0 }), /version 0/],
    ['a profile id that cannot be an identifier', (i) => ({ ...i, profileId: 'a b' }), /cannot be part of a PayloadIdentifier/],
  ])('refuses %s', (_name, patch, message) => {
    expect(() => buildEmailProfile(patch(emailInput(smimeDefinition)))).toThrow(message);
  });
});

describe('profile identifiers and UUIDs', () => {
  it('com.mdmlab.email.<profileId> both ways', () => {
    expect(emailProfileIdentifier('eml_0a1b')).toBe('com.mdmlab.email.eml_0a1b');
    expect(profileIdFromIdentifier('com.mdmlab.email.eml_0a1b')).toBe('eml_0a1b');
    expect(profileIdFromIdentifier(emailProfileIdentifier('a.b-c_d'))).toBe('a.b-c_d');
    expect(profileIdFromIdentifier('com.mdmlab.email.')).toBeUndefined();
    expect(profileIdFromIdentifier('com.mdmlab.enroll')).toBeUndefined();
    expect(profileIdFromIdentifier('com.example.myprofile')).toBeUndefined();
    expect(() => emailProfileIdentifier('')).toThrow();
  });

  it('name-based UUIDs are deterministic, version 5, and change with the profile version', () => {
    const v1 = emailProfileUuids('eml_1', 1, { certificateAuth: true, smime: true });
    expect(emailProfileUuids('eml_1', 1, { certificateAuth: true, smime: true })).toEqual(v1);
    const v2 = emailProfileUuids('eml_1', 2, { certificateAuth: true, smime: true });
    for (const key of ['profile', 'eas', 'scepAuth', 'scepSigning'] as const) {
      expect(v1[key]).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
      expect(v2[key]).not.toBe(v1[key]);
    }
    expect(new Set(Object.values(v1)).size).toBe(4);
    expect(emailProfileUuids('eml_1', 1)).toEqual({ profile: v1.profile, eas: v1.eas });
    expect(nameBasedUuid('x')).not.toBe(nameBasedUuid('y'));
  });

  it('a profile built with derived UUIDs parses', () => {
    const input = emailInput(smimeDefinition);
    const profile: PlistDict = buildEmailProfile({ ...input, uuids: emailProfileUuids(input.profileId, input.version, { certificateAuth: true, smime: true }) });
    expect(parseConfigurationProfile(profile).payloads).toHaveLength(3);
  });
});
