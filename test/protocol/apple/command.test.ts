import { describe, expect, it } from 'vitest';
import { decodeCommand, encodeCommand, parseCommand, REQUIRED_ACCESS_RIGHT, type MdmCommand } from '../../../protocol/apple/command.js';
import { AppleProtocolError } from '../../../protocol/apple/errors.js';
import { unknownCommandChain } from '../../../protocol/apple/errors-catalogue.js';
import { decodePlist } from '../../../protocol/apple/plist-codec.js';
import type { PlistDict } from '../../../protocol/apple/plist-types.js';
import { bytes } from './fixtures.js';

const UUID = '5A4C1E2B-3D4F-4A5B-8C6D-7E8F9A0B1C2D';

function failure(dict: PlistDict): AppleProtocolError {
  try {
    decodeCommand(dict);
  } catch (err) {
    if (err instanceof AppleProtocolError) return err;
    throw err;
  }
  throw new Error('decodeCommand accepted the command');
}

describe('MDM commands', () => {
  it.each<MdmCommand>([
    { CommandUUID: UUID, Command: { RequestType: 'InstallProfile', Payload: bytes(3000) } },
    { CommandUUID: UUID, Command: { RequestType: 'RemoveProfile', Identifier: 'com.mdmlab.email.eml_1' } },
    { CommandUUID: UUID, Command: { RequestType: 'ProfileList' } },
    { CommandUUID: UUID, Command: { RequestType: 'ProfileList', ManagedOnly: true } },
  ])('round-trips $Command.RequestType', (cmd) => {
    expect(parseCommand(encodeCommand(cmd)).command).toEqual(cmd);
  });

  it('puts CommandUUID beside Command, not inside it', () => {
    const dict = decodePlist(encodeCommand({ CommandUUID: UUID, Command: { RequestType: 'ProfileList' } }));
    expect(dict).toEqual({ Command: { RequestType: 'ProfileList' }, CommandUUID: UUID });
  });

  it('knows the access right each command needs', () => {
    expect(REQUIRED_ACCESS_RIGHT).toEqual({ InstallProfile: 2, RemoveProfile: 2, ProfileList: 1 });
  });

  it('an unknown RequestType is its own error, carrying the CommandUUID for a 12021 answer', () => {
    const err = failure({ CommandUUID: UUID, Command: { RequestType: 'EraseDevice', PIN: '123456' } });
    expect(err.code).toBe('unknownRequestType');
    expect(err.commandUuid).toBe(UUID);
    expect(err.message).toContain('EraseDevice');
    expect(unknownCommandChain('EraseDevice')).toEqual([
      { ErrorCode: 12021, ErrorDomain: 'MCMDMErrorDomain', LocalizedDescription: 'Unknown command: EraseDevice', USEnglishDescription: 'Unknown command: EraseDevice' },
    ]);
  });

  it.each<[string, PlistDict, string, string]>([
    ['InstallProfile without Payload', { RequestType: 'InstallProfile' }, 'missingKey', 'Command.Payload'],
    ['InstallProfile with a string Payload', { RequestType: 'InstallProfile', Payload: 'PD94bWw=' }, 'wrongType', 'Command.Payload'],
    ['InstallProfile with an empty Payload', { RequestType: 'InstallProfile', Payload: Buffer.alloc(0) }, 'invalidValue', 'Command.Payload'],
    ['RemoveProfile without Identifier', { RequestType: 'RemoveProfile' }, 'missingKey', 'Command.Identifier'],
    ['RemoveProfile with an integer Identifier', { RequestType: 'RemoveProfile', Identifier: 7 }, 'wrongType', 'Command.Identifier'],
    ['ProfileList with a string ManagedOnly', { RequestType: 'ProfileList', ManagedOnly: 'true' }, 'wrongType', 'Command.ManagedOnly'],
    ['a Command without RequestType', { Identifier: 'x' }, 'missingKey', 'Command.RequestType'],
  ])('%s is a format error naming the key, with the CommandUUID', (_name, command, code, key) => {
    const err = failure({ CommandUUID: UUID, Command: command });
    expect(err.code).toBe(code);
    expect(err.key).toBe(key);
    expect(err.commandUuid).toBe(UUID);
    expect(err.message).toContain(key);
  });

  it('refuses an envelope without CommandUUID (e.g. CommandUUID put inside Command) or without Command', () => {
    const inside = failure({ Command: { RequestType: 'ProfileList', CommandUUID: UUID } });
    expect(inside.code).toBe('missingKey');
    expect(inside.key).toBe('CommandUUID');
    expect(inside.commandUuid).toBeUndefined();
    expect(failure({ CommandUUID: UUID })).toMatchObject({ code: 'missingKey', key: 'Command', commandUuid: UUID });
    expect(failure({ CommandUUID: UUID, Command: 'ProfileList' })).toMatchObject({ code: 'wrongType', key: 'Command' });
  });
});
