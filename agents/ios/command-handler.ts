import { decodeCommand, REQUEST_TYPES, REQUIRED_ACCESS_RIGHT, type CommandRequest, type MdmCommand, type RequestType } from '../../protocol/apple/command.js';
import type { CommandReport } from '../../protocol/apple/command-report.js';
import { decodeQueryCommand, isQueryRequestType, QUERY_ACCESS_RIGHT, QUERY_REQUEST_TYPES, type QueryCommand } from '../../protocol/apple/device-queries.js';
import { isAppleProtocolError } from '../../protocol/apple/errors.js';
import { APPLE_ERRORS, errorChainItem, profileNotInstalledChain, profileNotManagedChain, type ErrorChainItem } from '../../protocol/apple/errors-catalogue.js';
import { decodePlist } from '../../protocol/apple/plist-codec.js';
import type { PlistDict } from '../../protocol/apple/plist-types.js';
import { isEmptyChange } from '../core/mail-store.js';
import { removeManaged } from '../core/platform-rules.js';
import type { IosHardware } from './hardware.js';
import { profileListItem } from './installed-profile.js';
import { installProfile, type InstallContext } from './profile-installer.js';
import { answerQuery } from './query-answers.js';

/**
 * One MDM command in, one report out, as iOS answers (Apple Developer, "Sending MDM commands to a
 * device"; Apple YAML mdm/commands; Apple MDM Protocol Reference, "MDM Result Payloads" and
 * "Error Codes"):
 * - unreadable command with a CommandUUID → CommandFormatError; a RequestType the simulated device
 *   does not simulate → Error 12021 (MCMDMErrorDomain "invalid request type", what iOS answers a
 *   command it does not know) whose description says it is not simulated;
 * - the inventory queries (DeviceInformation, SecurityInfo, InstalledApplicationList,
 *   CertificateList, ProvisioningProfileList, ManagedApplicationList) → Acknowledged with the
 *   answer from the device's own state (query-answers.ts);
 * - a command the enrollment's AccessRights do not allow → Error 12000;
 * - InstallProfile / RemoveProfile while the device is busy (locked) → NotNow; the device keeps
 *   nothing and the server sends the command again later (Apple Developer, "Handling NotNow
 *   status responses");
 * - RemoveProfile of an identifier not installed → 12075, of a profile MDM did not install → 12013;
 *   otherwise the profile and only its managed account go (user accounts stay);
 * - ProfileList → every installed profile (or only MDM's with ManagedOnly), IsManaged set.
 */

export interface CommandContext extends InstallContext {
  accessRights: number;
  /** The device is locked / busy: profile commands are answered NotNow. */
  isBusy: () => boolean;
  /** What the device is, for the inventory queries. */
  hardware: Required<IosHardware>;
  /** The enrollment profile's PayloadIdentifier (its certificates are managed ones for CertificateList). */
  enrollmentProfileIdentifier: string;
}

/** The report for one command (UDID is added by the caller) and what it was about. */
export interface CommandResult {
  report: Omit<CommandReport, 'UDID'> & { results?: PlistDict };
  requestType: string;
  profileIdentifier?: string;
  detail?: string;
}

/** A command body without a readable CommandUUID cannot be answered at all. */
export class UnanswerableCommand extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnanswerableCommand';
  }
}

const PROFILE_COMMANDS: ReadonlySet<string> = new Set<RequestType>(['InstallProfile', 'RemoveProfile']);

/** Every RequestType the simulated device answers, for the 12021 description. */
export const SIMULATED_REQUEST_TYPES: readonly string[] = [...REQUEST_TYPES, ...QUERY_REQUEST_TYPES];

/** 12021 for a command the simulated device does not simulate, saying so and what it does answer. */
export function notSimulatedChain(requestType: string): ErrorChainItem[] {
  return [
    errorChainItem(
      APPLE_ERRORS.mdmInvalidRequestType,
      `Unknown command: ${requestType} is not simulated by this mdmlab iOS device (it answers ${SIMULATED_REQUEST_TYPES.join(', ')}).`,
    ),
  ];
}

function error(uuid: string, requestType: string, chain: ErrorChainItem[], profileIdentifier?: string): CommandResult {
  const detail = chain.map((e) => `${e.ErrorDomain} ${e.ErrorCode}: ${e.LocalizedDescription}`).join(' / ');
  return {
    report: { Status: 'Error', CommandUUID: uuid, ErrorChain: chain },
    requestType,
    detail,
    ...(profileIdentifier === undefined ? {} : { profileIdentifier }),
  };
}

/** Decodes and runs a command body. Throws UnanswerableCommand when there is no CommandUUID to answer. */
export async function handleCommand(body: Buffer, ctx: CommandContext): Promise<CommandResult> {
  let command: MdmCommand | QueryCommand;
  let requestTypeSeen = 'unknown';
  try {
    const dict = decodePlist(body);
    const inner = dict.Command;
    if (inner && typeof inner === 'object' && !Array.isArray(inner) && !Buffer.isBuffer(inner) && !(inner instanceof Date)) {
      const rt = (inner as Record<string, unknown>).RequestType;
      if (typeof rt === 'string') requestTypeSeen = rt;
    }
    command = isQueryRequestType(requestTypeSeen) ? decodeQueryCommand(dict) : decodeCommand(dict);
  } catch (err) {
    if (!isAppleProtocolError(err) || err.commandUuid === undefined) {
      throw new UnanswerableCommand(`cannot read the command: ${(err as Error).message}`, { cause: err });
    }
    if (err.code === 'unknownRequestType') return error(err.commandUuid, requestTypeSeen, notSimulatedChain(requestTypeSeen));
    return {
      report: { Status: 'CommandFormatError', CommandUUID: err.commandUuid },
      requestType: requestTypeSeen,
      detail: err.message,
    };
  }
  const uuid = command.CommandUUID;
  const requestType = command.Command.RequestType;
  const right = isQueryRequestType(requestType) ? QUERY_ACCESS_RIGHT[requestType] : REQUIRED_ACCESS_RIGHT[requestType];
  if (right !== 0 && (ctx.accessRights & right) === 0) {
    return error(uuid, requestType, [errorChainItem(APPLE_ERRORS.mdmInvalidAccessRights, `${requestType} needs access right ${right}, not granted by the enrollment.`)]);
  }
  if (isQuery(command)) {
    const answer = answerQuery(command.Command, ctx);
    return { report: { Status: 'Acknowledged', CommandUUID: uuid, results: answer.results }, requestType, detail: answer.detail };
  }
  return profileCommand(uuid, command.Command, ctx);
}

function isQuery(command: MdmCommand | QueryCommand): command is QueryCommand {
  return isQueryRequestType(command.Command.RequestType);
}

/** InstallProfile, RemoveProfile, ProfileList. */
async function profileCommand(uuid: string, c: CommandRequest, ctx: CommandContext): Promise<CommandResult> {
  if (PROFILE_COMMANDS.has(c.RequestType) && ctx.isBusy()) {
    return { report: { Status: 'NotNow', CommandUUID: uuid }, requestType: c.RequestType, detail: 'the device is busy (locked)' };
  }
  switch (c.RequestType) {
    case 'InstallProfile': {
      const outcome = await installProfile(c.Payload, ctx);
      if (outcome.status === 'Error') return error(uuid, c.RequestType, outcome.errorChain, outcome.profileIdentifier);
      return { report: { Status: 'Acknowledged', CommandUUID: uuid }, requestType: c.RequestType, profileIdentifier: outcome.profileIdentifier, detail: outcome.detail };
    }
    case 'RemoveProfile': {
      const installed = ctx.state.getProfile(c.Identifier);
      if (!installed) return error(uuid, c.RequestType, profileNotInstalledChain(c.Identifier), c.Identifier);
      if (!installed.managed) return error(uuid, c.RequestType, profileNotManagedChain(c.Identifier), c.Identifier);
      const { removed, change } = removeManaged(await ctx.state.mail.list(), c.Identifier);
      if (!isEmptyChange(change)) await ctx.state.mail.apply(change);
      ctx.state.deleteProfile(c.Identifier);
      const accounts = removed.map((a) => `${a.email} on ${a.host}`).join(', ');
      return {
        report: { Status: 'Acknowledged', CommandUUID: uuid },
        requestType: c.RequestType,
        profileIdentifier: c.Identifier,
        detail: `removed ${c.Identifier}${accounts ? ` and its account ${accounts}` : ''}`,
      };
    }
    case 'ProfileList': {
      const profiles = ctx.state.listProfiles().filter((p) => !c.ManagedOnly || p.managed);
      return {
        report: { Status: 'Acknowledged', CommandUUID: uuid, ProfileList: profiles.map(profileListItem) },
        requestType: c.RequestType,
        detail: `${profiles.length} profiles`,
      };
    }
  }
}
