import { AdminApiError, type AdminClient } from '../admin/admin-client.js';
import type { DevicePlatform } from '../../protocol/admin/platforms.js';
import type { DevicePlan } from './fleet-plan.js';
import { platformsReached, profileFor, type FleetProfile } from './fleet-profiles.js';

/**
 * What a fleet needs on an mdmlab server before its devices enroll, made through the admin API:
 * one group per device platform of the run, the email profiles deployed to the groups of the
 * platforms they reach, and one user per device in its platform's group.
 *
 * Shards of one fleet run this each against the same server: groups and profiles are named after
 * the run (`fleet-3f9a1c ios`) and created by whichever shard comes first, found by name by the
 * others; each shard creates the users of its own devices. A user that exists (a seeded fleet run
 * again) is reused.
 */

export interface SetupResult {
  /** The server's user id of each planned device's user, by plan index. */
  userIds: Map<number, string>;
  groups: Map<DevicePlatform, string>;
  profiles: { id: string; label: string; platform: string }[];
  /** The profile whose account each device platform gets (fleet-profiles.ts profileFor). */
  profileByPlatform: Map<DevicePlatform, string>;
}

export interface SetupOptions {
  runId: string;
  /** Every platform of the whole fleet (not only this shard's): the groups all shards share. */
  platforms: readonly DevicePlatform[];
  /** This shard's devices. */
  devices: readonly DevicePlan[];
  profiles: readonly FleetProfile[];
  /** Requests in flight at once while creating users. */
  concurrency?: number;
  onProgress?: (what: string) => void;
  /** Stops between requests (the run was interrupted while setting up). */
  signal?: AbortSignal;
}

export async function setUpFleet(admin: AdminClient, o: SetupOptions): Promise<SetupResult> {
  const groups = new Map<DevicePlatform, string>();
  for (const platform of o.platforms) {
    o.signal?.throwIfAborted();
    groups.set(platform, await createOrFind(admin, 'groups', `fleet-${o.runId} ${platform}`, (name) => admin.createGroup(name)));
  }
  const profiles: SetupResult['profiles'] = [];
  for (const p of o.profiles) {
    o.signal?.throwIfAborted();
    const name = `fleet-${o.runId} ${p.label}`;
    const id = await createOrFind(admin, 'email-profiles', name, (n) => admin.createEmailProfile({ ...p.settings, name: n }));
    const targets = platformsReached(p, o.platforms).map((platform) => groups.get(platform)!);
    await admin.deploy(id, targets);
    profiles.push({ id, label: p.label, platform: p.settings.platform });
  }

  const userIds = new Map<number, string>();
  let next = 0;
  let done = 0;
  const createUsers = async () => {
    while (next < o.devices.length) {
      o.signal?.throwIfAborted();
      const d = o.devices[next++]!;
      userIds.set(d.index, await createOrFindUser(admin, d.upn));
      if (++done % 500 === 0) o.onProgress?.(`users ${done}/${o.devices.length}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency ?? 16, o.devices.length)) }, createUsers));

  for (const platform of o.platforms) {
    const members = o.devices.filter((d) => d.platform === platform).map((d) => userIds.get(d.index)!);
    for (let i = 0; i < members.length; i += 5000) {
      o.signal?.throwIfAborted();
      await admin.addMembers(groups.get(platform)!, { users: members.slice(i, i + 5000) });
    }
  }
  const profileByPlatform = new Map<DevicePlatform, string>();
  for (const platform of o.platforms) {
    const p = profileFor(platform, o.profiles);
    if (p) profileByPlatform.set(platform, profiles[o.profiles.indexOf(p)]!.id);
  }
  return { userIds, groups, profiles, profileByPlatform };
}

/** Creates a named group or profile, or finds the one another shard (or an earlier run) made. */
async function createOrFind(admin: AdminClient, collection: 'groups' | 'email-profiles', name: string, create: (name: string) => Promise<{ id: string }>): Promise<string> {
  try {
    return (await create(name)).id;
  } catch (err) {
    if (!(err instanceof AdminApiError && err.code === 'nameTaken')) throw err;
    // Groups carry `name`; email profiles carry it in their `definition`.
    const list = await admin.call<{ id: string; name?: string; definition?: { name?: string } }[]>('GET', `/${collection}`);
    const found = list.find((x) => (x.name ?? x.definition?.name) === name);
    if (!found) throw err;
    return found.id;
  }
}

async function createOrFindUser(admin: AdminClient, upn: string): Promise<string> {
  try {
    return (await admin.createUser({ upn })).id;
  } catch (err) {
    if (!(err instanceof AdminApiError && err.code === 'upnTaken')) throw err;
    const [found] = await admin.call<{ id: string }[]>('GET', `/users?upn=${encodeURIComponent(upn)}`);
    if (!found) throw err;
    return found.id;
  }
}
