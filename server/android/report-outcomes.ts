import type { DeviceReport } from '../../protocol/android/amapi/device.js';
import type { ApplicationReport, NonComplianceDetail } from '../../protocol/android/amapi/device-parts.js';
import { accountStateKey, readAccountState, type AccountState } from '../../protocol/android/app-states.js';
import { emailAppOfPackage, MDMLAB_DPC_PACKAGE, SAMSUNG_EMAIL_PACKAGE } from '../../protocol/android/apps.js';
import { jsonPath } from '../../protocol/android/json.js';
import type { ProfileOutcome } from '../domain/profile-outcomes.js';
import type { ProfileStateRecord } from '../store/records.js';
import type { AndroidPlatform } from './android-context.js';
import type { Replacement } from './knox-flips.js';
import type { PolicyPlan } from './policy-plan.js';

/** What a report says about one profile, in the neutral vocabulary (ProfileOutcomes records it). */
export interface ProfileVerdict {
  profileId: string;
  profileVersion: number;
  action: 'install' | 'remove';
  outcome: ProfileOutcome;
}

export interface ReportReading {
  verdicts: ProfileVerdict[];
  /** Knox accounts the device says replaced another account (knox-flips.ts counts those between managed accounts). */
  replacements: Replacement[];
}

const APP_LABELS: Readonly<Record<string, string>> = { gmail: 'Gmail', nineWork: 'Nine Work' };
const SUCCESS: ReadonlySet<AccountState> = new Set(['created', 'replaced', 'recreated', 'updated', 'authPending']);
const FAILURE: ReadonlySet<AccountState> = new Set(['certificateMissing', 'serverCertificateUntrusted', 'invalidConfiguration']);
/** Non-compliance details quoted in a profile's detail; the rest are counted. */
const QUOTED_DETAILS = 5;

/**
 * Reads a status report about the policy version the device was given (AMAPI Device:
 * nonComplianceDetails, applicationReports[].keyedAppStates) against that version's plan. Pure.
 * For each profile the policy carries, in this order:
 * - APP_NOT_INSTALLED for its app → `waitingForApp` (Android for Work: the managed configuration
 *   waits in the work profile until Gmail or Nine Work is there); for Samsung Email on Knox →
 *   `failed` (Knox refuses an account without it and keeps nothing);
 * - INVALID_VALUE, or any other reason but PENDING, at its app's `applications[i]` or its account's
 *   `mdmlab.knoxExchangeAccounts[i]` → `failed`, quoting the field paths;
 * - PENDING → nothing yet;
 * - else the account's keyed app state (`exchangeAccount` of the app; `exchangeAccount:{profileId}`
 *   of the DPC for Knox): created, replaced, recreated, updated, authPending → `installed`
 *   (`replaced`: it took the place of another account); certificateMissing,
 *   serverCertificateUntrusted, invalidConfiguration → `failed`; removed or none → nothing yet.
 * A profile the policy no longer carries but the device may still hold is confirmed `removed`:
 * on Android for Work by the report itself (the app's configuration now comes from this policy);
 * on Knox once the DPC no longer lists its account (or lists it removed).
 */
export function readReport(plan: PolicyPlan, report: DeviceReport, states: readonly ProfileStateRecord[], platform: AndroidPlatform): ReportReading {
  const apps = new Map((report.applicationReports ?? []).map((a) => [a.packageName, a]));
  const details = report.nonComplianceDetails ?? [];
  const verdicts: ProfileVerdict[] = [];
  const replacements: Replacement[] = [];
  for (const [profileId, p] of Object.entries(plan.profiles)) {
    if (p.kind === 'withheld') continue;
    const install = (outcome: ProfileOutcome) => verdicts.push({ profileId, profileVersion: p.version, action: 'install', outcome });
    if (p.kind === 'app') {
      const app = emailAppOfPackage(p.packageName);
      const label = APP_LABELS[app ?? ''] ?? p.packageName;
      const mine = details.filter((d) => d.packageName === p.packageName || under(d.fieldPath, jsonPath('applications', p.index)));
      const fromDetails = verdictOfDetails(mine, (d) => `${label} is not installed in the work profile${failureReason(d)}`, 'waitingForApp');
      if (fromDetails !== undefined) {
        if (fromDetails !== 'pending') install(fromDetails);
        continue;
      }
      const state = accountState(apps.get(p.packageName), accountStateKey());
      if (state && state.state !== 'removed') install(state.outcome);
      continue;
    }
    const base = jsonPath(jsonPath('mdmlab', 'knoxExchangeAccounts'), p.index);
    const mine = details.filter((d) => d.packageName === SAMSUNG_EMAIL_PACKAGE || under(d.fieldPath, base));
    const fromDetails = verdictOfDetails(mine, (d) => `Samsung Email is not installed${failureReason(d)}: Knox cannot create Exchange accounts without it`, 'failed');
    if (fromDetails !== undefined) {
      if (fromDetails !== 'pending') install(fromDetails);
      continue;
    }
    const state = accountState(apps.get(MDMLAB_DPC_PACKAGE), accountStateKey(profileId));
    if (!state || state.state === 'removed') continue;
    install(state.outcome);
    if (state.state === 'replaced' && state.stamp) replacements.push({ profileId, stamp: state.stamp });
  }
  for (const s of states) {
    if (Object.hasOwn(plan.profiles, s.profileId) || s.state === 'removed' || s.state === 'notApplicable') continue;
    if (platform === 'samsungKnox') {
      const still = accountState(apps.get(MDMLAB_DPC_PACKAGE), accountStateKey(s.profileId));
      if (still && still.state !== 'removed') continue;
    }
    verdicts.push({ profileId: s.profileId, profileVersion: s.profileVersion, action: 'remove', outcome: { state: 'removed' } });
  }
  return { verdicts, replacements };
}

/** `path` is `base` or inside it (`base.key`, `base[0]`), never a sibling such as applications[10] for applications[1]. */
function under(path: string | undefined, base: string): boolean {
  return path !== undefined && (path === base || path.startsWith(`${base}.`) || path.startsWith(`${base}[`));
}

function failureReason(d: NonComplianceDetail): string {
  return d.installationFailureReason ? ` (${d.installationFailureReason})` : '';
}

function verdictOfDetails(
  details: readonly NonComplianceDetail[],
  notInstalled: (d: NonComplianceDetail) => string,
  whenNotInstalled: 'waitingForApp' | 'failed',
): ProfileOutcome | 'pending' | undefined {
  if (details.length === 0) return undefined;
  const missing = details.find((d) => d.nonComplianceReason === 'APP_NOT_INSTALLED');
  if (missing) return { state: whenNotInstalled, detail: notInstalled(missing) };
  const faults = details.filter((d) => d.nonComplianceReason !== 'PENDING');
  if (faults.length === 0) return 'pending';
  const quoted = faults.slice(0, QUOTED_DETAILS).map((d) => `${d.nonComplianceReason}${d.fieldPath ? ` at ${d.fieldPath}` : ''}${currentValue(d)}`);
  const more = faults.length > QUOTED_DETAILS ? ` and ${faults.length - QUOTED_DETAILS} more` : '';
  return { state: 'failed', detail: `the device refused the policy: ${quoted.join('; ')}${more}` };
}

function currentValue(d: NonComplianceDetail): string {
  if (d.currentValue === undefined) return '';
  const text = JSON.stringify(d.currentValue);
  return ` (value ${text.length > 80 ? `${text.slice(0, 77)}...` : text})`;
}

function accountState(app: ApplicationReport | undefined, key: string): { state: AccountState; outcome: ProfileOutcome; stamp?: string } | undefined {
  const keyed = app?.keyedAppStates?.find((s) => s.key === key);
  const read = keyed ? readAccountState(keyed) : undefined;
  if (!keyed || !read) return undefined;
  const stamp = keyed.lastUpdateTime ?? keyed.createTime;
  const base = { state: read.state, ...(stamp ? { stamp } : {}) };
  if (SUCCESS.has(read.state)) return { ...base, outcome: { state: 'installed', ...(read.state === 'replaced' ? { replacedUserAccount: true } : {}) } };
  if (FAILURE.has(read.state)) return { ...base, outcome: { state: 'failed', detail: `${read.state}${read.message ? `: ${read.message}` : ''}` } };
  return read.state === 'removed' ? { ...base, outcome: { state: 'removed' } } : undefined;
}
