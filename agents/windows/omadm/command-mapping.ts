import { parseActiveSyncUri } from '../../../protocol/windows/activesync/index.js';
import type { ResultsCommand, StatusCommand, SyncMLCommand } from '../../../protocol/windows/syncml/index.js';
import type { DmCommand, DmCommandStatus, DmItem } from '../dm-tree/index.js';

/**
 * The server's SyncML commands as the DM tree's commands, and the tree's answers as SyncML
 * (MS-MDM §2.2.6.1, §2.2.7): one Status per command — an Atomic's or Sequence's own Status first,
 * then one per command inside it — and a Results after the Status of each Get that read something.
 */

/** The tree commands for the server's management commands (Alerts, Statuses and Results are the session's). */
export function toDmCommand(c: SyncMLCommand): DmCommand | undefined {
  switch (c.kind) {
    case 'Add':
    case 'Replace':
    case 'Delete':
    case 'Get':
    case 'Exec':
      return { kind: c.kind, cmdId: c.cmdId, items: c.items.map((i) => dmItem(i, c.meta)) };
    case 'Atomic':
    case 'Sequence':
      return { kind: c.kind, cmdId: c.cmdId, commands: c.commands.flatMap((inner) => toDmCommand(inner) ?? [{ kind: 'Unknown' as const, name: inner.kind, cmdId: inner.cmdId }]) };
    case 'Invalid':
      // Copy is an OMA DM 1.2 command Windows does not support (406); anything else is not a command (400).
      return { kind: c.name === 'Copy' ? 'Copy' : 'Unknown', name: c.name, ...(c.cmdId !== undefined ? { cmdId: c.cmdId } : {}) };
    default:
      return undefined;
  }
}

function dmItem(i: { target?: string; meta?: { format?: string; type?: string }; data?: string }, commandMeta: { format?: string; type?: string } | undefined): DmItem {
  const format = i.meta?.format ?? commandMeta?.format;
  const type = i.meta?.type ?? commandMeta?.type;
  return {
    ...(i.target !== undefined ? { target: i.target } : {}),
    ...(format !== undefined ? { format } : {}),
    ...(type !== undefined ? { type } : {}),
    ...(i.data !== undefined ? { data: i.data } : {}),
  };
}

/** The Status (and Results) answering one executed command; `nextCmdId` numbers the device's commands. */
export function answerOf(command: DmCommand, status: DmCommandStatus, msgRef: string, nextCmdId: () => string): (StatusCommand | ResultsCommand)[] {
  const out: (StatusCommand | ResultsCommand)[] = [];
  const name = command.kind === 'Copy' || command.kind === 'Unknown' ? (command.name ?? command.kind) : command.kind;
  out.push({ kind: 'Status', cmdId: nextCmdId(), msgRef, cmdRef: status.cmdId ?? '', cmd: name, code: status.code, targetRefs: [], sourceRefs: [], items: [] });
  if (status.results.length > 0) {
    out.push({
      kind: 'Results',
      cmdId: nextCmdId(),
      msgRef,
      cmdRef: status.cmdId ?? '',
      targetRefs: [],
      sourceRefs: [],
      items: status.results.map((r) => ({ source: r.source, meta: { format: r.format, ...(r.type !== undefined ? { type: r.type } : {}) }, data: r.data })),
    });
  }
  if ((command.kind === 'Atomic' || command.kind === 'Sequence') && status.children) {
    command.commands.forEach((inner, i) => {
      const s = status.children![i];
      if (s) out.push(...answerOf(inner, s, msgRef, nextCmdId));
    });
  }
  return out;
}

/**
 * What a command did to an email profile, judged by the ActiveSync account nodes it names: an Add
 * of an account node or a Replace of its values installs (or updates), a Delete of the node removes.
 */
export function profileActionOf(command: DmCommand): { action: 'install' | 'remove'; accountGuid: string } | undefined {
  switch (command.kind) {
    case 'Atomic':
    case 'Sequence': {
      const actions = command.commands.map(profileActionOf).filter((a) => a !== undefined);
      return actions.find((a) => a.action === 'install') ?? actions[0];
    }
    case 'Add':
    case 'Replace':
    case 'Delete':
      for (const item of command.items) {
        const uri = item.target ? parseActiveSyncUri(item.target) : undefined;
        if (!uri) continue;
        if (command.kind === 'Delete') {
          if (uri.path === '') return { action: 'remove', accountGuid: uri.accountGuid };
        } else return { action: 'install', accountGuid: uri.accountGuid };
      }
      return undefined;
    default:
      return undefined;
  }
}
