/**
 * Everything protocol/apple emits, checked against Apple's device-management YAML schemas
 * (../shared/specs/apple): profiles (TopLevel + CommonPayloadKeys + the payload type), check-in
 * messages, command reports and commands. The checker is tested first so this suite can fail.
 */

import { describe, expect, it } from 'vitest';
import { encodeCheckIn, type CheckInMessage } from '../../../protocol/apple/checkin.js';
import { encodeCommand, type MdmCommand } from '../../../protocol/apple/command.js';
import { encodeReport, type CommandReport } from '../../../protocol/apple/command-report.js';
import { parseConfigurationProfile, profileListItemFor } from '../../../protocol/apple/configuration-profile.js';
import { buildEmailProfile } from '../../../protocol/apple/email-profile.js';
import { buildEnrollmentProfile } from '../../../protocol/apple/enrollment-profile.js';
import { duplicateAccountChain } from '../../../protocol/apple/errors-catalogue.js';
import { decodePlist, encodePlist } from '../../../protocol/apple/plist-codec.js';
import { isPlistDict, type PlistDict, type PlistValue } from '../../../protocol/apple/plist-types.js';
import {
  authenticate,
  bytes,
  certificateDefinition,
  checkOut,
  emailInput,
  enrollmentInput,
  passwordDefinition,
  smimeDefinition,
  tokenUpdate,
  UDID,
} from './fixtures.js';
import { checkDict, loadSchema, type SchemaKey } from './schema-checker.js';

const topLevel = loadSchema('apple_profiles_TopLevel.yaml');
const common = loadSchema('apple_profiles_CommonPayloadKeys.yaml');
const payloadSchemas = new Map<string, SchemaKey[]>();
for (const file of ['apple_profiles_com.apple.eas.account.yaml', 'apple_profiles_com.apple.mdm.yaml', 'apple_profiles_com.apple.security.scep.yaml']) {
  const s = loadSchema(file);
  payloadSchemas.set(s.payload.payloadtype ?? '', [...common.payloadkeys, ...s.payloadkeys]);
}
// com.apple.security.root.yaml is not among the shared specs; its two keys, as Apple's
// apple/device-management mdm/profiles/com.apple.security.root.yaml defines them:
payloadSchemas.set('com.apple.security.root', [
  ...common.payloadkeys,
  { key: 'PayloadCertificateFileName', type: '<string>', presence: 'optional' },
  { key: 'PayloadContent', type: '<data>', presence: 'required' },
]);

/**
 * TopLevel keys. TopLevel types a PayloadContent item as a dict of ANY; each item is instead checked
 * against CommonPayloadKeys + the schema of its PayloadType.
 */
const topLevelKeys: SchemaKey[] = topLevel.payloadkeys.map((k) =>
  k.key === 'PayloadContent' ? { ...k, subkeys: [{ key: 'PayloadContentItem', type: '<any>' }] } : k,
);

function checkProfile(profile: PlistDict): string[] {
  return checkDict(profile, topLevelKeys, '', {
    platform: 'iOS',
    any: (value, at) => {
      if (!isPlistDict(value)) return [`${at}: payload is not a dict`];
      const type = value.PayloadType;
      const keys = typeof type === 'string' ? payloadSchemas.get(type) : undefined;
      if (!keys) return [`${at}: no schema for PayloadType ${String(type)}`];
      return checkDict(value, keys, at, { platform: 'iOS' });
    },
  });
}

const checkins = new Map(
  ['authenticate', 'tokenupdate', 'checkout'].map((n) => [n, loadSchema(`apple_checkin_${n}.yaml`).payloadkeys] as const),
);

function checkCheckIn(msg: CheckInMessage, platform: 'iOS' | null = 'iOS'): string[] {
  const dict = decodePlist(encodeCheckIn(msg));
  return checkDict(dict, checkins.get(msg.MessageType.toLowerCase()) ?? [], '', platform ? { platform } : {});
}

const commandSchemas = new Map(
  ['install', 'remove', 'list'].map((n) => {
    const s = loadSchema(`apple_commands_profile.${n}.yaml`);
    return [s.payload.requesttype ?? '', s] as const;
  }),
);

/** Command envelope (Apple "Sending MDM commands": CommandUUID sibling of Command) around the YAML payload keys. */
function commandEnvelope(requestType: string): SchemaKey[] {
  const s = commandSchemas.get(requestType);
  return [
    { key: 'CommandUUID', type: '<string>', presence: 'required' },
    {
      key: 'Command',
      type: '<dictionary>',
      presence: 'required',
      subkeys: [{ key: 'RequestType', type: '<string>', presence: 'required', rangelist: [requestType] }, ...(s?.payloadkeys ?? [])],
    },
  ];
}

/** Report envelope (Apple MDM Protocol Reference, "MDM Result Payloads"; micromdm/nanomdm mdm/command.go) plus the command's YAML responsekeys. */
function reportEnvelope(status: string, requestType?: string): SchemaKey[] {
  const response = requestType ? (commandSchemas.get(requestType)?.responsekeys ?? []) : [];
  return [
    { key: 'Status', type: '<string>', presence: 'required', rangelist: ['Acknowledged', 'Error', 'CommandFormatError', 'Idle', 'NotNow'] },
    { key: 'UDID', type: '<string>', presence: 'required' },
    { key: 'CommandUUID', type: '<string>', presence: status === 'Idle' ? 'optional' : 'required' },
    {
      key: 'ErrorChain',
      type: '<array>',
      presence: 'optional',
      subkeys: [
        {
          key: 'ErrorChainItem',
          type: '<dictionary>',
          subkeys: [
            { key: 'ErrorCode', type: '<integer>', presence: 'required' },
            { key: 'ErrorDomain', type: '<string>', presence: 'required' },
            { key: 'LocalizedDescription', type: '<string>', presence: 'required' },
            { key: 'USEnglishDescription', type: '<string>', presence: 'optional' },
          ],
        },
      ],
    },
    ...response,
  ];
}

function checkReport(report: CommandReport, requestType?: string): string[] {
  return checkDict(decodePlist(encodeReport(report)), reportEnvelope(report.Status, requestType), '', { platform: 'iOS' });
}

const enrollment = buildEnrollmentProfile(enrollmentInput);
const emailProfiles = [passwordDefinition, certificateDefinition, smimeDefinition].map((d) => buildEmailProfile(emailInput(d)));
/** What goes over the wire: encode, then decode as the device would. */
const wire = (d: PlistDict): PlistDict => decodePlist(encodePlist(d));

describe('the schema checker', () => {
  const mdmKeys = payloadSchemas.get('com.apple.mdm') ?? [];
  const mdmPayload = (enrollment.PayloadContent as PlistDict[])[2] as PlistDict;

  it('accepts a conforming payload', () => {
    expect(checkDict(mdmPayload, mdmKeys, 'mdm', { platform: 'iOS' })).toEqual([]);
  });

  it('catches a misspelled key', () => {
    const { Topic, ...rest } = mdmPayload;
    const bad = { ...rest, Topik: Topic as PlistValue };
    expect(checkDict(bad, mdmKeys, 'mdm')).toEqual(['mdm.Topik: key not in the schema', 'mdm.Topic: required key missing']);
  });

  it('catches a wrong type, recursively', () => {
    expect(checkDict({ ...mdmPayload, SignMessage: 'true' }, mdmKeys, 'mdm')).toEqual(['mdm.SignMessage: expected boolean, found string']);
    const profile = wire(enrollment);
    const scep = (profile.PayloadContent as PlistDict[])[1] as PlistDict;
    (scep.PayloadContent as PlistDict).Keysize = '2048';
    expect(checkProfile(profile)).toEqual(['PayloadContent[1].PayloadContent.Keysize: expected integer, found string']);
  });

  it('catches values outside rangelist and format, array shapes and iOS n/a keys', () => {
    expect(checkDict({ ...mdmPayload, ServerURL: 'http://insecure' }, mdmKeys, 'mdm')).toEqual(['mdm.ServerURL: "http://insecure" does not match ^https://.*$']);
    const profile = wire(enrollment);
    const scep = ((profile.PayloadContent as PlistDict[])[1] as PlistDict).PayloadContent as PlistDict;
    scep.Subject = [[['CN', 'x', 'extra']]];
    scep.Keysize = 3000;
    expect(checkProfile(profile)).toEqual([
      'PayloadContent[1].PayloadContent.Subject[0][0]: 3 items, schema wants 2..2',
      'PayloadContent[1].PayloadContent.Keysize: 3000 not in [1024,2048,4096]',
    ]);
    expect(checkCheckIn({ ...authenticate, DeviceName: 'Mac', Model: 'Mac16,10', ModelName: 'MacBook Pro' })).toEqual([
      'DeviceName: not available on iOS',
      'Model: not available on iOS',
      'ModelName: not available on iOS',
    ]);
    expect(checkProfile({ ...wire(enrollment), PayloadVersion: '1', PayloadType: 'Profile' })).toEqual([
      'PayloadType: Profile not in ["Configuration"]',
      'PayloadVersion: expected integer, found string',
    ]);
  });
});

describe('configuration profiles conform to TopLevel, CommonPayloadKeys and the payload schemas', () => {
  it('enrollment profile: root, SCEP and MDM payloads', () => {
    const profile = wire(enrollment);
    expect((profile.PayloadContent as PlistDict[]).map((p) => p.PayloadType)).toEqual(['com.apple.security.root', 'com.apple.security.scep', 'com.apple.mdm']);
    expect(checkProfile(profile)).toEqual([]);
  });

  it.each([
    ['password', 0],
    ['certificate', 1],
    ['S/MIME', 2],
  ] as const)('email profile with %s authentication and every setting', (_name, i) => {
    const profile = wire(emailProfiles[i] as PlistDict);
    expect(checkProfile(profile)).toEqual([]);
  });

  it('email profile with no content type (the device refuses it, the schema does not)', () => {
    const profile = wire(buildEmailProfile(emailInput({ ...passwordDefinition, contentTypes: [] })));
    expect(checkProfile(profile)).toEqual([]);
  });
});

describe('check-in messages conform to mdm/checkin/*.yaml (iOS)', () => {
  it.each([authenticate, tokenUpdate, checkOut] as CheckInMessage[])('$MessageType', (msg) => {
    expect(checkCheckIn(msg)).toEqual([]);
  });

  it('minimal messages carry every required key', () => {
    expect(checkCheckIn({ MessageType: 'Authenticate', Topic: authenticate.Topic, UDID })).toEqual([]);
    const { UnlockToken: _u, AwaitingConfiguration: _a, ...minimal } = tokenUpdate;
    expect(checkCheckIn(minimal)).toEqual([]);
  });

  it('macOS-only Authenticate keys are still schema keys of the right type', () => {
    expect(checkCheckIn({ ...authenticate, DeviceName: 'Mac', Model: 'Mac16,10', ModelName: 'MacBook Pro' }, null)).toEqual([]);
  });
});

describe('commands conform to mdm/commands/profile.*.yaml', () => {
  const commands: MdmCommand[] = [
    { CommandUUID: 'C0000001-0000-4000-8000-000000000001', Command: { RequestType: 'InstallProfile', Payload: Buffer.from(encodePlist(emailProfiles[0] as PlistDict)) } },
    { CommandUUID: 'C0000001-0000-4000-8000-000000000002', Command: { RequestType: 'RemoveProfile', Identifier: 'com.mdmlab.email.eml_0123abcd' } },
    { CommandUUID: 'C0000001-0000-4000-8000-000000000003', Command: { RequestType: 'ProfileList', ManagedOnly: true } },
  ];
  it.each(commands)('$Command.RequestType', (cmd) => {
    const dict = decodePlist(encodeCommand(cmd));
    expect(checkDict(dict, commandEnvelope(cmd.Command.RequestType), '', { platform: 'iOS' })).toEqual([]);
  });
});

describe('command reports conform to the report envelope and responsekeys', () => {
  const uuid = 'C0000001-0000-4000-8000-000000000009';
  it.each<CommandReport>([
    { Status: 'Idle', UDID },
    { Status: 'Acknowledged', UDID, CommandUUID: uuid },
    { Status: 'NotNow', UDID, CommandUUID: uuid },
    { Status: 'CommandFormatError', UDID, CommandUUID: uuid },
    { Status: 'Error', UDID, CommandUUID: uuid, ErrorChain: duplicateAccountChain('alice@example.com', 'mail.example.com') },
  ])('$Status', (report) => {
    expect(checkReport(report)).toEqual([]);
  });

  it('ProfileList result built from installed profiles', () => {
    const items = [enrollment, ...emailProfiles].map((p, i) =>
      profileListItemFor(parseConfigurationProfile(p), { isManaged: i > 0, signerCertificates: [bytes(600, i), bytes(500, i + 10)] }),
    );
    const report: CommandReport = { Status: 'Acknowledged', UDID, CommandUUID: uuid, ProfileList: items };
    expect(checkReport(report, 'ProfileList')).toEqual([]);
    // …and the checker would notice a ProfileList item without its required PayloadUUID.
    const dict = decodePlist(encodeReport(report));
    delete ((dict.ProfileList as PlistDict[])[0] as PlistDict).PayloadUUID;
    expect(checkDict(dict, reportEnvelope('Acknowledged', 'ProfileList'), '')).toEqual(['ProfileList[0].PayloadUUID: required key missing']);
  });
});
