import type { CommandReport } from '../../protocol/apple/command-report.js';
import type { Store } from '../store/port.js';
import type { CommandAnswer, CommandHistoryRecord, CommandRecord } from '../store/records.js';

/**
 * A device's commands as the admin sees them: what still waits in its queue and what it answered.
 * Answered commands leave the queue (so the next poll never re-sends them) but their answer,
 * with the ErrorChain as the device sent it, stays in the history (notes/apple.md §2.4).
 */

/** The history entry for a command the device just answered: written with the queue deletion. */
export function historyEntry(
  command: CommandRecord,
  report: Pick<CommandReport, 'ErrorChain'> & { Status: CommandAnswer },
  answeredAt: string,
): CommandHistoryRecord {
  return {
    uuid: command.uuid,
    deviceId: command.deviceId,
    requestType: command.requestType,
    status: report.Status,
    ...(report.ErrorChain ? { errorChain: report.ErrorChain } : {}),
    ...(command.profileId !== undefined ? { profileId: command.profileId } : {}),
    ...(command.profileVersion !== undefined ? { profileVersion: command.profileVersion } : {}),
    queuedAt: command.createdAt,
    ...(command.sentAt !== undefined ? { sentAt: command.sentAt } : {}),
    answeredAt,
  };
}

export interface QueuedCommandView {
  uuid: string;
  requestType: string;
  /** notNow: the device said it could not run it yet; it goes out again on a later poll. */
  status: CommandRecord['status'];
  profileId?: string;
  profileVersion?: number;
  queuedAt: string;
  sentAt?: string;
  notNowCount: number;
}

export interface DeviceCommandsView {
  /** In the order the device gets them. */
  queued: QueuedCommandView[];
  /** Newest answer first. */
  history: CommandHistoryRecord[];
}

const queuedView = (c: CommandRecord): QueuedCommandView => ({
  uuid: c.uuid,
  requestType: c.requestType,
  status: c.status,
  ...(c.profileId !== undefined ? { profileId: c.profileId } : {}),
  ...(c.profileVersion !== undefined ? { profileVersion: c.profileVersion } : {}),
  queuedAt: c.createdAt,
  ...(c.sentAt !== undefined ? { sentAt: c.sentAt } : {}),
  notNowCount: c.notNowCount,
});

/**
 * Two plain reads, queue first: a command answered between them shows in both lists rather than
 * in neither, and the view never takes the write lock the command loop needs.
 */
export async function deviceCommands(store: Store, deviceId: string): Promise<DeviceCommandsView> {
  const queued = (await store.commands.forDevice(deviceId)).map(queuedView);
  return { queued, history: await store.commandHistory.forDevice(deviceId) };
}
