/** Shared inputs for the protocol/apple tests: realistic iOS values, fixed UUIDs. */

import type { EmailProfileDefinition } from '../../../protocol/admin/email-profile-validation.js';
import type { EnrollmentProfileInput } from '../../../protocol/apple/enrollment-profile.js';
import type { EmailProfileInput } from '../../../protocol/apple/email-profile.js';
import type { AuthenticateMessage, CheckOutMessage, TokenUpdateMessage } from '../../../protocol/apple/checkin.js';

export const UDID = '00008030-001A2B3C4D5E6F70';
export const TOPIC = 'com.apple.mgmt.External.2f3c1d6a-8b7e-4f0a-9c21-5d6e7f809a1b';

/** A deterministic byte pattern standing in for certificates and tokens (protocol/ never parses them). */
export function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

export const authenticate: AuthenticateMessage = {
  MessageType: 'Authenticate',
  Topic: TOPIC,
  UDID,
  OSVersion: '17.5.1',
  BuildVersion: '21F90',
  ProductName: 'iPhone15,2',
  SerialNumber: 'F2LXK0ABCD12',
  IMEI: '35 209900 176148 1',
  MEID: '35209900176148',
};

export const tokenUpdate: TokenUpdateMessage = {
  MessageType: 'TokenUpdate',
  Topic: TOPIC,
  UDID,
  Token: bytes(32, 7),
  PushMagic: '9E1B4A6C-1D2F-4E3A-8B5C-6D7E8F9A0B1C',
  UnlockToken: bytes(1500, 3),
  AwaitingConfiguration: false,
};

export const checkOut: CheckOutMessage = { MessageType: 'CheckOut', Topic: TOPIC, UDID };

export const enrollmentInput: EnrollmentProfileInput = {
  identifier: 'com.mdmlab.enroll',
  uuids: {
    profile: '0C6E1E0A-1111-4A6B-9C1D-000000000001',
    root: '0C6E1E0A-1111-4A6B-9C1D-000000000002',
    scep: '0C6E1E0A-1111-4A6B-9C1D-000000000003',
    mdm: '0C6E1E0A-1111-4A6B-9C1D-000000000004',
  },
  displayName: 'mdmlab enrollment',
  organization: 'mdmlab',
  description: 'Enrolls this device with mdmlab',
  caCertDer: bytes(800, 11),
  scep: {
    url: 'https://mdm.example.test/scep',
    challenge: 'one-time-challenge-123',
    subject: [[['O', 'mdmlab']], [['CN', 'mdmlab device identity']]],
    keysize: 2048,
    name: 'mdmlab-ca',
    keyUsage: 5,
  },
  mdm: {
    serverUrl: 'https://mdm.example.test/mdm',
    checkInUrl: 'https://mdm.example.test/mdm/checkin',
    topic: TOPIC,
    signMessage: true,
    accessRights: 8191,
    checkOutWhenRemoved: true,
  },
};

/** Every iOS setting of an email profile, password authentication. */
export const passwordDefinition: EmailProfileDefinition = {
  platform: 'ios',
  name: 'Corporate mail',
  description: 'Exchange for all staff',
  host: 'mail.example.com',
  accountName: 'Work mail',
  usernameSource: 'username',
  emailSource: 'primarySmtpAddress',
  authMethod: 'password',
  useSmime: false,
  daysToSync: 14,
  useSsl: true,
  contentTypes: ['email', 'contacts', 'calendar', 'tasks', 'notes'],
  allowSendFromThirdPartyApps: true,
};

export const certificateDefinition: EmailProfileDefinition = {
  ...passwordDefinition,
  authMethod: 'certificate',
  identityCertificateProfileId: 'crt_auth',
  daysToSync: 'unlimited',
  useSsl: false,
  contentTypes: ['email', 'calendar'],
  allowSendFromThirdPartyApps: false,
};

export const smimeDefinition: EmailProfileDefinition = {
  ...certificateDefinition,
  useSmime: true,
  signingCertificateProfileId: 'crt_sign',
  daysToSync: 31,
  contentTypes: ['email', 'contacts', 'tasks', 'notes'],
};

const scep = {
  url: 'https://mdm.example.test/scep',
  challenge: 'email-challenge',
  subject: [[['CN', 'alice@example.com']], [['O', 'Example']]] as const,
  keysize: 2048 as const,
};

export function emailInput(definition: EmailProfileDefinition): EmailProfileInput {
  const cert = definition.authMethod === 'certificate';
  const smime = definition.useSmime === true;
  return {
    profileId: 'eml_0123abcd',
    version: 3,
    definition,
    user: { email: 'alice@example.com', username: 'alice' },
    uuids: {
      profile: 'A1B2C3D4-0000-4000-8000-000000000001',
      eas: 'A1B2C3D4-0000-4000-8000-000000000002',
      ...(cert ? { scepAuth: 'A1B2C3D4-0000-4000-8000-000000000003' } : {}),
      ...(smime ? { scepSigning: 'A1B2C3D4-0000-4000-8000-000000000004' } : {}),
    },
    ...(cert ? { scepForAuth: { ...scep, subject: scep.subject.map((r) => r.map(([k, v]) => [k, v] as [string, string])) } } : {}),
    ...(smime ? { scepForSigning: { ...scep, challenge: 'sign-challenge', subject: [[['CN', 'alice@example.com'] as [string, string]]] } } : {}),
    organization: 'Example Corp',
  };
}
