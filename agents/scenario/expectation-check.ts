import { profileIdFromIdentifier } from '../../protocol/apple/email-profile.js';
import type { DeviceDetail } from '../admin/admin-client.js';
import type { MailAccount } from '../core/mail-account.js';
import type { ExpectedMailAccount, Expectation } from './scenario-types.js';
import type { ScenarioWorld } from './world.js';

/** One thing that did not hold: where in the expectation, what was wanted, what was found. */
export interface Failure {
  what: string;
  expected: unknown;
  found: unknown;
}

/**
 * Checks an `expect` step against the server's API and the device's own store. Where both know
 * something (is this profile on the device?), they must agree: a disagreement is a failure of
 * its own, whatever the expectation said (SCENARIOS.md "Expectations").
 */
export async function checkExpectation(world: ScenarioWorld, e: Expectation): Promise<Failure[]> {
  const failures: Failure[] = [];
  if (e.device) failures.push(...(await checkDevice(world, e)));
  else if (e.alerts) {
    const kinds = (await world.admin.alerts()).map((a) => a.kind);
    if (!sameSet(kinds, e.alerts)) failures.push({ what: 'alerts (server-wide)', expected: [...e.alerts].sort(), found: [...kinds].sort() });
  }
  if (e.profileStatus) {
    const status = await world.admin.status();
    for (const [ref, counts] of Object.entries(e.profileStatus)) {
      const row = status.profiles.find((p) => p.profileId === world.profiles.get(ref));
      for (const [state, n] of Object.entries(counts)) {
        const found = row?.counts[state] ?? 0;
        if (found !== n) failures.push({ what: `profileStatus.${ref}.${state}`, expected: n, found });
      }
    }
  }
  return failures;
}

async function checkDevice(world: ScenarioWorld, e: Expectation): Promise<Failure[]> {
  const failures: Failure[] = [];
  const d = world.device(e.device!);
  const server: DeviceDetail | undefined = d.serverId ? await world.admin.device(d.serverId) : undefined;
  const onDevice = new Set(((await d.device.profileIdentifiers?.()) ?? []).map((i) => profileIdFromIdentifier(i)).filter((x): x is string => !!x));
  const accounts = await d.device.mailAccounts();
  const stateOf = (profileId: string) => server?.profiles.find((p) => p.profileId === profileId)?.state ?? 'none';

  if (e.compliance) {
    const found = server?.compliance ?? 'compliant';
    if (found !== e.compliance) failures.push({ what: 'compliance', expected: e.compliance, found });
  }
  if (e.profiles) {
    for (const [ref, expected] of Object.entries(e.profiles)) {
      const profileId = world.profiles.get(ref) ?? '';
      const state = stateOf(profileId);
      if (state !== expected) failures.push({ what: `profiles.${ref}`, expected, found: `server reports ${state}` });
    }
  }
  // Server and device must tell the same story about every profile the scenario made.
  for (const [ref, profileId] of world.profiles) {
    const state = stateOf(profileId);
    const present = onDevice.has(profileId);
    if (state === 'installed' && !present && d.device.profileIdentifiers) {
      failures.push({ what: `profiles.${ref} (server vs device)`, expected: 'installed on the device, as the server reports', found: 'not installed on the device' });
    }
    if (present && !['installed', 'pending'].includes(state)) {
      failures.push({ what: `profiles.${ref} (server vs device)`, expected: `not on the device, as the server reports ${state}`, found: 'installed on the device' });
    }
  }
  for (const a of accounts) {
    const profileId = a.managed && a.managedBy ? (profileIdFromIdentifier(a.managedBy) ?? a.managedBy) : undefined;
    if (profileId && world.profileRef(profileId) && !['installed', 'pending'].includes(stateOf(profileId))) {
      failures.push({
        what: `mailAccounts ${a.email} on ${a.host} (server vs device)`,
        expected: `no managed account, as the server reports ${world.profileRef(profileId)} ${stateOf(profileId)}`,
        found: 'a managed account on the device',
      });
    }
  }
  if (e.mailAccounts) failures.push(...compareAccounts(world, e.mailAccounts, accounts));
  if (e.alerts) {
    const kinds = (server?.alerts ?? []).map((a) => a.kind);
    if (!sameSet(kinds, e.alerts)) failures.push({ what: 'alerts', expected: [...e.alerts].sort(), found: [...kinds].sort() });
  }
  return failures;
}

function compareAccounts(world: ScenarioWorld, expected: ExpectedMailAccount[], actual: MailAccount[]): Failure[] {
  const failures: Failure[] = [];
  const left = [...actual];
  for (const want of expected) {
    const i = left.findIndex((a) => accountMatches(world, want, a));
    if (i >= 0) {
      left.splice(i, 1);
      continue;
    }
    const sameAddress = left.filter((a) => a.email.toLowerCase() === want.email.toLowerCase() && a.host.toLowerCase() === want.host.toLowerCase());
    failures.push({ what: `mailAccounts ${want.email} on ${want.host}`, expected: want, found: sameAddress.length ? sameAddress.map((a) => describeAccount(world, a)) : 'no such account' });
  }
  for (const extra of left) failures.push({ what: `mailAccounts ${extra.email} on ${extra.host}`, expected: 'not in the store', found: describeAccount(world, extra) });
  return failures;
}

function accountMatches(world: ScenarioWorld, want: ExpectedMailAccount, a: MailAccount): boolean {
  if (a.email.toLowerCase() !== want.email.toLowerCase() || a.host.toLowerCase() !== want.host.toLowerCase()) return false;
  if (want.managed !== undefined && a.managed !== want.managed) return false;
  if (want.replacedUserAccount !== undefined && (a.replacedUserAccount ?? false) !== want.replacedUserAccount) return false;
  if (want.profile !== undefined) {
    if (want.profile === 'personal' || want.profile === 'work') {
      if ((a.androidProfile ?? 'personal') !== want.profile) return false;
    } else if (!a.managedBy || world.profileRef(profileIdFromIdentifier(a.managedBy) ?? a.managedBy) !== want.profile) {
      return false;
    }
  }
  for (const [key, value] of Object.entries(want.settings ?? {})) {
    if (!sameValue((a.settings as Record<string, unknown>)[key], value)) return false;
  }
  return true;
}

function describeAccount(world: ScenarioWorld, a: MailAccount): Record<string, unknown> {
  const profileId = a.managedBy ? (profileIdFromIdentifier(a.managedBy) ?? a.managedBy) : undefined;
  return {
    email: a.email,
    host: a.host,
    managed: a.managed,
    ...(profileId ? { profile: world.profileRef(profileId) ?? profileId } : {}),
    ...(a.androidProfile ? { androidProfile: a.androidProfile } : {}),
    ...(a.replacedUserAccount ? { replacedUserAccount: true } : {}),
    settings: a.settings,
  };
}

function sameValue(found: unknown, want: unknown): boolean {
  if (Array.isArray(want)) return Array.isArray(found) && sameSet(found.map(String), want.map(String));
  return found === want;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
}
