import { AdminApiError, type AdminClient } from '../admin/admin-client.js';
import { describeError } from './describe-error.js';
import { isLockName, lockHolderTag } from './run-locks.js';
import { runSuffix, type ScenarioWorld, type WorldDevice } from './world.js';

/** What cleaning up after a run on a shared server did, and what it could not do. */
export interface CleanupReport {
  actions: string[];
  errors: string[];
}

const IDLE_TIMEOUT_MS = 10_000;

/**
 * After a run against a shared server (pass or fail), leaves it as the run found it:
 * 1. every device the server still counts as enrolled leaves management over its own protocol
 *    (iOS: the user removes the MDM profile, the device sends CheckOut) — an offline device is
 *    brought online first, since an offline device never sends CheckOut. A device that left
 *    management while offline (so the server still lists it) enrolls once more (its re-enrollment
 *    allowed, as an administrator would) and leaves again, the only way the protocol lets the
 *    server hear of it;
 * 2. the run's email profiles, groups and certificate profiles are deleted (in that order: email
 *    profiles name certificate profiles);
 * 3. users the run created are deleted; reused users get their address and user name back.
 * Devices must go first: a user with enrolled devices cannot be deleted, and a device left
 * enrolled would be targeted by every later run's groups that list its user.
 * Each failure is recorded and the rest goes on.
 */
export async function cleanUp(world: ScenarioWorld): Promise<CleanupReport> {
  const report: CleanupReport = { actions: [], errors: [] };
  const attempt = async (what: string, work: () => Promise<string | undefined>) => {
    try {
      const done = await work();
      if (done) report.actions.push(done);
    } catch (err) {
      report.errors.push(`${what}: ${describeError(err)}`);
    }
  };
  const { admin } = world;

  for (const [id, d] of world.devices) await attempt(`unenroll ${id}`, () => leaveManagement(world, id, d));
  for (const [ref, profileId] of world.profiles) {
    if (world.deletedProfiles.has(ref)) continue;
    await attempt(`delete email profile ${ref} (${profileId})`, () => gone(admin.deleteEmailProfile(profileId), `email profile ${ref} deleted`));
  }
  for (const [name, groupId] of world.groups) {
    await attempt(`delete group ${name} (${groupId})`, () => gone(admin.call('DELETE', `/groups/${groupId}`), `group ${name} deleted`));
  }
  for (const [ref, certId] of world.certificates) {
    await attempt(`delete certificate profile ${ref} (${certId})`, () => gone(admin.call('DELETE', `/certificate-profiles/${certId}`), `certificate profile ${ref} deleted`));
  }
  for (const user of world.users.values()) {
    if (user.createdByRun) {
      await attempt(`delete user ${user.upn} (${user.id})`, () => gone(admin.call('DELETE', `/users/${user.id}`), `user ${user.upn} deleted`));
    } else if (user.original) {
      const original = user.original;
      await attempt(`restore user ${user.upn} (${user.id})`, async () => {
        await admin.call('PATCH', `/users/${user.id}`, original);
        return `user ${user.upn} has its address and user name back`;
      });
    }
  }
  return report;
}

/**
 * What a run that was killed (its locks went stale, run-locks.ts) left on a shared server, found by
 * its tag: its email profiles, groups (its remaining locks too) and certificate profiles are
 * deleted, in cleanUp's order. Why: its groups list the users this run is about to use, so its
 * profiles would reach this run's devices (an iOS device then blocks this run's profile as a
 * duplicate account) and every later run of the file would fail. Its devices cannot be retired
 * from here (only a device leaves management), nor its users told from people's: they stay.
 * Returns the note for the setup step; never throws (a failure is in the note).
 */
export async function reapAbandonedRun(admin: AdminClient, tag: string): Promise<string> {
  const suffix = runSuffix(tag);
  const deleted: string[] = [];
  const errors: string[] = [];
  const remove = async (what: string, path: string) => {
    try {
      if (await gone(admin.call('DELETE', path), what)) deleted.push(what);
    } catch (err) {
      errors.push(`${what}: ${describeError(err)}`);
    }
  };
  try {
    const profiles = await admin.call<{ id: string; definition: { name: string } }[]>('GET', '/email-profiles');
    for (const p of profiles) if (p.definition.name.endsWith(suffix)) await remove(`email profile "${p.definition.name}"`, `/email-profiles/${p.id}`);
    const groups = await admin.call<{ id: string; name: string; description?: string }[]>('GET', '/groups');
    for (const g of groups) {
      if (g.name.endsWith(suffix)) await remove(`group "${g.name}"`, `/groups/${g.id}`);
      else if (isLockName(g.name) && lockHolderTag(g.description) === tag) await remove(`lock "${g.name}"`, `/groups/${g.id}`);
    }
    const certificates = await admin.call<{ id: string; name: string }[]>('GET', '/certificate-profiles');
    for (const c of certificates) if (c.name.endsWith(suffix)) await remove(`certificate profile "${c.name}"`, `/certificate-profiles/${c.id}`);
  } catch (err) {
    errors.push(describeError(err));
  }
  const what = deleted.length ? deleted.join(', ') : errors.length ? 'nothing' : 'nothing (it had created nothing yet)';
  return `run ${tag} was abandoned: deleted ${what}${errors.length ? `; could not delete ${errors.join('; ')}` : ''}`;
}

async function leaveManagement(world: ScenarioWorld, id: string, d: WorldDevice): Promise<string | undefined> {
  const { device } = d;
  const serverSays = async () => (d.serverId ? (await world.admin.device(d.serverId)).status : 'unknown');
  if (device.isEnrolled()) {
    await device.setOnline(true);
    d.online = true;
    await device.whenIdle(IDLE_TIMEOUT_MS).catch(() => undefined);
    await device.unenroll();
    if ((await serverSays()) === 'enrolled') throw new Error(`${id} left management but the server still lists it as enrolled (its CheckOut did not arrive)`);
    return `${id} unenrolled`;
  }
  if ((await serverSays()) !== 'enrolled') return undefined;
  // The device left management while offline: its CheckOut never reached the server, which still
  // holds it bound to its old identity, so the run (as administrator) allows the new enrollment.
  await device.setOnline(true);
  d.online = true;
  await world.admin.allowReenrollment(d.serverId!);
  await device.enroll(await world.admin.enrollmentToken(world.userId(d.spec.user), { platform: d.spec.platform }));
  await device.whenIdle(IDLE_TIMEOUT_MS).catch(() => undefined);
  await device.unenroll();
  if ((await serverSays()) === 'enrolled') throw new Error(`${id} is still listed as enrolled after enrolling again and leaving`);
  return `${id} enrolled again and unenrolled (it had left management while offline, so the server still listed it)`;
}

/** A 404 means someone (a step, a person) removed it already: the goal is reached. */
async function gone(work: Promise<unknown>, done: string): Promise<string | undefined> {
  try {
    await work;
    return done;
  } catch (err) {
    if (err instanceof AdminApiError && err.status === 404) return undefined;
    throw err;
  }
}
