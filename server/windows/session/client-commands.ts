import { ALERT, isUnenrollmentRequest, loginStatusOf, type LoginStatus } from '../../../protocol/windows/syncml/alert-codes.js';
import { statusFor } from '../../../protocol/windows/syncml/replies.js';
import { STATUS } from '../../../protocol/windows/syncml/status-codes.js';
import type { ItemCommand, ResultsCommand, StatusCommand, SyncMLCommand, SyncMLMessage } from '../../../protocol/windows/syncml/types.js';
import type { WindowsFacts } from '../../store/records.js';

/**
 * What a device reports of itself by Replace (MS-MDM §4 example session; Microsoft's "OMA DM
 * protocol support"): the DevInfo node, and the DMClient HWDevID some builds add. Kept as facts by
 * the last segment of the URI; anything else a device reports is acknowledged and not kept.
 */
const FACT_URIS: ReadonlyMap<string, string> = new Map([
  ['./devinfo/devid', 'DevId'],
  ['./devinfo/man', 'Man'],
  ['./devinfo/mod', 'Mod'],
  ['./devinfo/dmv', 'DmV'],
  ['./devinfo/lang', 'Lang'],
  ['./vendor/msft/dmclient/hwdevid', 'HWDevID'],
  ['./devdetail/swv', 'SwV'],
]);
const MAX_FACT_LENGTH = 256;
const KNOWN_ALERTS: ReadonlySet<number> = new Set(Object.values(ALERT));

export interface ClientMessage {
  /** One Status per command that asked for one (all but Status commands and NoResp ones), in order. */
  statuses: StatusCommand[];
  /** Facts the device reported in this message. */
  facts: WindowsFacts;
  loginStatus?: LoginStatus;
  /** The 1226 alert of a user-requested unenrollment. */
  unenroll: boolean;
  /** Alert 1223: the device aborts the session. */
  abort: boolean;
  /** The device's answers to the server's commands. */
  answers: StatusCommand[];
  results: ResultsCommand[];
}

/**
 * The device's own commands in one message, answered in order with one Status each (MS-MDM
 * §2.2.6.1), and what they tell: session alerts (1200, 1201, 1222, 1223), the 1224 LoginStatus,
 * the 1226 unenrollment, Replace of its facts. A Replace that names another DeviceID than the
 * message's own is refused (403) and nothing of it is kept: a device never speaks for another.
 * The server has no DM tree for a device to write to: Add, Delete, Get, Exec, Atomic and Sequence
 * from a device are answered 406 (optional feature not supported); an unreadable command 400.
 */
export function readClientMessage(msg: SyncMLMessage, dmDeviceId: string, nextCmdId: () => string): ClientMessage {
  const out: ClientMessage = { statuses: [], facts: {}, unenroll: false, abort: false, answers: [], results: [] };
  const msgRef = msg.header.msgId;
  const answer = (command: SyncMLCommand, code: number) => {
    if ('noResp' in command && command.noResp) return;
    out.statuses.push(statusFor(command, msgRef, nextCmdId(), code));
  };
  for (const command of msg.commands) {
    switch (command.kind) {
      case 'Status':
        out.answers.push(command);
        break;
      case 'Results':
        out.results.push(command);
        answer(command, STATUS.OK);
        break;
      case 'Alert': {
        if (command.code === ALERT.GENERIC_ALERT && isUnenrollmentRequest(command)) out.unenroll = true;
        if (command.code === ALERT.SESSION_ABORT) out.abort = true;
        const login = loginStatusOf(command);
        if (login) out.loginStatus = login;
        answer(command, KNOWN_ALERTS.has(command.code) ? STATUS.OK : STATUS.OPTIONAL_FEATURE_NOT_SUPPORTED);
        break;
      }
      case 'Replace':
        answer(command, readFacts(command, dmDeviceId, out.facts));
        break;
      case 'Invalid':
        answer(command, STATUS.BAD_REQUEST);
        break;
      default:
        answer(command, STATUS.OPTIONAL_FEATURE_NOT_SUPPORTED);
    }
  }
  return out;
}

/** Collects the facts of one Replace into `into`; its status code. */
function readFacts(command: ItemCommand, dmDeviceId: string, into: WindowsFacts): number {
  const found: WindowsFacts = {};
  for (const item of command.items) {
    const uri = (item.source ?? item.target ?? '').trim().toLowerCase();
    const key = FACT_URIS.get(uri);
    if (!key || item.data === undefined) continue;
    const value = item.data.trim().slice(0, MAX_FACT_LENGTH);
    if (key === 'DevId' && value !== dmDeviceId) return STATUS.FORBIDDEN;
    found[key] = value;
  }
  Object.assign(into, found);
  return STATUS.OK;
}
