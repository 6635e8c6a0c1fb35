import { isSuccessStatus, STATUS, statusMeaning } from '../../../protocol/windows/syncml/status-codes.js';
import type { StatusCommand } from '../../../protocol/windows/syncml/types.js';
import type { ProfileOutcome } from '../../domain/profile-outcomes.js';
import type { WindowsSentCommandRecord } from '../../store/records.js';
import type { OperationPayload } from './account-operation.js';

/** One command of an operation and the device's Status for it (absent when the device sent none). */
export interface PartAnswer {
  row: WindowsSentCommandRecord;
  status?: StatusCommand;
}

/** The device's words about one command, as the command history keeps them. */
export interface StatusDetail {
  cmd: string;
  target?: string;
  code: number;
  meaning: string;
  originalError?: string;
}

/**
 * What the device's answer to an operation means:
 * - outcome: the profile's state (through ProfileOutcomes);
 * - account: what the server now knows of the account on the device: `confirm` (it holds the
 *   operation's values under the operation's GUID), `forget` (nothing of it is there: a next install
 *   adds it under a new GUID), `unchanged` (a refused operation left it as it was);
 * - reissue: the account turned out to be gone from the device, so the install goes out again as an
 *   Add under a new GUID instead of failing.
 */
export interface OperationVerdict {
  code: number;
  outcome: ProfileOutcome;
  account: 'confirm' | 'forget' | 'unchanged';
  reissue: boolean;
  statuses: StatusDetail[];
}

export function statusDetail(cmd: string, target: string | undefined, status: StatusCommand): StatusDetail {
  return {
    cmd,
    ...(target !== undefined ? { target } : {}),
    code: status.code,
    meaning: statusMeaning(status.code),
    ...(status.originalError !== undefined ? { originalError: status.originalError } : {}),
  };
}

/** `507 (Atomic failed …): Add …/ServerName → 405 (command not allowed …)`: the failing commands, in the device's words. */
export function describeFailure(code: number, statuses: readonly StatusDetail[]): string {
  const failing = statuses.filter((s) => s.cmd !== 'Atomic' && !isSuccessStatus(s.code) && s.code !== STATUS.ATOMIC_ROLLBACK_OK);
  const head = `SyncML ${code} (${statusMeaning(code)})`;
  if (failing.length === 0) return head;
  return `${head}: ${failing.map((s) => `${s.cmd} ${s.target ?? ''} → ${s.code}${s.originalError ? ` (${s.originalError})` : ''}`).join('; ')}`;
}

/**
 * The verdict of an operation from its own Status (`top`) and those of the commands inside it.
 * Three device answers mean the account is not (or no longer) where the server thought:
 * - 418 on the Add of the account node: the GUID already existed, and Windows then "deletes the
 *   existing account and doesn't create the new account" (ActiveSync CSP) — so it is gone either
 *   way (a resend of an Add that had arrived, say). Fleet re-issues such an Add as a Replace; here
 *   that would find nothing, so the install goes out again as an Add under a new GUID;
 * - 404 on a Replace of a leaf, or on the Delete of a recreate: the account is not there;
 * - 404 on the Delete of a removal: already removed, which is what was asked.
 */
export function judgeOperation(payload: OperationPayload, top: StatusCommand, parts: readonly PartAnswer[]): OperationVerdict {
  const statuses = [statusDetail(top.cmd, undefined, top), ...parts.flatMap((p) => (p.status ? [statusDetail(p.row.verb, p.row.target, p.status)] : []))];
  const ok = isSuccessStatus(top.code);
  const code = top.code;
  const failed = (): OperationVerdict => ({
    code,
    outcome: { state: 'failed', detail: payload.kind === 'delete' ? `removal failed: ${describeFailure(code, statuses)}` : describeFailure(code, statuses) },
    account: 'unchanged',
    reissue: false,
    statuses,
  });
  const gone = (): OperationVerdict => ({ code, outcome: { state: 'failed', detail: `the account is not on the device: ${describeFailure(code, statuses)}` }, account: 'forget', reissue: true, statuses });
  const confirmed = (): OperationVerdict => ({ code, outcome: { state: 'installed' }, account: 'confirm', reissue: false, statuses });
  const answered = (verb: string, wanted: number) => parts.some((p) => p.row.verb === verb && p.status?.code === wanted);
  switch (payload.kind) {
    case 'delete':
      if (ok || code === STATUS.NOT_FOUND) return { code, outcome: { state: 'removed' }, account: 'forget', reissue: false, statuses };
      return failed();
    case 'add':
      if (ok) return confirmed();
      return answered('Add', STATUS.ALREADY_EXISTS) ? gone() : failed();
    case 'replace':
      if (ok) return confirmed();
      return answered('Replace', STATUS.NOT_FOUND) ? gone() : failed();
    case 'recreate':
      if (ok) return confirmed();
      return answered('Delete', STATUS.NOT_FOUND) || answered('Add', STATUS.ALREADY_EXISTS) ? gone() : failed();
  }
}
