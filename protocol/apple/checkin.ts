/**
 * Check-in protocol messages, device → server on CheckInURL (Apple MDM Protocol Reference, "MDM
 * Check-in Protocol"; Apple YAML
 * mdm/checkin/authenticate.yaml, tokenupdate.yaml, checkout.yaml).
 *
 * mdmlab simulates device enrollments of iOS devices, so the message is identified by UDID; a
 * User Enrollment (EnrollmentID without UDID) and a user channel's message (UserID, … see
 * user-channel.ts) are refused with a message saying so. Keys Apple adds later are ignored on
 * decode (the raw dict stays with the caller: see parseCheckIn).
 */

import { AppleProtocolError } from './errors.js';
import { decodePlist, encodePlist, type DecodePlistOptions } from './plist-codec.js';
import { DictReader } from './plist-read.js';
import type { PlistDict } from './plist-types.js';
import { refuseUserChannel } from './user-channel.js';

/** Content-Type of check-in bodies (Apple MDM Protocol Reference, "MDM Check-in Protocol", "Structure of a Check-in Request"). */
export const CHECKIN_CONTENT_TYPE = 'application/x-apple-aspen-mdm-checkin';

export interface AuthenticateMessage {
  MessageType: 'Authenticate';
  Topic: string;
  UDID: string;
  OSVersion?: string;
  BuildVersion?: string;
  ProductName?: string;
  SerialNumber?: string;
  IMEI?: string;
  MEID?: string;
  /** macOS only (YAML: iOS n/a); decoded when present, never sent by the simulated iOS device. */
  DeviceName?: string;
  /** macOS only (YAML: iOS n/a). */
  Model?: string;
  /** macOS only (YAML: iOS n/a). */
  ModelName?: string;
}

export interface TokenUpdateMessage {
  MessageType: 'TokenUpdate';
  Topic: string;
  UDID: string;
  /** APNs device token (hex of it goes into the APNs URL: Apple Developer, "Sending notification requests to APNs"). */
  Token: Buffer;
  /** Sent back verbatim in the push body `{"mdm": PushMagic}`. */
  PushMagic: string;
  UnlockToken?: Buffer;
  AwaitingConfiguration?: boolean;
}

export interface CheckOutMessage {
  MessageType: 'CheckOut';
  Topic: string;
  UDID: string;
}

export type CheckInMessage = AuthenticateMessage | TokenUpdateMessage | CheckOutMessage;
export type CheckInMessageType = CheckInMessage['MessageType'];

export const CHECKIN_MESSAGE_TYPES: readonly CheckInMessageType[] = ['Authenticate', 'TokenUpdate', 'CheckOut'];

/** Check-in types Apple defines that mdmlab does not implement, with the reason given back. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  UserAuthenticate: 'macOS user channels only (iOS n/a)',
  SetBootstrapToken: 'bootstrap tokens are not supported (the server does not advertise com.apple.mdm.bootstraptoken)',
  GetBootstrapToken: 'bootstrap tokens are not supported (the server does not advertise com.apple.mdm.bootstraptoken)',
  DeclarativeManagement: 'declarative device management is not supported',
  GetToken: 'GetToken is not supported (the server does not advertise com.apple.mdm.token)',
};

const AUTHENTICATE_OPTIONAL = ['OSVersion', 'BuildVersion', 'ProductName', 'SerialNumber', 'IMEI', 'MEID', 'DeviceName', 'Model', 'ModelName'] as const;

/** Decode a check-in dict into its typed message. Throws AppleProtocolError naming the key. */
export function decodeCheckIn(dict: PlistDict): CheckInMessage {
  const top = new DictReader(dict, '', 'check-in');
  const type = top.string('MessageType');
  if (!(CHECKIN_MESSAGE_TYPES as readonly string[]).includes(type)) {
    const why = UNSUPPORTED[type];
    throw new AppleProtocolError(
      'unknownMessageType',
      why ? `check-in MessageType ${type} is not supported: ${why}` : `unknown check-in MessageType "${type}"`,
      { key: 'MessageType' },
    );
  }
  const r = new DictReader(dict, '', type);
  refuseUserChannel(r);
  const Topic = r.nonEmptyString('Topic');
  const UDID = readUdid(r);
  switch (type as CheckInMessageType) {
    case 'Authenticate': {
      const msg: AuthenticateMessage = { MessageType: 'Authenticate', Topic, UDID };
      for (const key of AUTHENTICATE_OPTIONAL) {
        const v = r.optString(key);
        if (v !== undefined) msg[key] = v;
      }
      return msg;
    }
    case 'TokenUpdate': {
      const Token = r.data('Token');
      if (Token.length === 0) throw r.invalid('Token', 'must not be empty');
      const msg: TokenUpdateMessage = { MessageType: 'TokenUpdate', Topic, UDID, Token, PushMagic: r.nonEmptyString('PushMagic') };
      const unlock = r.optData('UnlockToken');
      if (unlock !== undefined) msg.UnlockToken = unlock;
      const awaiting = r.optBoolean('AwaitingConfiguration');
      if (awaiting !== undefined) msg.AwaitingConfiguration = awaiting;
      return msg;
    }
    case 'CheckOut':
      return { MessageType: 'CheckOut', Topic, UDID };
  }
}

function readUdid(r: DictReader): string {
  if (!r.has('UDID') && r.has('EnrollmentID')) {
    throw new AppleProtocolError(
      'missingKey',
      `${r.context}: UDID is missing; EnrollmentID (User Enrollment) is not supported, mdmlab handles device enrollments only`,
      { key: 'UDID' },
    );
  }
  return r.nonEmptyString('UDID');
}

/** The check-in body as the device sends it (MessageType first, then Apple's key order). */
export function encodeCheckIn(msg: CheckInMessage): string {
  switch (msg.MessageType) {
    case 'Authenticate':
      return encodePlist({
        MessageType: msg.MessageType,
        Topic: msg.Topic,
        UDID: msg.UDID,
        OSVersion: msg.OSVersion,
        BuildVersion: msg.BuildVersion,
        ProductName: msg.ProductName,
        SerialNumber: msg.SerialNumber,
        IMEI: msg.IMEI,
        MEID: msg.MEID,
        DeviceName: msg.DeviceName,
        Model: msg.Model,
        ModelName: msg.ModelName,
      });
    case 'TokenUpdate':
      return encodePlist({
        MessageType: msg.MessageType,
        Topic: msg.Topic,
        UDID: msg.UDID,
        Token: msg.Token,
        PushMagic: msg.PushMagic,
        UnlockToken: msg.UnlockToken,
        AwaitingConfiguration: msg.AwaitingConfiguration,
      });
    case 'CheckOut':
      return encodePlist({ MessageType: msg.MessageType, Topic: msg.Topic, UDID: msg.UDID });
  }
}

/** Body bytes → typed message, keeping the decoded dict (the server stores the raw Authenticate). */
export function parseCheckIn(body: Buffer | string, opts?: DecodePlistOptions): { message: CheckInMessage; dict: PlistDict } {
  const dict = decodePlist(body, opts);
  return { message: decodeCheckIn(dict), dict };
}
