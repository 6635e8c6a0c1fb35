import { describe, expect, it } from 'vitest';
import { decodeReport, encodeReport, parseReport, type CommandReport } from '../../../protocol/apple/command-report.js';
import { AppleProtocolError } from '../../../protocol/apple/errors.js';
import { duplicateAccountChain } from '../../../protocol/apple/errors-catalogue.js';
import { decodePlist, encodePlist } from '../../../protocol/apple/plist-codec.js';
import { PlistReal } from '../../../protocol/apple/plist-types.js';
import type { PlistDict } from '../../../protocol/apple/plist-types.js';
import type { ProfileListItem } from '../../../protocol/apple/profile-list.js';
import { bytes, UDID } from './fixtures.js';

const UUID = '5A4C1E2B-3D4F-4A5B-8C6D-7E8F9A0B1C2D';

const profileListItem: ProfileListItem = {
  PayloadIdentifier: 'com.mdmlab.email.eml_1',
  PayloadUUID: 'A1B2C3D4-0000-4000-8000-000000000001',
  PayloadVersion: 1,
  PayloadDisplayName: 'Corporate mail',
  PayloadOrganization: 'Example Corp',
  PayloadDescription: 'Exchange',
  PayloadRemovalDisallowed: false,
  HasRemovalPasscode: false,
  IsEncrypted: false,
  IsManaged: true,
  SignerCertificates: [bytes(700, 1), bytes(650, 2)],
  PayloadContent: [
    { PayloadType: 'com.apple.eas.account', PayloadVersion: 1, PayloadIdentifier: 'com.mdmlab.email.eml_1.eas', PayloadUUID: 'A1B2C3D4-0000-4000-8000-000000000002', PayloadDisplayName: 'Work' },
    { PayloadType: 'com.apple.security.scep', PayloadVersion: 1, PayloadIdentifier: 'com.mdmlab.email.eml_1.scep.auth' },
  ],
};

function failure(dict: PlistDict): AppleProtocolError {
  try {
    decodeReport(dict);
  } catch (err) {
    if (err instanceof AppleProtocolError) return err;
    throw err;
  }
  throw new Error('decodeReport accepted the report');
}

describe('command reports', () => {
  it.each<CommandReport>([
    { Status: 'Idle', UDID },
    { Status: 'Acknowledged', UDID, CommandUUID: UUID },
    { Status: 'NotNow', UDID, CommandUUID: UUID },
    { Status: 'CommandFormatError', UDID, CommandUUID: UUID },
    { Status: 'Error', UDID, CommandUUID: UUID, ErrorChain: duplicateAccountChain('alice@example.com', 'mail.example.com') },
    { Status: 'Error', UDID, CommandUUID: UUID, ErrorChain: [{ ErrorCode: 1, ErrorDomain: 'NSPOSIXErrorDomain', LocalizedDescription: 'x' }] },
    { Status: 'Acknowledged', UDID, CommandUUID: UUID, ProfileList: [profileListItem] },
    { Status: 'Acknowledged', UDID, CommandUUID: UUID, ProfileList: [] },
    { Status: 'Acknowledged', UDID, CommandUUID: UUID, results: { QueryResponses: { DeviceName: 'iPhone', BatteryLevel: 0.5 } } },
  ])('round-trips $Status', (report) => {
    expect(parseReport(encodeReport(report)).report).toEqual(report);
  });

  it('keeps the ErrorChain outer → inner', () => {
    const { report } = parseReport(encodeReport({ Status: 'Error', UDID, CommandUUID: UUID, ErrorChain: duplicateAccountChain('a@b.c', 'h') }));
    expect(report.ErrorChain?.map((i) => [i.ErrorDomain, i.ErrorCode])).toEqual([
      ['MCInstallationErrorDomain', 4001],
      ['MCEASErrorDomain', 21005],
    ]);
  });

  it('reads an Idle report as iOS sends it', () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Status</key>
	<string>Idle</string>
	<key>UDID</key>
	<string>419D33EC-06E6-558D-AD52-601BA1867730</string>
</dict>
</plist>
`;
    expect(parseReport(body).report).toEqual({ Status: 'Idle', UDID: '419D33EC-06E6-558D-AD52-601BA1867730' });
  });

  describe('refuses', () => {
    it('a report without CommandUUID unless Idle', () => {
      expect(failure({ Status: 'Acknowledged', UDID })).toMatchObject({ code: 'missingKey', key: 'CommandUUID' });
      expect(failure({ Status: 'NotNow', UDID, CommandUUID: '' })).toMatchObject({ code: 'invalidValue', key: 'CommandUUID' });
      expect(() => encodeReport({ Status: 'Error', UDID })).toThrow(expect.objectContaining({ code: 'missingKey', key: 'CommandUUID' }));
    });

    it('an unknown Status', () => {
      const err = failure({ Status: 'Done', UDID, CommandUUID: UUID });
      expect(err.code).toBe('unknownStatus');
      expect(err.message).toContain('Done');
    });

    it('missing UDID, and EnrollmentID in its place', () => {
      expect(failure({ Status: 'Idle' })).toMatchObject({ code: 'missingKey', key: 'UDID' });
      expect(failure({ Status: 'Idle', EnrollmentID: 'e' }).message).toMatch(/User Enrollment/);
    });

    it.each<[string, PlistDict, string, string]>([
      ['ErrorChain not an array', { ErrorChain: { ErrorCode: 1 } }, 'wrongType', 'ErrorChain'],
      ['an ErrorChain item not a dict', { ErrorChain: ['x'] }, 'wrongType', 'ErrorChain[0]'],
      ['ErrorCode as a string', { ErrorChain: [{ ErrorCode: '4001', ErrorDomain: 'd', LocalizedDescription: 'l' }] }, 'wrongType', 'ErrorChain[0].ErrorCode'],
      ['ErrorCode as a real', { ErrorChain: [{ ErrorCode: 1.5, ErrorDomain: 'd', LocalizedDescription: 'l' }] }, 'wrongType', 'ErrorChain[0].ErrorCode'],
      ['ErrorDomain missing', { ErrorChain: [{ ErrorCode: 1, LocalizedDescription: 'l' }] }, 'missingKey', 'ErrorChain[0].ErrorDomain'],
      ['ProfileList item without PayloadIdentifier', { ProfileList: [{ PayloadUUID: 'u' }] }, 'missingKey', 'ProfileList[0].PayloadIdentifier'],
      ['SignerCertificates holding a string', { ProfileList: [{ PayloadUUID: 'u', PayloadIdentifier: 'i', SignerCertificates: ['MII'] }] }, 'wrongType', 'ProfileList[0].SignerCertificates[0]'],
      [
        'a ProfileList payload without PayloadVersion',
        { ProfileList: [{ PayloadUUID: 'u', PayloadIdentifier: 'i', PayloadContent: [{ PayloadType: 't', PayloadIdentifier: 'p' }] }] },
        'missingKey',
        'ProfileList[0].PayloadContent[0].PayloadVersion',
      ],
      ['IsManaged as a string', { ProfileList: [{ PayloadUUID: 'u', PayloadIdentifier: 'i', IsManaged: 'yes' }] }, 'wrongType', 'ProfileList[0].IsManaged'],
    ])('%s, naming the key path', (_name, extra, code, key) => {
      const err = failure({ Status: 'Error', UDID, CommandUUID: UUID, ...extra });
      expect(err.code).toBe(code);
      expect(err.key).toBe(key);
    });

    it.each(['UserID', 'UserShortName', 'UserLongName', 'EnrollmentUserID', 'NotOnConsole'])('a report from a user channel (%s), whatever its Status', (key) => {
      for (const status of ['Idle', 'Acknowledged', 'NotNow']) {
        const err = failure({ Status: status, UDID, CommandUUID: UUID, [key]: key === 'NotOnConsole' ? true : 'u' });
        expect(err).toMatchObject({ code: 'userChannel', key });
        expect(err.message).toMatch(/user-channel/);
      }
    });

    it('envelope keys smuggled through results', () => {
      expect(() => encodeReport({ Status: 'Idle', UDID, results: { Status: 'Acknowledged' } })).toThrow(expect.objectContaining({ code: 'invalidValue' }));
    });
  });

  it('keeps whole-number reals of a result as reals when the report is written again (DeviceInformation DeviceCapacity 29.0)', () => {
    const body = encodePlist({
      Status: 'Acknowledged',
      UDID,
      CommandUUID: UUID,
      QueryResponses: { DeviceCapacity: new PlistReal(29), AvailableDeviceCapacity: 12.5, BatteryLevel: new PlistReal(1) },
    });
    expect(body).toContain('<real>29.0</real>');
    const { report } = parseReport(body);
    const again = encodeReport(report);
    expect(again).toContain('<real>29.0</real>');
    expect(again).toContain('<real>1.0</real>');
    expect(again).toContain('<real>12.5</real>');
    expect(again).not.toContain('<integer>');
  });

  it('collects only non-envelope keys as results', () => {
    const dict = decodePlist(encodePlist({ Status: 'Acknowledged', UDID, CommandUUID: UUID, EnrollmentID: 'x', InstalledApplicationList: [] }));
    expect(decodeReport(dict).results).toEqual({ InstalledApplicationList: [] });
  });
});
