import { DmStatus, isSuccess, type DmCommand, type DmCommandStatus, type DmItemStatus, type DmResult } from './dm-command.js';
import type { CspHandler } from './csp-handler.js';
import { cspContext } from './csp-context.js';
import type { AtomicScope, ExecContext } from './dm-context.js';
import { runItem } from './dm-item-ops.js';
import { DmTransaction } from './dm-node.js';

/**
 * Commands in order, as the Windows client runs a SyncBody (Microsoft "OMA DM protocol support";
 * OMA-TS-DM_Protocol-V1_2):
 * - every command answers one status; a command without CmdID is answered 400 and not run;
 * - an element that is no OMA DM command is 400; Copy, which Windows does not list, is 406;
 * - Sequence runs its commands in order, each with its own status (the Sequence itself 200);
 * - Atomic runs all its commands; if any fails, everything it did is rolled back: the Atomic
 *   answers 507, each command that had succeeded 216 ("Atomic roll back OK"), a failed one keeps its
 *   own code; if a CSP cannot undo its side, 516. A nested Atomic answers 500 (and the outer 507),
 *   a Get inside an Atomic 500.
 */
export function runCommand(ctx: ExecContext, command: DmCommand): DmCommandStatus {
  const cmdId = command.cmdId?.trim() || undefined;
  const base = { cmdId, cmd: command.kind, items: [] as DmItemStatus[], results: [] as DmResult[] };
  if (cmdId === undefined) return { ...base, code: DmStatus.badRequest, reason: 'the command has no CmdID' };
  switch (command.kind) {
    case 'Copy':
      return { ...base, code: DmStatus.optionalFeatureNotSupported, reason: 'Copy is not supported by the Windows client' };
    case 'Unknown':
      return { ...base, code: DmStatus.badRequest, reason: `<${command.name ?? '?'}> is not an OMA DM command` };
    case 'Sequence':
      return { ...base, code: DmStatus.ok, children: command.commands.map((c) => runCommand(ctx, c)) };
    case 'Atomic':
      return runAtomic(ctx, command.commands, base);
    default: {
      if (command.items.length === 0) return { ...base, code: DmStatus.badRequest, reason: `${command.kind} has no Item` };
      const items: DmItemStatus[] = [];
      const results: DmResult[] = [];
      for (const item of command.items) {
        const outcome = runItem(ctx, command.kind, item);
        items.push(outcome.status);
        if (outcome.result) results.push(outcome.result);
      }
      const failed = items.find((i) => !isSuccess(i.code));
      const code = items.every((i) => i.code === items[0]!.code) ? items[0]!.code : (failed ?? items[0]!).code;
      return { ...base, code, ...(failed?.reason && code === failed.code ? { reason: failed.reason } : {}), items, results };
    }
  }
}

function runAtomic(ctx: ExecContext, commands: readonly DmCommand[], base: Omit<DmCommandStatus, 'code'>): DmCommandStatus {
  if (ctx.atomic) {
    // Its commands never run; everything of the enclosing Atomic is rolled back anyway.
    return { ...base, code: DmStatus.commandFailed, reason: 'an Atomic cannot be nested in an Atomic', children: commands.map(notRun) };
  }
  const tx = new DmTransaction(true, ctx.core);
  const scope: AtomicScope = { added: new Set<string>(), csps: new Set<CspHandler>() };
  const inner: ExecContext = { ...ctx, tx, atomic: scope };
  const children = commands.map((c) => runCommand(inner, c));
  if (!children.some(failedDeep)) {
    tx.commitInto(ctx.tx);
    return { ...base, code: DmStatus.ok, children };
  }
  tx.rollback();
  let code: number = DmStatus.atomicFailed;
  let reason = 'a command of the Atomic failed; all of it was rolled back';
  for (const handler of scope.csps) {
    try {
      handler.rollback?.(cspContext({ ...ctx, atomic: undefined }, handler));
    } catch (err) {
      code = DmStatus.atomicRollbackFailed;
      reason = `the ${handler.id} CSP could not roll back: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  return { ...base, code, reason, children: children.map(rolledBack) };
}

function failedDeep(s: DmCommandStatus): boolean {
  return !isSuccess(s.code) || (s.children?.some(failedDeep) ?? false);
}

/**
 * A command inside a failed Atomic: if it had succeeded, 216 ("Atomic roll back OK"); if it failed,
 * it keeps its code. Either way its successful items are 216 too and its results are withdrawn.
 */
function rolledBack(s: DmCommandStatus): DmCommandStatus {
  return {
    ...s,
    code: isSuccess(s.code) ? DmStatus.atomicRollbackOk : s.code,
    items: s.items.map((i) => (isSuccess(i.code) ? { target: i.target, code: DmStatus.atomicRollbackOk } : i)),
    results: [],
    ...(s.children ? { children: s.children.map(rolledBack) } : {}),
  };
}

/** The status of a command that was never run because its Atomic could not be (nested Atomic). */
function notRun(c: DmCommand): DmCommandStatus {
  const cmdId = c.cmdId?.trim() || undefined;
  const items = 'items' in c ? c.items.map((i) => ({ target: i.target?.trim() ?? '', code: DmStatus.atomicRollbackOk })) : [];
  return {
    cmdId,
    cmd: c.kind,
    code: DmStatus.atomicRollbackOk,
    items,
    results: [],
    ...('commands' in c ? { children: c.commands.map(notRun) } : {}),
  };
}
