import { accountKeyedAppState, type AccountState } from '../../protocol/android/app-states.js';
import type { ApplicationReport } from '../../protocol/android/amapi/device-parts.js';
import type { HeldAppState } from './android-state.js';

/** What an app (or the DPC) says about one managed account after a sync. */
export interface AccountStateNow {
  packageName: string;
  /** Knox accounts: the server's account id (exchangeAccount:{id}); an app's one account: absent. */
  accountId?: string;
  state: AccountState;
  message?: string;
  /** Something happened to the account in this sync (created, replaced, re-created): a new event even when the state word is the same. */
  happened: boolean;
}

/**
 * Keyed app states as the device keeps and reports them (AMAPI KeyedAppState: "the app's state
 * … at most one per key"; developer.android.com "Send app feedback to EMMs"). A state that did not
 * change keeps its time stamps, so a report repeated after a quiet sync says nothing new; an event
 * (an account replaced again) gets a new `lastUpdateTime`, strictly later than any before on this
 * device, so the server counts each replacement once (server/android/knox-flips.ts keys on it).
 */
export function nextAppStates(held: readonly HeldAppState[], now: readonly AccountStateNow[], clock: () => string): HeldAppState[] {
  const previous = new Map(held.map((s) => [`${s.packageName}|${s.key}`, s]));
  return now.map((n) => {
    const report = accountKeyedAppState({ state: n.state, ...(n.accountId !== undefined ? { accountId: n.accountId } : {}), ...(n.message !== undefined ? { message: n.message } : {}) }, '');
    const before = previous.get(`${n.packageName}|${report.key}`);
    const same = before !== undefined && before.state === n.state && before.message === report.message && !n.happened;
    if (same) return before;
    const at = clock();
    return {
      packageName: n.packageName,
      key: report.key,
      state: n.state,
      ...(report.message !== undefined ? { message: report.message } : {}),
      createTime: before?.createTime ?? at,
      lastUpdateTime: at,
    };
  });
}

/** applicationReports for the report: the installed packages, each with its keyed app states. */
export function applicationReports(installed: readonly string[], states: readonly HeldAppState[]): ApplicationReport[] {
  const packages = [...new Set([...installed, ...states.map((s) => s.packageName)])].sort();
  return packages.map((packageName) => {
    const mine = states.filter((s) => s.packageName === packageName);
    return {
      packageName,
      state: 'INSTALLED',
      ...(mine.length > 0
        ? {
            keyedAppStates: mine.map((s) => ({
              key: s.key,
              severity: accountKeyedAppState({ state: s.state as AccountState }, '').severity,
              ...(s.message !== undefined ? { message: s.message } : {}),
              data: s.state,
              createTime: s.createTime,
              lastUpdateTime: s.lastUpdateTime,
            })),
          }
        : {}),
    };
  });
}

/** RFC 3339 times, each strictly later than the last one handed out (two events in one millisecond stay two). */
export function monotonicClock(now: () => number, last: () => string | undefined): () => string {
  let previous = Date.parse(last() ?? '') || 0;
  return () => {
    const t = Math.max(now(), previous + 1);
    previous = t;
    return new Date(t).toISOString();
  };
}
