import { AdminApiError } from '../admin/admin-client.js';
import { describeError } from './describe-error.js';
import type { ScenarioWorld, WorldDevice } from './world.js';

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
 *    management while offline (so the server still lists it) enrolls once more and leaves again,
 *    the only way the protocol lets the server hear of it;
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
  // The device left management while offline: its CheckOut never reached the server.
  await device.setOnline(true);
  d.online = true;
  const { enrollUrl } = await world.admin.enrollmentToken(world.userId(d.spec.user), { platform: d.spec.platform });
  await device.enroll(enrollUrl);
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
