import type { DeviceDetail } from '../admin/admin-client.js';
import type { MailAccount } from '../core/mail-account.js';
import { compareAccounts, type Failure } from './account-check.js';

export type { Failure } from './account-check.js';
import type { ExpectedCommand, Expectation } from './scenario-types.js';
import type { ScenarioWorld, WorldDevice } from './world.js';


/**
 * Checks an `expect` step against the server's API and the device's own store. Where both know
 * something (is this profile on the device?), they must agree: a disagreement is a failure of
 * its own, whatever the expectation said (docs/scenarios.md "Expectations").
 *
 * Server-wide expectations look at this run only: `alerts` at the alerts of this run's devices
 * (and profiles), `profileStatus` at the overview's counts for this run's profiles. On a shared
 * server other runs' devices are not this story's (see run-locks.ts for users runs share).
 */
export async function checkExpectation(world: ScenarioWorld, e: Expectation): Promise<Failure[]> {
  if (world.foreign) return (await checkOnDeviceOnly(world, e)).failures;
  const failures: Failure[] = [];
  if (e.device) failures.push(...(await checkDevice(world, e)));
  else if (e.alerts) {
    const devices = world.serverDeviceIds();
    const profiles = new Set(world.profiles.values());
    const ours = (await world.admin.alerts()).filter((a) => (a.deviceId ? devices.has(a.deviceId) : a.profileId !== undefined && profiles.has(a.profileId)));
    failures.push(...compareAlerts('alerts (server-wide)', e.alerts, ours));
  }
  if (e.profileStatus) {
    const status = await world.admin.status();
    const held = await profilesHeldByDevices(world);
    for (const [ref, counts] of Object.entries(e.profileStatus)) {
      const profileId = world.profiles.get(ref);
      const row = status.profiles.find((p) => p.profileId === profileId);
      for (const [state, n] of Object.entries(counts)) {
        const found = row?.counts[state] ?? 0;
        if (found !== n) failures.push({ what: `profileStatus.${ref}.${state}`, expected: n, found });
      }
      // The devices' side of the same count: as many devices hold the profile as the server counts
      // installed, plus at most those with a change on its way or refused (pending covers a
      // re-delivery; a blocked or failed re-delivery leaves the earlier copy).
      const installed = row?.counts.installed ?? 0;
      const pending = (row?.counts.pending ?? 0) + (row?.counts.blocked ?? 0) + (row?.counts.failed ?? 0);
      const onDevices = held === undefined || profileId === undefined ? undefined : (held.get(profileId) ?? 0);
      if (onDevices !== undefined && (onDevices < installed || onDevices > installed + pending)) {
        failures.push({
          what: `profileStatus.${ref} (server vs devices)`,
          expected: `${installed} device(s) holding it${pending ? ` (up to ${installed + pending} with pending, blocked or failed ones)` : ''}, as the server counts`,
          found: `${onDevices} of this run's devices hold it`,
        });
      }
    }
  }
  return failures;
}

/**
 * How many of this run's devices hold each profile, from their own stores; undefined when a
 * device cannot list its profiles (then the count cannot be cross-checked).
 */
async function profilesHeldByDevices(world: ScenarioWorld): Promise<Map<string, number> | undefined> {
  const held = new Map<string, number>();
  for (const d of world.devices.values()) {
    if (!d.device.managedProfileIds) return undefined;
    if (d.device.learnFromServer && d.serverId) d.device.learnFromServer(await reportOf(world, d.serverId));
    for (const id of await d.device.managedProfileIds()) held.set(id, (held.get(id) ?? 0) + 1);
  }
  return held;
}

async function reportOf(world: ScenarioWorld, serverId: string): Promise<Record<string, unknown>> {
  return (await world.admin.device(serverId)) as unknown as Record<string, unknown>;
}

async function checkDevice(world: ScenarioWorld, e: Expectation): Promise<Failure[]> {
  const failures: Failure[] = [];
  const d = world.device(e.device!);
  const server: DeviceDetail | undefined = d.serverId ? await world.admin.device(d.serverId) : undefined;
  if (server) d.device.learnFromServer?.(server as unknown as Record<string, unknown>);
  const accounts = await d.device.mailAccounts();
  const stateOf = (profileId: string) => server?.profiles.find((p) => p.profileId === profileId)?.state ?? 'none';

  if (e.compliance) {
    const found = server?.compliance ?? 'compliant';
    if (found !== e.compliance) failures.push({ what: 'compliance', expected: e.compliance, found });
  }
  if (e.profiles) {
    for (const [ref, expected] of Object.entries(e.profiles)) {
      const state = stateOf(world.profiles.get(ref) ?? '');
      if (state !== expected) failures.push({ what: `profiles.${ref}`, expected, found: `server reports ${state}` });
    }
  }
  failures.push(...(await disagreements(world, d, server, accounts)));
  if (e.mailAccounts) failures.push(...compareAccounts(world, e.mailAccounts, accounts, (a) => d.device.profileIdOf(a)));
  if (e.alerts) failures.push(...compareAlerts('alerts', e.alerts, server?.alerts ?? []));
  if (e.commands) failures.push(...compareCommands(world, d, e.commands));
  return failures;
}

/** What an expectation asks of the server's API: on a server that is not mdmlab's, these are skipped. */
export const SERVER_EXPECTATIONS = ['compliance', 'profiles', 'alerts', 'profileStatus'] as const;

/**
 * On a server that is not mdmlab's (`--foreign`) only the device's own store can be looked at:
 * `mailAccounts` and `commands` are checked; what needs the server's API is returned as skipped,
 * never counted as held (and no server-vs-device comparison is made).
 */
export async function checkOnDeviceOnly(world: ScenarioWorld, e: Expectation): Promise<{ failures: Failure[]; skipped: string[] }> {
  const skipped = SERVER_EXPECTATIONS.filter((k) => e[k] !== undefined);
  const failures: Failure[] = [];
  if (e.device) {
    const d = world.device(e.device);
    if (e.mailAccounts) failures.push(...compareAccounts(world, e.mailAccounts, await d.device.mailAccounts(), (a) => d.device.profileIdOf(a)));
    if (e.commands) failures.push(...compareCommands(world, d, e.commands));
  }
  return { failures, skipped };
}

/**
 * `commands`: each listed command was answered by the device at some point of the run, as the
 * entry says (status, outcome, profile when given). The device's own record, whatever the server.
 */
function compareCommands(world: ScenarioWorld, d: WorldDevice, expected: readonly ExpectedCommand[]): Failure[] {
  const failures: Failure[] = [];
  for (const want of expected) {
    const profileId = want.profile === undefined ? undefined : (world.profiles.get(want.profile) ?? want.profile);
    const fits = d.answered.some(
      (a) =>
        a.requestType === want.requestType &&
        (want.status === undefined || a.status === want.status) &&
        (want.outcome === undefined || a.outcome === want.outcome) &&
        (profileId === undefined || a.profileId === profileId),
    );
    if (fits) continue;
    const same = d.answered.filter((a) => a.requestType === want.requestType);
    const describe = (a: (typeof same)[number]) => {
      const ref = a.profileId ? (world.profileRef(a.profileId) ?? a.profileId) : undefined;
      return `${a.requestType} ${a.status}${ref ? ` (${ref})` : ''}`;
    };
    failures.push({
      what: `commands ${want.requestType}`,
      expected: want,
      found: same.length ? same.slice(-5).map(describe) : `no ${want.requestType} answered (answered: ${[...new Set(d.answered.map((a) => a.requestType))].join(', ') || 'nothing'})`,
    });
  }
  return failures;
}

/**
 * Server and device must tell the same story about every profile the scenario made: what the
 * server reports installed is on the device, and the device holds no profile or managed account
 * the server reports as anything but installed or pending (pending covers a change on its way).
 * The usual cause of a real disagreement is a device that left management while offline: it
 * removed its profiles, but CheckOut is sent once and never retried, so the server still lists it
 * as enrolled with its profiles installed. The failure says so when it is the case.
 */
async function disagreements(
  world: ScenarioWorld,
  d: WorldDevice,
  server: DeviceDetail | undefined,
  accounts: readonly MailAccount[],
): Promise<Failure[]> {
  const failures: Failure[] = [];
  const stateOf = (profileId: string) => server?.profiles.find((p) => p.profileId === profileId)?.state ?? 'none';
  // What the server says the device may hold: the profile installed or on its way, or an earlier
  // copy a refused re-delivery (blocked, failed) left in place.
  const mayHold = (profileId: string) => {
    const s = server?.profiles.find((p) => p.profileId === profileId);
    return s !== undefined && (s.state === 'installed' || s.state === 'pending' || s.installedVersion !== undefined);
  };
  const onDevice = new Set((await d.device.managedProfileIds?.()) ?? []);
  const why =
    server?.status === 'enrolled' && !d.device.isEnrolled()
      ? ` (the device left management, the server still lists it as enrolled: ${d.online ? 'its CheckOut did not arrive' : 'it was offline, and CheckOut is never sent again'})`
      : '';
  for (const [ref, profileId] of world.profiles) {
    const state = stateOf(profileId);
    const present = onDevice.has(profileId);
    if (state === 'installed' && !present && d.device.managedProfileIds) {
      failures.push({ what: `profiles.${ref} (server vs device)`, expected: 'installed on the device, as the server reports', found: `not installed on the device${why}` });
    }
    if (present && !mayHold(profileId)) {
      failures.push({ what: `profiles.${ref} (server vs device)`, expected: `not on the device, as the server reports ${state}`, found: 'installed on the device' });
    }
  }
  for (const a of accounts) {
    const profileId = d.device.profileIdOf(a);
    if (profileId && world.profileRef(profileId) && !mayHold(profileId)) {
      failures.push({
        what: `mailAccounts ${a.email} on ${a.host} (server vs device)`,
        expected: `no managed account, as the server reports ${world.profileRef(profileId)} ${stateOf(profileId)}`,
        found: 'a managed account on the device',
      });
    }
  }
  return failures;
}

/**
 * `alerts` lists the alert kinds the server shows (docs/scenarios.md "Expectations"): a set, so one
 * device with two blocked profiles (two duplicateAccount alerts) meets `alerts: [duplicateAccount]`.
 */
function compareAlerts(what: string, expected: readonly string[], alerts: readonly { kind: string }[]): Failure[] {
  const want = distinctSorted(expected);
  const found = distinctSorted(alerts.map((a) => a.kind));
  const same = want.length === found.length && want.every((k, i) => k === found[i]);
  return same ? [] : [{ what, expected: want, found }];
}

function distinctSorted(kinds: readonly string[]): string[] {
  return [...new Set(kinds)].sort();
}
