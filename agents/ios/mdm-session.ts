import type { CommandReport, CommandStatus } from '../../protocol/apple/command-report.js';
import { handleCommand, type CommandContext, type CommandResult } from './command-handler.js';
import type { EnrolledIdentity } from './device-state.js';
import type { IosRuntime } from './runtime.js';

/**
 * One exchange with the server's command endpoint (Apple Developer, "Sending MDM commands to a
 * device"; Apple MDM Protocol Reference, "Mobile Device Management Protocol"): PUT Idle, then for
 * each command in the answer PUT its result, until the server answers an empty 200. A command is
 * reported as handled once the PUT carrying its result has been answered (the server has then
 * recorded it). The exchange stops early, without error, when `shouldContinue` turns false
 * (offline, stopped): the server keeps an unanswered command and sends it again next time.
 */

export interface SessionHooks {
  shouldContinue: () => boolean;
  onHandled: (result: CommandResult) => void;
}

export interface SessionResult {
  /** Status of the last report sent before the empty answer (Idle when there was no command). */
  lastStatus: CommandStatus;
  /** False when the exchange stopped before the server's empty answer. */
  completed: boolean;
}

/** Guards against a server that never stops sending commands. */
const MAX_COMMANDS_PER_SESSION = 1000;

export async function runSession(rt: IosRuntime, e: EnrolledIdentity, ctx: CommandContext, hooks: SessionHooks): Promise<SessionResult> {
  const udid = rt.hardware.udid;
  let report: CommandReport = { Status: 'Idle', UDID: udid };
  let answered: CommandResult | undefined;
  for (let i = 0; i <= MAX_COMMANDS_PER_SESSION; i++) {
    if (!hooks.shouldContinue()) return { lastStatus: report.Status, completed: false };
    const next = await rt.mdm.report(e.enrollment, e.signing, report);
    if (answered) hooks.onHandled(answered);
    if (next === undefined) return { lastStatus: report.Status, completed: true };
    answered = await handleCommand(next, ctx);
    rt.log.debug({ commandUuid: answered.report.CommandUUID, requestType: answered.requestType, status: answered.report.Status }, 'command handled');
    report = { ...answered.report, UDID: udid };
  }
  throw new Error(`the server sent more than ${MAX_COMMANDS_PER_SESSION} commands in one exchange`);
}
