import { AdminApiError } from '../admin/admin-client.js';
import type { SimulatedDevice } from '../device.js';
import type { Scenario, ScenarioDevice, ScenarioUser } from './scenario-types.js';
import { changeMembership } from './step-actions.js';
import { MAX_ANSWERS_KEPT, type ScenarioWorld, type WorldDevice } from './world.js';

interface UserRecord {
  id: string;
  upn: string;
  primarySmtp: string;
  username: string;
}

/** Makes the simulated devices (local: nothing reaches the server yet). */
export async function createDevices(
  world: ScenarioWorld,
  s: Scenario,
  createDevice: (spec: ScenarioDevice, index: number, seed: number) => Promise<SimulatedDevice>,
  seed: number,
): Promise<void> {
  for (const [i, spec] of s.devices.entries()) {
    const device = await createDevice(spec, i, seed);
    const entry: WorldDevice = { spec, device, online: true, pendingGroups: new Set(), answered: [] };
    device.on('commandHandled', (event) => {
      entry.answered.push(event);
      if (entry.answered.length > MAX_ANSWERS_KEPT) entry.answered.shift();
    });
    world.devices.set(spec.id, entry);
    // androidForWork: apps already in the work profile (other platforms have no `installApp`: no effect, as the format says).
    for (const app of spec.apps) await device.installApp?.(app);
    // Accounts the user made by hand before anything happened.
    for (const m of spec.mailAccounts) await device.addAccount({ email: m.email, host: m.host, ...(m.profile ? { androidProfile: m.profile } : {}) });
  }
}

/**
 * What the file declares before its steps, on the server: users, certificate profiles, groups
 * with their members. Returns notes worth showing (a reused user who already has devices).
 */
export async function setUpServer(world: ScenarioWorld, s: Scenario): Promise<string[]> {
  const { admin } = world;
  const notes: string[] = [];
  for (const u of s.users) notes.push(...(await ensureUser(world, u)));
  for (const c of s.certificateProfiles) {
    const body: Record<string, unknown> = { name: world.label(c.ref), kind: c.kind, platform: c.platform };
    if (c.kind === 'scep') Object.assign(body, { ...(c.subject ? { subject: c.subject } : {}), ...(c.keySize ? { keySize: c.keySize } : {}), ...(c.validityDays ? { validityDays: c.validityDays } : {}) });
    else body.pem = c.pem ?? (await admin.caCertificatePem());
    world.certificates.set(c.ref, (await admin.createCertificateProfile(body)).id);
  }
  for (const g of s.groups) {
    world.groups.set(g.name, (await admin.createGroup(world.label(g.name))).id);
    await changeMembership(world, 'addToGroup', g.name, g.members);
  }
  return notes;
}

/**
 * The directory is shared: a user whose UPN exists is reused, with its address and user name set
 * to the file's (they decide what the profiles generate; the run puts the old values back when it
 * cleans up). Otherwise the run creates the user (and deletes it when it cleans up).
 */
async function ensureUser(world: ScenarioWorld, u: ScenarioUser, retried = false): Promise<string[]> {
  const { admin } = world;
  const key = u.upn.toLowerCase();
  const want = { primarySmtp: u.primarySmtp ?? u.upn, username: u.username ?? u.upn.split('@')[0]! };
  const [existing] = await admin.call<UserRecord[]>('GET', `/users?upn=${encodeURIComponent(u.upn)}`);
  if (!existing) {
    try {
      const created = await admin.createUser(u);
      world.users.set(key, { id: created.id, upn: u.upn, createdByRun: true });
      return [];
    } catch (err) {
      // Someone made the user since we looked (a person, or a run without locks): use theirs.
      if (err instanceof AdminApiError && err.code === 'upnTaken' && !retried) return ensureUser(world, u, true);
      throw err;
    }
  }
  const changed = existing.primarySmtp !== want.primarySmtp || existing.username !== want.username;
  if (changed) await admin.call('PATCH', `/users/${existing.id}`, want);
  world.users.set(key, {
    id: existing.id,
    upn: existing.upn,
    createdByRun: false,
    ...(changed ? { original: { primarySmtp: existing.primarySmtp, username: existing.username } } : {}),
  });
  // A device with one of this run's hardware ids (a seeded file's device left by an earlier run) is
  // not another's: this run's enrollment takes it over.
  const ours = new Set([...world.devices.values()].map((d) => d.device.hardwareId));
  const enrolled = (await admin.devices(`?userId=${encodeURIComponent(existing.id)}&status=enrolled`)).filter((d) => !ours.has(d.hardwareId));
  if (enrolled.length === 0) return [];
  return [
    `${u.upn} already exists on the server with ${enrolled.length} enrolled device(s) not from this run (${enrolled.map((d) => d.id).join(', ')}): ` +
      'groups that list the user target them too, and the overview counts them',
  ];
}
