/**
 * The user channel: on macOS (each user's own MDM channel) and Shared iPad (the signed-in user), a
 * device sends check-ins and command reports for the user with the device's UDID and identity,
 * told apart from the device channel only by the keys below (Apple: mdm/checkin/tokenupdate.yaml
 * UserID, UserShortName, UserLongName, EnrollmentUserID, NotOnConsole — all "devicechannel: false"
 * or Shared-iPad-user only; NanoMDM resolves the channel the same way). mdmlab manages devices
 * only: a message carrying any of them is refused, never taken for the device's own (its push
 * token and PushMagic, its command queue).
 */

import { AppleProtocolError } from './errors.js';
import type { DictReader } from './plist-read.js';

export const USER_CHANNEL_KEYS = ['UserID', 'UserShortName', 'UserLongName', 'EnrollmentUserID', 'NotOnConsole'] as const;

/** Throws AppleProtocolError('userChannel') naming the first user-channel key the dict carries. */
export function refuseUserChannel(r: DictReader): void {
  const key = USER_CHANNEL_KEYS.find((k) => r.has(k));
  if (key === undefined) return;
  throw new AppleProtocolError(
    'userChannel',
    `${r.context}: ${key} marks a user-channel message; mdmlab manages devices only (the device channel, identified by its UDID alone)`,
    { key },
  );
}
