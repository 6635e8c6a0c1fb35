import { profileIdFromIdentifier } from '../../protocol/apple/email-profile.js';
import type { MailAccount } from '../core/mail-account.js';
import type { Failure } from './expectation-check.js';
import type { ExpectedMailAccount } from './scenario-types.js';
import type { ScenarioWorld } from './world.js';

/**
 * `mailAccounts`: the device's whole store, order-free (SCENARIOS.md "Expectations"). An expected
 * account and a stored one with the same address (email + host) that differ in what the file
 * asserts are one failure listing only the differing fields; an address on one side only is
 * missing (expected, not in the store) or extra (in the store, not expected).
 */
export function compareAccounts(world: ScenarioWorld, expected: readonly ExpectedMailAccount[], actual: readonly MailAccount[]): Failure[] {
  const left = [...actual];
  const unmatched: ExpectedMailAccount[] = [];
  // Exact matches first, so a near miss never takes the account another expectation fits exactly.
  for (const want of expected) {
    const i = left.findIndex((a) => differences(world, want, a).length === 0);
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
    const best = candidates.reduce((a, b) => (differences(world, want, b).length < differences(world, want, a).length ? b : a));
    left.splice(left.indexOf(best), 1);
    const diff = differences(world, want, best);
    failures.push({ what, expected: Object.fromEntries(diff.map((f) => [f.field, f.expected])), found: Object.fromEntries(diff.map((f) => [f.field, f.found])) });
  }
  for (const extra of left) failures.push({ what: `mailAccounts ${extra.email} on ${extra.host}`, expected: 'not in the store', found: describeAccount(world, extra) });
  return failures;
}

interface FieldDifference {
  field: string;
  expected: unknown;
  found: unknown;
}

/** The fields the file asserts on `want` that `a` does not have; empty when `a` fits. */
function differences(world: ScenarioWorld, want: ExpectedMailAccount, a: MailAccount): FieldDifference[] {
  if (!sameAddress(want, a)) return [{ field: 'address', expected: `${want.email} on ${want.host}`, found: `${a.email} on ${a.host}` }];
  const out: FieldDifference[] = [];
  if (want.managed !== undefined && a.managed !== want.managed) out.push({ field: 'managed', expected: want.managed, found: a.managed });
  if (want.replacedUserAccount !== undefined && (a.replacedUserAccount ?? false) !== want.replacedUserAccount) {
    out.push({ field: 'replacedUserAccount', expected: want.replacedUserAccount, found: a.replacedUserAccount ?? false });
  }
  if (want.profile !== undefined) {
    const found = want.profile === 'personal' || want.profile === 'work' ? (a.androidProfile ?? 'personal') : (profileRefOf(world, a) ?? null);
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
export function profileRefOf(world: ScenarioWorld, a: MailAccount): string | undefined {
  if (!a.managedBy) return undefined;
  const profileId = profileIdFromIdentifier(a.managedBy) ?? a.managedBy;
  return world.profileRef(profileId) ?? profileId;
}

function describeAccount(world: ScenarioWorld, a: MailAccount): Record<string, unknown> {
  const profile = profileRefOf(world, a);
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
