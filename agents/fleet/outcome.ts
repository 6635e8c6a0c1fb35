import type { CommandOutcome } from '../device.js';
import { normalizeEmail, type MailAccount } from '../core/mail-account.js';
import type { Outcome } from '../report/report-model.js';

/**
 * Where a device stands with its email profile, from neutral sources only, whatever its platform:
 * its own mail store (a managed account, `replacedUserAccount`), the last answer it gave about
 * installing a profile (CommandHandledEvent), the user's hand-made account, and — with an mdmlab
 * server — the server's profile state, which then decides (its status comes from the devices'
 * answers as the server recorded them, never from assumptions).
 *
 * - installed: the managed account is there;
 * - replaced: it is there and took the place of the user's own account (Windows, KNOX);
 * - blocked: the install was refused while the user's own account with that address is there (iOS);
 * - waiting: the device put the install off (Android for Work without the app; Apple NotNow);
 * - failed: the install was refused for another reason;
 * - pending: nothing decided yet (not enrolled yet, no answer yet, or a retry is on its way).
 */

export interface OutcomeInput {
  accounts: readonly MailAccount[];
  /** The address the profile gives the device, when known (to recognise the user's own duplicate). */
  email?: string | undefined;
  /** How the device names the profile of a managed account. */
  profileIdOf: (account: MailAccount) => string | undefined;
  /** The run's profile ids (mdmlab server); absent: any managed account counts (a foreign server's). */
  profileIds?: ReadonlySet<string> | undefined;
  /** The device's last answer about installing a profile. */
  lastInstall?: CommandOutcome | undefined;
  /** The user removed the account that blocked the profile: the retry is on its way. */
  reacted?: boolean;
  /** The mdmlab server's state of the device's profile (`installed`, `blocked`, `waitingForApp`, …). */
  serverState?: string | undefined;
}

export function classifyOutcome(i: OutcomeInput): Outcome {
  const managed = managedAccount(i);
  switch (i.serverState) {
    case undefined:
      break;
    case 'installed':
      return managed?.replacedUserAccount ? 'replaced' : 'installed';
    case 'blocked':
      return 'blocked';
    case 'failed':
      return 'failed';
    case 'waitingForApp':
      return 'waiting';
    default:
      return 'pending'; // pending, removed, notApplicable: nothing on the device to speak of
  }
  if (managed) return managed.replacedUserAccount ? 'replaced' : 'installed';
  if (i.lastInstall === 'failure') {
    if (i.reacted) return 'pending';
    return holdsUserDuplicate(i) ? 'blocked' : 'failed';
  }
  if (i.lastInstall === 'deferred') return 'waiting';
  return 'pending';
}

/**
 * The managed account of one of the run's profiles. A device that cannot name the profile behind an
 * account (a Windows device knows its ActiveSync accounts by the GUID the server chose, and OMA-DM
 * never names the profile) has only the run's profiles to hold: its managed account counts.
 */
function managedAccount(i: OutcomeInput): MailAccount | undefined {
  return i.accounts.find((a) => {
    if (!a.managed || i.profileIds === undefined) return a.managed;
    const id = i.profileIdOf(a);
    return id === undefined || i.profileIds.has(id);
  });
}

/** The user's own account with the profile's address is still on the device. */
function holdsUserDuplicate(i: OutcomeInput): boolean {
  if (i.email === undefined) return false;
  const email = normalizeEmail(i.email);
  return i.accounts.some((a) => !a.managed && normalizeEmail(a.email) === email);
}

/** The outcomes a person counts as "the user has the corporate mail". */
export function hasMail(o: Outcome): boolean {
  return o === 'installed' || o === 'replaced';
}
