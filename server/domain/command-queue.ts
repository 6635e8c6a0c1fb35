import { randomUUID } from 'node:crypto';
import type { Repositories, Store } from '../store/port.js';
import type { CommandHistoryRecord, CommandOutcome, CommandRecord } from '../store/records.js';

/**
 * The per-device command queue every platform channel uses (NanoMDM's shape): commands wait in
 * hand-out order (priority, then age), go out, and leave the queue only together with their answer
 * recorded in the device's history, in one transaction. What a command looks like on the wire is
 * the channel's business: the queue keeps its body opaque.
 */

export interface NewCommand {
  requestType: string;
  /** The wire form; '' for a recipe rendered when the device fetches it (CommandRecord.body). */
  body: string;
  profileId?: string;
  profileVersion?: number;
  priority?: number;
  /** Default a fresh upper-case UUID (Apple's CommandUUID form). */
  uuid?: string;
}

export async function enqueueCommand(tx: Repositories, deviceId: string, command: NewCommand, at: string): Promise<string> {
  const uuid = command.uuid ?? randomUUID().toUpperCase();
  await tx.commands.enqueue({
    uuid,
    deviceId,
    requestType: command.requestType,
    body: command.body,
    priority: command.priority ?? 0,
    createdAt: at,
    ...(command.profileId !== undefined ? { profileId: command.profileId } : {}),
    ...(command.profileVersion !== undefined ? { profileVersion: command.profileVersion } : {}),
  });
  return uuid;
}

/** The device's answer in the platform's words plus what it means. */
export interface CommandAnswer {
  status: string;
  outcome: CommandOutcome;
  detail?: Record<string, unknown>;
}

/** The command leaves the queue with its answer kept in the history: call inside the caller's transaction. */
export async function answerCommand(tx: Repositories, command: CommandRecord, answer: CommandAnswer, at: string): Promise<void> {
  await tx.commands.delete(command.uuid);
  await tx.commandHistory.append(historyEntry(command, answer, at));
}

export function historyEntry(command: CommandRecord, answer: CommandAnswer, answeredAt: string): CommandHistoryRecord {
  return {
    uuid: command.uuid,
    deviceId: command.deviceId,
    requestType: command.requestType,
    status: answer.status,
    outcome: answer.outcome,
    ...(answer.detail && Object.keys(answer.detail).length > 0 ? { detail: answer.detail } : {}),
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

/**
 * An answered command as the admin API shows it: the platform's status and the device's detail in
 * the platform's own words, side by side (Apple: `status: "Error"`, `errorChain: […]`).
 */
export type AnsweredCommandView = Omit<CommandHistoryRecord, 'outcome' | 'detail'> & Record<string, unknown>;

export interface DeviceCommandsView {
  /** In the order the device gets them. */
  queued: QueuedCommandView[];
  /** Newest answer first. */
  history: AnsweredCommandView[];
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

function answeredView(h: CommandHistoryRecord): AnsweredCommandView {
  const { outcome: _outcome, detail, ...rest } = h;
  const { answeredAt, sentAt, queuedAt, profileId, profileVersion, ...head } = rest;
  return {
    ...head,
    ...(detail ?? {}),
    ...(profileId !== undefined ? { profileId } : {}),
    ...(profileVersion !== undefined ? { profileVersion } : {}),
    queuedAt,
    ...(sentAt !== undefined ? { sentAt } : {}),
    answeredAt,
  };
}

/**
 * Two plain reads, queue first: a command answered between them shows in both lists rather than
 * in neither, and the view never takes the write lock the command loop needs.
 */
export async function deviceCommands(store: Store, deviceId: string): Promise<DeviceCommandsView> {
  const queued = (await store.commands.forDevice(deviceId)).map(queuedView);
  return { queued, history: (await store.commandHistory.forDevice(deviceId)).map(answeredView) };
}
