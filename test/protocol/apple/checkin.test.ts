import { describe, expect, it } from 'vitest';
import { decodeCheckIn, encodeCheckIn, parseCheckIn, type CheckInMessage } from '../../../protocol/apple/checkin.js';
import { AppleProtocolError } from '../../../protocol/apple/errors.js';
import { decodePlist, encodePlist } from '../../../protocol/apple/plist-codec.js';
import type { PlistDict } from '../../../protocol/apple/plist-types.js';
import { authenticate, checkOut, tokenUpdate, TOPIC, UDID } from './fixtures.js';

function failure(dict: PlistDict): { code: string; key: string | undefined; message: string } {
  try {
    decodeCheckIn(dict);
  } catch (err) {
    if (err instanceof AppleProtocolError) return { code: err.code, key: err.key, message: err.message };
    throw err;
  }
  throw new Error('decodeCheckIn accepted the message');
}

describe('check-in messages', () => {
  it.each<CheckInMessage>([
    authenticate,
    tokenUpdate,
    checkOut,
    { MessageType: 'Authenticate', Topic: TOPIC, UDID },
    { MessageType: 'TokenUpdate', Topic: TOPIC, UDID, Token: Buffer.from([1, 2, 3]), PushMagic: 'magic' },
    { ...authenticate, DeviceName: 'Studio Mac', Model: 'Mac16,10', ModelName: 'Mac mini' },
  ])('round-trips $MessageType', (msg) => {
    const xml = encodeCheckIn(msg);
    expect(decodeCheckIn(decodePlist(xml))).toEqual(msg);
  });

  it('writes MessageType first and leaves absent optional keys out', () => {
    const xml = encodeCheckIn({ MessageType: 'CheckOut', Topic: TOPIC, UDID });
    expect(Object.keys(decodePlist(xml))).toEqual(['MessageType', 'Topic', 'UDID']);
    expect(encodeCheckIn({ MessageType: 'Authenticate', Topic: TOPIC, UDID })).not.toContain('OSVersion');
  });

  it('decodes a real-shaped iOS TokenUpdate written by another tool', () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>AwaitingConfiguration</key>
	<false/>
	<key>MessageType</key>
	<string>TokenUpdate</string>
	<key>PushMagic</key>
	<string>2F8A3B10-4C5D-4E6F-8A9B-0C1D2E3F4A5B</string>
	<key>Token</key>
	<data>
	wqwAEqYfFiBtDAWXfB3/NmCzkp6gUXVi7gFkTPQlPKc=
	</data>
	<key>Topic</key>
	<string>com.apple.mgmt.External.abc</string>
	<key>UDID</key>
	<string>a3f1c9e2b4d6a8f0c1e3b5d7f9a1c3e5b7d9f1a3</string>
</dict>
</plist>`;
    const { message, dict } = parseCheckIn(body);
    expect(message).toEqual({
      MessageType: 'TokenUpdate',
      Topic: 'com.apple.mgmt.External.abc',
      UDID: 'a3f1c9e2b4d6a8f0c1e3b5d7f9a1c3e5b7d9f1a3',
      Token: Buffer.from('wqwAEqYfFiBtDAWXfB3/NmCzkp6gUXVi7gFkTPQlPKc=', 'base64'),
      PushMagic: '2F8A3B10-4C5D-4E6F-8A9B-0C1D2E3F4A5B',
      AwaitingConfiguration: false,
    });
    expect(dict.MessageType).toBe('TokenUpdate');
  });

  it('ignores keys it does not know, keeping them in the raw dict', () => {
    const { message, dict } = parseCheckIn(encodePlist({ ...decodePlist(encodeCheckIn(checkOut)), FutureKey: 'x' }));
    expect(message).toEqual(checkOut);
    expect(dict.FutureKey).toBe('x');
  });

  describe('refuses', () => {
    const tu = (): PlistDict => decodePlist(encodeCheckIn(tokenUpdate));

    it('a missing MessageType', () => {
      const d = tu();
      delete d.MessageType;
      expect(failure(d)).toMatchObject({ code: 'missingKey', key: 'MessageType' });
    });

    it.each(['Topic', 'UDID', 'Token', 'PushMagic'])('TokenUpdate without %s, naming the key', (key) => {
      const d = tu();
      delete d[key];
      const f = failure(d);
      expect(f).toMatchObject({ code: 'missingKey', key });
      expect(f.message).toContain(key);
      expect(f.message).toContain('TokenUpdate');
    });

    it.each<[string, unknown, string]>([
      ['Token', 'not-data', 'data'],
      ['PushMagic', 42, 'a string'],
      ['UnlockToken', 'x', 'data'],
      ['AwaitingConfiguration', 'false', 'a boolean'],
      ['Topic', ['x'], 'a string'],
      ['MessageType', 1, 'a string'],
    ])('%s of the wrong type', (key, value, want) => {
      const f = failure({ ...tu(), [key]: value } as PlistDict);
      expect(f.code).toBe('wrongType');
      expect(f.key).toBe(key);
      expect(f.message).toContain(`must be ${want}`);
    });

    it('an Authenticate with a non-string OSVersion', () => {
      expect(failure({ ...decodePlist(encodeCheckIn(authenticate)), OSVersion: 17 })).toMatchObject({ code: 'wrongType', key: 'OSVersion' });
    });

    it('empty identifiers and an empty Token', () => {
      expect(failure({ ...tu(), UDID: '' })).toMatchObject({ code: 'invalidValue', key: 'UDID' });
      expect(failure({ ...tu(), Topic: '' })).toMatchObject({ code: 'invalidValue', key: 'Topic' });
      expect(failure({ ...tu(), Token: Buffer.alloc(0) })).toMatchObject({ code: 'invalidValue', key: 'Token' });
    });

    it('User Enrollment (EnrollmentID instead of UDID), saying why', () => {
      const d = tu();
      delete d.UDID;
      d.EnrollmentID = 'enrollment-id';
      const f = failure(d);
      expect(f).toMatchObject({ code: 'missingKey', key: 'UDID' });
      expect(f.message).toMatch(/User Enrollment.*not supported/);
    });

    it.each([
      ['UserID', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF'],
      ['UserShortName', 'uma'],
      ['UserLongName', 'Uma User'],
      ['EnrollmentUserID', 'E1'],
      ['NotOnConsole', false],
    ] as const)('a user-channel message (%s), on every check-in type, saying why', (key, value) => {
      for (const msg of [tokenUpdate, authenticate, checkOut]) {
        const f = failure({ ...decodePlist(encodeCheckIn(msg)), [key]: value });
        expect(f).toMatchObject({ code: 'userChannel', key });
        expect(f.message).toMatch(new RegExp(`${msg.MessageType}: ${key} marks a user-channel message; mdmlab manages devices only`));
      }
    });

    it('UserAuthenticate and other Apple types as unsupported', () => {
      const f = failure({ MessageType: 'UserAuthenticate', UDID, UserID: 'u' });
      expect(f.code).toBe('unknownMessageType');
      expect(f.message).toMatch(/UserAuthenticate is not supported/);
      expect(failure({ MessageType: 'DeclarativeManagement', UDID, Topic: TOPIC }).message).toMatch(/not supported/);
      expect(failure({ MessageType: 'Bogus', UDID, Topic: TOPIC })).toMatchObject({ code: 'unknownMessageType', message: 'unknown check-in MessageType "Bogus"' });
    });

    it('bodies that are not XML plists', () => {
      expect(() => parseCheckIn('bplist00xyz')).toThrow(expect.objectContaining({ code: 'binaryPlist' }));
      expect(() => parseCheckIn(encodeCheckIn(tokenUpdate), { maxBytes: 100 })).toThrow(expect.objectContaining({ code: 'tooLarge' }));
    });
  });
});
