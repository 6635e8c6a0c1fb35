import { MC_EAS_ERROR_DOMAIN, MC_MDM_ERROR_DOMAIN, type ErrorChainItem } from '../../protocol/apple/errors-catalogue.js';
import type { CommandReport } from '../../protocol/apple/command-report.js';
import type { CommandAnswer } from '../domain/command-queue.js';
import type { ProfileOutcome } from '../domain/profile-outcomes.js';

/**
 * Apple's answers in the neutral vocabulary, as pure functions: what a report means for the
 * command history (CommandAnswer) and for a profile's state (ProfileOutcome).
 */

/** Acknowledged is a success; Error and CommandFormatError are failures, the ErrorChain kept as sent. */
export function commandAnswer(report: Pick<CommandReport, 'ErrorChain'> & { Status: 'Acknowledged' | 'Error' | 'CommandFormatError' }): CommandAnswer {
  return {
    status: report.Status,
    outcome: report.Status === 'Acknowledged' ? 'success' : 'failure',
    ...(report.ErrorChain ? { detail: { errorChain: report.ErrorChain } } : {}),
  };
}

/** MCEASErrorDomain 21005 "account not unique": the user's own account blocks the profile (Apple MDM Protocol Reference, "Error Codes"). */
const ACCOUNT_NOT_UNIQUE = 21005;
/** MCMDMErrorDomain 12075 "profile not installed": removing it again changes nothing. */
const PROFILE_NOT_INSTALLED = 12075;

const has = (chain: readonly ErrorChainItem[] | undefined, domain: string, code: number): boolean =>
  (chain ?? []).some((e) => e.ErrorDomain === domain && e.ErrorCode === code);

export function describeChain(chain: readonly ErrorChainItem[] | undefined): string {
  if (!chain || chain.length === 0) return 'the device reported an error without an ErrorChain';
  return chain.map((e) => `${e.ErrorDomain} ${e.ErrorCode}: ${e.USEnglishDescription ?? e.LocalizedDescription}`).join(' / ');
}

export function installProfileOutcome(report: Pick<CommandReport, 'Status' | 'ErrorChain'>): ProfileOutcome | undefined {
  switch (report.Status) {
    case 'Acknowledged':
      return { state: 'installed' };
    case 'Error':
      if (has(report.ErrorChain, MC_EAS_ERROR_DOMAIN, ACCOUNT_NOT_UNIQUE)) {
        return { state: 'blocked', detail: describeChain(report.ErrorChain) };
      }
      return { state: 'failed', detail: describeChain(report.ErrorChain) };
    case 'CommandFormatError':
      return { state: 'failed', detail: 'the device could not read the InstallProfile command (CommandFormatError)' };
    default:
      return undefined;
  }
}

export function removeProfileOutcome(report: Pick<CommandReport, 'Status' | 'ErrorChain'>): ProfileOutcome | undefined {
  switch (report.Status) {
    case 'Acknowledged':
      return { state: 'removed' };
    case 'Error':
      if (has(report.ErrorChain, MC_MDM_ERROR_DOMAIN, PROFILE_NOT_INSTALLED)) return { state: 'removed' };
      return { state: 'failed', detail: `removal failed: ${describeChain(report.ErrorChain)}` };
    case 'CommandFormatError':
      return { state: 'failed', detail: 'the device could not read the RemoveProfile command (CommandFormatError)' };
    default:
      return undefined;
  }
}
