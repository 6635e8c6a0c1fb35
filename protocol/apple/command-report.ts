/**
 * Command reports, device → server on ServerURL: an Idle poll or the result of the previous
 * command (Apple MDM Protocol Reference, "Mobile Device Management Protocol", "MDM Result Payloads";
 * Apple Developer, "Sending MDM commands to a device"; envelope keys as
 * micromdm/nanomdm:mdm/command.go reads them).
 *
 * A report from a user channel (UserID, … see user-channel.ts) is refused: mdmlab manages devices.
 *
 * Status: Acknowledged | Error | CommandFormatError | Idle | NotNow. CommandUUID is required for
 * every status but Idle. ErrorChain is outer → inner (errors-catalogue.ts). Typed result keys:
 * ProfileList; any other result key travels in `results` untouched.
 */

import { AppleProtocolError } from './errors.js';
import type { ErrorChainItem } from './errors-catalogue.js';
import { decodePlist, encodePlist, type DecodePlistOptions } from './plist-codec.js';
import { DictReader } from './plist-read.js';
import type { PlistDict, PlistInput } from './plist-types.js';
import { decodeProfileListItem, profileListItemToPlist, type ProfileListItem } from './profile-list.js';
import { refuseUserChannel, USER_CHANNEL_KEYS } from './user-channel.js';

export const COMMAND_STATUSES = ['Acknowledged', 'Error', 'CommandFormatError', 'Idle', 'NotNow'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

export interface CommandReport {
  Status: CommandStatus;
  UDID: string;
  /** Required unless Status is Idle. */
  CommandUUID?: string;
  ErrorChain?: ErrorChainItem[];
  /** ProfileList command result. */
  ProfileList?: ProfileListItem[];
  /** Result keys of other commands, as decoded (never an envelope key or ProfileList). */
  results?: PlistDict;
}

const ENVELOPE_KEYS = new Set<string>(['Status', 'UDID', 'CommandUUID', 'ErrorChain', 'ProfileList', 'EnrollmentID', ...USER_CHANNEL_KEYS]);

/** Decode a report dict (server side). Throws AppleProtocolError naming the key. */
export function decodeReport(dict: PlistDict): CommandReport {
  const r = new DictReader(dict, '', 'command report');
  const status = r.string('Status');
  if (!(COMMAND_STATUSES as readonly string[]).includes(status)) {
    throw new AppleProtocolError('unknownStatus', `command report: Status "${status}" is not one of ${COMMAND_STATUSES.join(', ')}`, { key: 'Status' });
  }
  // A user channel's Idle would otherwise be handed the device's commands.
  refuseUserChannel(r);
  if (!r.has('UDID') && r.has('EnrollmentID')) {
    throw new AppleProtocolError('missingKey', 'command report: UDID is missing; EnrollmentID (User Enrollment) is not supported', { key: 'UDID' });
  }
  const report: CommandReport = { Status: status as CommandStatus, UDID: r.nonEmptyString('UDID') };
  if (status === 'Idle') {
    const uuid = r.optString('CommandUUID');
    if (uuid !== undefined) report.CommandUUID = uuid;
  } else {
    report.CommandUUID = r.nonEmptyString('CommandUUID');
  }
  const chain = r.optDictArray('ErrorChain');
  if (chain !== undefined) report.ErrorChain = chain.map(decodeErrorChainItem);
  const list = r.optDictArray('ProfileList');
  if (list !== undefined) report.ProfileList = list.map(decodeProfileListItem);
  let results: PlistDict | undefined;
  for (const key of Object.keys(dict)) {
    if (ENVELOPE_KEYS.has(key)) continue;
    results ??= {};
    Object.defineProperty(results, key, { value: dict[key], enumerable: true, writable: true, configurable: true });
  }
  if (results !== undefined) report.results = results;
  return report;
}

function decodeErrorChainItem(r: DictReader): ErrorChainItem {
  const item: ErrorChainItem = {
    ErrorCode: r.integer('ErrorCode'),
    ErrorDomain: r.string('ErrorDomain'),
    LocalizedDescription: r.string('LocalizedDescription'),
  };
  const us = r.optString('USEnglishDescription');
  if (us !== undefined) item.USEnglishDescription = us;
  return item;
}

/** The report body the device sends. */
export function encodeReport(report: CommandReport): string {
  if (report.Status !== 'Idle' && !report.CommandUUID) {
    throw new AppleProtocolError('missingKey', `command report: CommandUUID is required for Status ${report.Status}`, { key: 'CommandUUID' });
  }
  const extra: Record<string, PlistInput> = {};
  for (const [key, value] of Object.entries(report.results ?? {})) {
    if (ENVELOPE_KEYS.has(key)) {
      throw new AppleProtocolError('invalidValue', `command report: results must not carry the envelope key ${key}`, { key: `results.${key}` });
    }
    extra[key] = value;
  }
  return encodePlist({
    Status: report.Status,
    UDID: report.UDID,
    CommandUUID: report.CommandUUID,
    ErrorChain: report.ErrorChain?.map((i) => ({
      ErrorCode: i.ErrorCode,
      ErrorDomain: i.ErrorDomain,
      LocalizedDescription: i.LocalizedDescription,
      USEnglishDescription: i.USEnglishDescription,
    })),
    ProfileList: report.ProfileList?.map(profileListItemToPlist),
    ...extra,
  });
}

/** Body bytes → typed report, keeping the decoded dict. */
export function parseReport(body: Buffer | string, opts?: DecodePlistOptions): { report: CommandReport; dict: PlistDict } {
  const dict = decodePlist(body, opts);
  return { report: decodeReport(dict), dict };
}
