/**
 * MDM commands, server → device in the 200 response to a report (Apple Developer, "Sending MDM
 * commands to a device"; Apple
 * YAML mdm/commands/profile.install.yaml, profile.remove.yaml, profile.list.yaml).
 *
 * Envelope: `{CommandUUID, Command: {RequestType, …}}`; CommandUUID is a sibling of Command, not
 * inside it (developer.apple.com/forums/thread/804976).
 *
 * Decoding (device side) distinguishes two failures so the device can answer the way iOS does:
 * an unknown RequestType is `unknownRequestType` (answer Status=Error, MCMDMErrorDomain 12021,
 * errors-catalogue.ts unknownCommandChain); a known command with missing or mistyped keys is
 * `missingKey`/`wrongType` (answer Status=CommandFormatError). Both carry `commandUuid` when the
 * envelope had one.
 */

import { AppleProtocolError } from './errors.js';
import { decodePlist, encodePlist, type DecodePlistOptions } from './plist-codec.js';
import { DictReader } from './plist-read.js';
import type { PlistDict } from './plist-types.js';

/** Content-Type of command and report bodies (Apple MDM Protocol Reference, "Mobile Device Management Protocol"). */
export const MDM_CONTENT_TYPE = 'application/x-apple-aspen-mdm';

/** Install a configuration profile (`Payload` = .mobileconfig bytes, possibly CMS-signed). Needs access right 2. */
export interface InstallProfileRequest {
  RequestType: 'InstallProfile';
  Payload: Buffer;
}

/** Remove the profile whose top-level PayloadIdentifier is `Identifier`. Needs access right 2. */
export interface RemoveProfileRequest {
  RequestType: 'RemoveProfile';
  Identifier: string;
}

/** List installed profiles (iOS 13+: only MDM-installed ones when ManagedOnly). Needs access right 1. */
export interface ProfileListRequest {
  RequestType: 'ProfileList';
  ManagedOnly?: boolean;
}

export type CommandRequest = InstallProfileRequest | RemoveProfileRequest | ProfileListRequest;
export type RequestType = CommandRequest['RequestType'];

export const REQUEST_TYPES: readonly RequestType[] = ['InstallProfile', 'RemoveProfile', 'ProfileList'];

export interface MdmCommand {
  CommandUUID: string;
  Command: CommandRequest;
}

/** AccessRights bit each command needs (YAML payload.supportedOS.iOS.accessrights; com.apple.mdm.yaml AccessRights). */
export const REQUIRED_ACCESS_RIGHT: Readonly<Record<RequestType, number>> = {
  InstallProfile: 2, // AllowInstallationRemoval
  RemoveProfile: 2,
  ProfileList: 1, // AllowInspection
};

/** The command body the server sends. */
export function encodeCommand(cmd: MdmCommand): string {
  const c = cmd.Command;
  let body: Record<string, string | boolean | Buffer | undefined>;
  switch (c.RequestType) {
    case 'InstallProfile':
      body = { RequestType: c.RequestType, Payload: c.Payload };
      break;
    case 'RemoveProfile':
      body = { RequestType: c.RequestType, Identifier: c.Identifier };
      break;
    case 'ProfileList':
      body = { RequestType: c.RequestType, ManagedOnly: c.ManagedOnly };
      break;
  }
  return encodePlist({ Command: body, CommandUUID: cmd.CommandUUID });
}

/** Decode a command dict (device side). Throws AppleProtocolError; see the file comment for the codes. */
export function decodeCommand(dict: PlistDict): MdmCommand {
  const top = new DictReader(dict, '', 'command');
  const CommandUUID = top.nonEmptyString('CommandUUID');
  try {
    const r = top.child('Command');
    const type = r.string('RequestType');
    switch (type) {
      case 'InstallProfile': {
        const Payload = r.data('Payload');
        if (Payload.length === 0) throw r.invalid('Payload', 'must not be empty');
        return { CommandUUID, Command: { RequestType: type, Payload } };
      }
      case 'RemoveProfile':
        return { CommandUUID, Command: { RequestType: type, Identifier: r.nonEmptyString('Identifier') } };
      case 'ProfileList': {
        const managedOnly = r.optBoolean('ManagedOnly');
        return { CommandUUID, Command: managedOnly === undefined ? { RequestType: type } : { RequestType: type, ManagedOnly: managedOnly } };
      }
      default:
        throw new AppleProtocolError('unknownRequestType', `unknown RequestType "${type}"`, { key: 'Command.RequestType' });
    }
  } catch (err) {
    if (err instanceof AppleProtocolError && err.commandUuid === undefined) {
      throw new AppleProtocolError(err.code, `${err.message} (CommandUUID ${CommandUUID})`, {
        ...(err.key === undefined ? {} : { key: err.key }),
        commandUuid: CommandUUID,
        cause: err,
      });
    }
    throw err;
  }
}

/** Body bytes → typed command, keeping the decoded dict. */
export function parseCommand(body: Buffer | string, opts?: DecodePlistOptions): { command: MdmCommand; dict: PlistDict } {
  const dict = decodePlist(body, opts);
  return { command: decodeCommand(dict), dict };
}
