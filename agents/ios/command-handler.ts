import { decodeCommand, REQUIRED_ACCESS_RIGHT, type MdmCommand, type RequestType } from '../../protocol/apple/command.js';
import type { CommandReport } from '../../protocol/apple/command-report.js';
import { isAppleProtocolError } from '../../protocol/apple/errors.js';
import {
  APPLE_ERRORS,
  errorChainItem,
  profileNotInstalledChain,
  profileNotManagedChain,
  unknownCommandChain,
  type ErrorChainItem,
} from '../../protocol/apple/errors-catalogue.js';
import { decodePlist } from '../../protocol/apple/plist-codec.js';
import { isEmptyChange } from '../core/mail-store.js';
import { removeManaged } from '../core/platform-rules.js';
import { profileListItem } from './installed-profile.js';
import { installProfile, type InstallContext } from './profile-installer.js';

/**
 * One MDM command in, one report out, as iOS answers (notes/apple.md §2.4–2.5, §4.2):
 * - unreadable command with a CommandUUID → CommandFormatError; unknown RequestType → Error 12021;
 * - a command the enrollment's AccessRights do not allow → Error 12000;
 * - InstallProfile / RemoveProfile while the device is busy (locked) → NotNow; the device keeps
 *   nothing and the server sends the command again later (notes §2.4 "NotNow");
 * - RemoveProfile of an identifier not installed → 12075, of a profile MDM did not install → 12013;
 *   otherwise the profile and only its managed account go (user accounts stay);
 * - ProfileList → every installed profile (or only MDM's with ManagedOnly), IsManaged set.
 */

export interface CommandContext extends InstallContext {
  accessRights: number;
  /** The device is locked / busy: profile commands are answered NotNow. */
  isBusy: () => boolean;
}

/** The report for one command (UDID is added by the caller) and what it was about. */
export interface CommandResult {
  report: Omit<CommandReport, 'UDID'>;
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
  let command: MdmCommand;
  let requestTypeSeen = 'unknown';
  try {
    const dict = decodePlist(body);
    const inner = dict.Command;
    if (inner && typeof inner === 'object' && !Array.isArray(inner) && !Buffer.isBuffer(inner) && !(inner instanceof Date)) {
      const rt = (inner as Record<string, unknown>).RequestType;
      if (typeof rt === 'string') requestTypeSeen = rt;
    }
    command = decodeCommand(dict);
  } catch (err) {
    if (!isAppleProtocolError(err) || err.commandUuid === undefined) {
      throw new UnanswerableCommand(`cannot read the command: ${(err as Error).message}`, { cause: err });
    }
    if (err.code === 'unknownRequestType') return error(err.commandUuid, requestTypeSeen, unknownCommandChain(requestTypeSeen));
    return {
      report: { Status: 'CommandFormatError', CommandUUID: err.commandUuid },
      requestType: requestTypeSeen,
      detail: err.message,
    };
  }
  const uuid = command.CommandUUID;
  const c = command.Command;
  if ((ctx.accessRights & REQUIRED_ACCESS_RIGHT[c.RequestType]) === 0) {
    const right = REQUIRED_ACCESS_RIGHT[c.RequestType];
    return error(uuid, c.RequestType, [errorChainItem(APPLE_ERRORS.mdmInvalidAccessRights, `${c.RequestType} needs access right ${right}, not granted by the enrollment.`)]);
  }
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
