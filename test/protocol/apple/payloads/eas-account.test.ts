import { describe, expect, it } from 'vitest';
import { decodeEasPayload } from '../../../../protocol/apple/payloads/eas-account.js';
import type { PlistDict } from '../../../../protocol/apple/plist-types.js';
import { appleError, eas, patched } from './helpers.js';

describe('com.apple.eas.account decoder', () => {
  it.each<[string, Record<string, unknown>, string, number, string]>([
    ['no Host', { Host: undefined }, 'MCEASErrorDomain', 21003, 'Host'],
    ['an empty Host', { Host: ' ' }, 'MCEASErrorDomain', 21003, 'Host'],
    ['no EmailAddress', { EmailAddress: undefined }, 'MCPayloadErrorDomain', 2002, 'EmailAddress'],
    ['no UserName (required for MDM installs)', { UserName: undefined }, 'MCPayloadErrorDomain', 2002, 'UserName'],
    ['SSL as a string', { SSL: 'YES' }, 'MCPayloadErrorDomain', 2003, 'SSL'],
    ['30 days to sync', { MailNumberOfPastDaysToSync: 30 }, 'MCPayloadErrorDomain', 2004, 'MailNumberOfPastDaysToSync'],
    ['days to sync as a real', { MailNumberOfPastDaysToSync: 7.5 }, 'MCPayloadErrorDomain', 2003, 'MailNumberOfPastDaysToSync'],
    ['an embedded Certificate as a string', { Certificate: 'base64' }, 'MCPayloadErrorDomain', 2003, 'Certificate'],
    ['PayloadCertificateUUID as data', { PayloadCertificateUUID: Buffer.from('x') }, 'MCPayloadErrorDomain', 2003, 'PayloadCertificateUUID'],
    ['EnableNotes as an integer', { EnableNotes: 1 }, 'MCPayloadErrorDomain', 2003, 'EnableNotes'],
    [
      'every service disabled',
      { EnableMail: false, EnableContacts: false, EnableCalendars: false, EnableReminders: false, EnableNotes: false },
      'MCEASErrorDomain',
      21009,
      'EnableMail',
    ],
  ])('refuses %s', (_name, patch, domain, code, field) => {
    expect(appleError(() => decodeEasPayload(patched(eas(), patch)))).toMatchObject({ domain, code, field });
  });

  it('applies Apple defaults for absent keys (SSL false, 7 days, services on), never a password', () => {
    const minimal: PlistDict = { PayloadType: 'com.apple.eas.account', Host: 'h', EmailAddress: 'a@b', UserName: 'a', Password: 'secret' };
    const decoded = decodeEasPayload(minimal);
    expect(decoded).toEqual({
      email: 'a@b',
      host: 'h',
      username: 'a',
      ssl: false,
      daysToSync: 7,
      smimeSigningEnabled: false,
      preventAppSheet: false,
      enabled: { mail: true, contacts: true, calendars: true, reminders: true, notes: true },
      accountName: 'Exchange',
    });
    expect(JSON.stringify(decoded)).not.toContain('secret');
  });
});
