/**
 * com.apple.eas.account: an Exchange ActiveSync account for Mail, Contacts, Calendars, Reminders and
 * Notes (Apple YAML mdm/profiles/com.apple.eas.account.yaml).
 *
 * The account's display name: the EAS schema has no account-name key (unlike com.apple.mail.managed's
 * EmailAccountName), so it is the payload's PayloadDisplayName, which iOS shows as the account
 * description.
 *
 * Decoding is what the simulated device does on an MDM (non-interactive) install, so it enforces
 * what iOS enforces there: Host present (else MCEASErrorDomain 21003), EmailAddress and UserName
 * present ("Required for noninteractive installations like MDM in iOS"), at least one Enable* true
 * (else 21009 EAS_NO_SERVICES_ENABLED: decompiled iPadOS 18.0, MCNewEASAccountPayloadHandler.m in
 * EthanArbuckle/iPad_10.2_18.0_22A3354_Restore), and
 * MailNumberOfPastDaysToSync one of 0,1,3,7,14,31. Keys it does not use are ignored, as iOS ignores
 * unrecognised keys. A Password, if present, is never read.
 */

import { AppleProtocolError } from '../errors.js';
import { APPLE_ERRORS } from '../errors-catalogue.js';
import { AppleProfileError, withProfileErrors } from '../profile-error.js';
import type { PlistDict } from '../plist-types.js';
import { compact, payloadHeader, payloadReader, requireUuid, type PayloadHeaderInput, type ProfilePayload } from './common.js';

export const EAS_PAYLOAD_TYPE = 'com.apple.eas.account';

/** MailNumberOfPastDaysToSync values (YAML rangelist); 0 = no limit. */
export const EAS_DAYS_TO_SYNC = [0, 1, 3, 7, 14, 31] as const;

/** When PayloadDisplayName is absent, iOS labels an EAS account "Exchange". */
export const DEFAULT_EAS_ACCOUNT_NAME = 'Exchange';

export interface EasServices {
  mail: boolean;
  contacts: boolean;
  calendars: boolean;
  reminders: boolean;
  notes: boolean;
}

export interface EasPayloadInput extends PayloadHeaderInput {
  host: string;
  email: string;
  username: string;
  ssl: boolean;
  /** Apple's value: 0 for no limit. */
  daysToSync: number;
  /** PayloadCertificateUUID: identity (SCEP) payload for certificate authentication. */
  certificateUuid?: string;
  smimeSigningEnabled: boolean;
  smimeSigningCertificateUuid?: string;
  preventAppSheet: boolean;
  enabled: EasServices;
}

export interface EasPayload {
  email: string;
  host: string;
  username: string;
  ssl: boolean;
  daysToSync: number | 'unlimited';
  certificateUuid?: string;
  smimeSigningEnabled: boolean;
  smimeSigningUuid?: string;
  preventAppSheet: boolean;
  enabled: EasServices;
  accountName: string;
}

const ENABLE_KEYS: ReadonlyArray<readonly [keyof EasServices, string]> = [
  ['mail', 'EnableMail'],
  ['contacts', 'EnableContacts'],
  ['calendars', 'EnableCalendars'],
  ['reminders', 'EnableReminders'],
  ['notes', 'EnableNotes'],
];

export function buildEasPayload(input: EasPayloadInput): PlistDict {
  if (!(EAS_DAYS_TO_SYNC as readonly number[]).includes(input.daysToSync)) {
    throw new AppleProtocolError('invalidValue', `MailNumberOfPastDaysToSync ${input.daysToSync} is not one of ${EAS_DAYS_TO_SYNC.join(', ')}`, {
      key: 'MailNumberOfPastDaysToSync',
    });
  }
  if (input.certificateUuid !== undefined) requireUuid(input.certificateUuid, 'PayloadCertificateUUID');
  if (input.smimeSigningCertificateUuid !== undefined) requireUuid(input.smimeSigningCertificateUuid, 'SMIMESigningCertificateUUID');
  const enable: Record<string, boolean> = {};
  for (const [field, key] of ENABLE_KEYS) enable[key] = input.enabled[field];
  return {
    ...payloadHeader(EAS_PAYLOAD_TYPE, input),
    ...compact({
      Host: input.host,
      EmailAddress: input.email,
      UserName: input.username,
      SSL: input.ssl,
      MailNumberOfPastDaysToSync: input.daysToSync,
      PayloadCertificateUUID: input.certificateUuid,
      SMIMESigningEnabled: input.smimeSigningEnabled,
      SMIMESigningCertificateUUID: input.smimeSigningCertificateUuid,
      PreventAppSheet: input.preventAppSheet,
    }),
    ...enable,
  };
}

/** Device-side decode; throws AppleProfileError (MCPayloadErrorDomain, or MCEASErrorDomain 21003 / 21009). */
export function decodeEasPayload(payload: ProfilePayload | PlistDict): EasPayload {
  return withProfileErrors('payload', () => {
    const r = payloadReader(payload, EAS_PAYLOAD_TYPE);
    const host = r.optString('Host');
    if (host === undefined || host.trim() === '') {
      throw new AppleProfileError('noHostName', APPLE_ERRORS.easNoHostName, 'the Exchange ActiveSync payload has no Host', { field: 'Host' });
    }
    const email = r.nonEmptyString('EmailAddress');
    const username = r.nonEmptyString('UserName');
    const days = r.optInteger('MailNumberOfPastDaysToSync') ?? 7;
    if (!(EAS_DAYS_TO_SYNC as readonly number[]).includes(days)) throw r.invalid('MailNumberOfPastDaysToSync', `${days} is not one of ${EAS_DAYS_TO_SYNC.join(', ')}`);
    r.optData('Certificate'); // type-checked only: an embedded .p12 is not used by the simulator
    const enabled = {} as EasServices;
    for (const [field, key] of ENABLE_KEYS) enabled[field] = r.optBoolean(key) ?? true;
    if (!Object.values(enabled).some(Boolean)) {
      throw new AppleProfileError('noServicesEnabled', APPLE_ERRORS.easNoServicesEnabled, 'EnableMail, EnableContacts, EnableCalendars, EnableReminders and EnableNotes are all false', {
        field: 'EnableMail',
      });
    }
    const out: EasPayload = {
      email,
      host,
      username,
      ssl: r.optBoolean('SSL') ?? false,
      daysToSync: days === 0 ? 'unlimited' : days,
      smimeSigningEnabled: r.optBoolean('SMIMESigningEnabled') ?? false,
      preventAppSheet: r.optBoolean('PreventAppSheet') ?? false,
      enabled,
      accountName: r.optString('PayloadDisplayName') || DEFAULT_EAS_ACCOUNT_NAME,
    };
    const cert = r.optString('PayloadCertificateUUID');
    if (cert !== undefined && cert !== '') out.certificateUuid = cert;
    const smime = r.optString('SMIMESigningCertificateUUID');
    if (smime !== undefined && smime !== '') out.smimeSigningUuid = smime;
    return out;
  });
}
