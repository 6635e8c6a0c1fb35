import type { MailAccount } from '../core/mail-account.js';
import type { ExpectedMailAccount } from './scenario-types.js';
import type { ScenarioWorld } from './world.js';

/** One thing that did not hold: where in the expectation, what was wanted, what was found. */
export interface Failure {
  what: string;
  expected: unknown;
  found: unknown;
}

/** How the device names the profile of a managed account (SimulatedDevice.profileIdOf). */
export type ProfileIdOf = (a: MailAccount) => string | undefined;

/**
 * `mailAccounts`: the device's whole store, order-free (docs/scenarios.md "Expectations"). An expected
 * account and a stored one with the same address (email + host) that differ in what the file
 * asserts are one failure listing only the differing fields; an address on one side only is
 * missing (expected, not in the store) or extra (in the store, not expected).
 */
export function compareAccounts(world: ScenarioWorld, expected: readonly ExpectedMailAccount[], actual: readonly MailAccount[], profileIdOf: ProfileIdOf): Failure[] {
  const differences = (want: ExpectedMailAccount, a: MailAccount) => accountDifferences(world, want, a, profileIdOf);
  const left = [...actual];
  const unmatched: ExpectedMailAccount[] = [];
  // Exact matches first, so a near miss never takes the account another expectation fits exactly.
  for (const want of expected) {
    const i = left.findIndex((a) => differences(want, a).length === 0);
    if (i >= 0) left.splice(i, 1);
    else unmatched.push(want);
  }
  const failures: Failure[] = [];
  for (const want of unmatched) {
    const what = `mailAccounts ${want.email} on ${want.host}`;
    const candidates = left.filter((a) => sameAddress(want, a));
    if (candidates.length === 0) {
      failures.push({ what, expected: want, found: 'no such account' });
      continue;
    }
    const best = candidates.reduce((a, b) => (differences(want, b).length < differences(want, a).length ? b : a));
    left.splice(left.indexOf(best), 1);
    const diff = differences(want, best);
    failures.push({ what, expected: Object.fromEntries(diff.map((f) => [f.field, f.expected])), found: Object.fromEntries(diff.map((f) => [f.field, f.found])) });
  }
  for (const extra of left) failures.push({ what: `mailAccounts ${extra.email} on ${extra.host}`, expected: 'not in the store', found: describeAccount(world, extra, profileIdOf) });
  return failures;
}

interface FieldDifference {
  field: string;
  expected: unknown;
  found: unknown;
}

/** The fields the file asserts on `want` that `a` does not have; empty when `a` fits. */
function accountDifferences(world: ScenarioWorld, want: ExpectedMailAccount, a: MailAccount, profileIdOf: ProfileIdOf): FieldDifference[] {
  if (!sameAddress(want, a)) return [{ field: 'address', expected: `${want.email} on ${want.host}`, found: `${a.email} on ${a.host}` }];
  const out: FieldDifference[] = [];
  if (want.managed !== undefined && a.managed !== want.managed) out.push({ field: 'managed', expected: want.managed, found: a.managed });
  if (want.replacedUserAccount !== undefined && (a.replacedUserAccount ?? false) !== want.replacedUserAccount) {
    out.push({ field: 'replacedUserAccount', expected: want.replacedUserAccount, found: a.replacedUserAccount ?? false });
  }
  if (want.profile !== undefined) {
    const found = want.profile === 'personal' || want.profile === 'work' ? (a.androidProfile ?? 'personal') : (profileRefOf(world, a, profileIdOf) ?? null);
    if (found !== want.profile) out.push({ field: 'profile', expected: want.profile, found });
  }
  for (const [key, value] of Object.entries(want.settings ?? {})) {
    const found = (a.settings as Record<string, unknown>)[key];
    if (!sameValue(found, value)) out.push({ field: `settings.${key}`, expected: value, found: found ?? null });
  }
  return out;
}

function sameAddress(want: { email: string; host: string }, a: MailAccount): boolean {
  return a.email.toLowerCase() === want.email.toLowerCase() && a.host.toLowerCase() === want.host.toLowerCase();
}

/** The file's ref of the profile that manages `a` (its server id when the file never made it). */
export function profileRefOf(world: ScenarioWorld, a: MailAccount, profileIdOf: ProfileIdOf): string | undefined {
  const profileId = profileIdOf(a);
  if (!profileId) return undefined;
  return world.profileRef(profileId) ?? profileId;
}

function describeAccount(world: ScenarioWorld, a: MailAccount, profileIdOf: ProfileIdOf): Record<string, unknown> {
  const profile = profileRefOf(world, a, profileIdOf);
  return {
    email: a.email,
    host: a.host,
    managed: a.managed,
    ...(profile ? { profile } : {}),
    ...(a.androidProfile ? { androidProfile: a.androidProfile } : {}),
    ...(a.replacedUserAccount ? { replacedUserAccount: true } : {}),
    settings: a.settings,
  };
}

/** Lists in settings (contentTypes, …) are sets; other values compare as they are. */
function sameValue(found: unknown, want: unknown): boolean {
  if (!Array.isArray(want)) return found === want;
  if (!Array.isArray(found) || found.length !== want.length) return false;
  const a = found.map(String).sort();
  const b = want.map(String).sort();
  return a.every((x, i) => x === b[i]);
}
