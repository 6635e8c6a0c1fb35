import { setTimeout as sleep } from 'node:timers/promises';
import { AdminApiError } from '../admin/admin-client.js';
import type { ScenarioStep } from './scenario-types.js';
import { settle } from './settle.js';
import type { ScenarioWorld, WorldDevice } from './world.js';

/** What an action step did, in a few words for the run's log. */
export type ActionOutcome = { summary: string } | { summary: string; failure: string };

/**
 * Runs one step that changes the world (every kind but `expect`). Throws when the step cannot be
 * done. `settle` and `wait` stop waiting when `signal` aborts (rejecting with its reason).
 */
export async function runAction(world: ScenarioWorld, step: Exclude<ScenarioStep, { kind: 'expect' }>, signal?: AbortSignal): Promise<ActionOutcome> {
  // Read when a step needs it: on a server that is not mdmlab's there is none (the device steps run anyway).
  const admin = () => world.admin;
  switch (step.kind) {
    case 'enroll': {
      const d = world.device(step.device);
      const listed = await allowReenrollmentOfKnownDevice(world, d);
      await d.device.enroll(await admin().enrollmentToken(world.userId(d.spec.user), { platform: d.spec.platform }));
      await attachServerId(world, d);
      return { summary: listed ? `${step.device} enrolled (re-enrollment allowed: the server still listed it as enrolled)` : `${step.device} enrolled` };
    }
    case 'unenroll':
      await world.device(step.device).device.unenroll();
      return { summary: `${step.device} unenrolled` };
    case 'createEmailProfile': {
      const p = await admin().createEmailProfile(world.profileBody(step.settings));
      world.profiles.set(step.ref, p.id);
      return { summary: `${step.ref} created (${p.id})` };
    }
    case 'updateEmailProfile': {
      try {
        const p = await admin().updateEmailProfile(world.profileId(step.profile), world.profileBody(step.settings));
        if (step.expectError) return { summary: `${step.profile} edited`, failure: `expected the server to refuse the edit with ${step.expectError}, it accepted it` };
        return { summary: `${step.profile} edited (version ${p.version})` };
      } catch (err) {
        if (err instanceof AdminApiError && step.expectError === err.code) return { summary: `${step.profile} edit refused with ${err.code}, as expected` };
        if (err instanceof AdminApiError && step.expectError) {
          return { summary: `${step.profile} edit refused`, failure: `expected the refusal ${step.expectError}, the server answered ${err.code}: ${err.message}` };
        }
        throw err;
      }
    }
    case 'deleteEmailProfile':
      await admin().deleteEmailProfile(world.profileId(step.profile));
      world.deletedProfiles.add(step.profile);
      return { summary: `${step.profile} deleted` };
    case 'deploy': {
      const ids = step.groups.map((g) => world.groups.get(g)!);
      await admin().deploy(world.profileId(step.profile), ids);
      return { summary: `${step.profile} deployed to ${step.groups.length ? step.groups.join(', ') : 'no group (undeployed)'}` };
    }
    case 'addToGroup':
    case 'removeFromGroup':
      await changeMembership(world, step.kind, step.group, step.members);
      return { summary: `${step.kind === 'addToGroup' ? 'added to' : 'removed from'} ${step.group}: ${step.members.join(', ')}` };
    case 'user':
      return userAction(world, step);
    case 'offline':
    case 'online': {
      const d = world.device(step.device);
      d.online = step.kind === 'online';
      await d.device.setOnline(d.online);
      return { summary: `${step.device} ${step.kind}` };
    }
    case 'settle': {
      const { held } = await settle(world, step.timeoutMs, signal);
      return { summary: held.length ? `settled; held for offline devices: ${held.join('; ')}` : 'settled' };
    }
    case 'wait':
      await sleep(step.ms, undefined, signal ? { signal } : {});
      return { summary: `waited ${step.ms} ms` };
  }
}

async function userAction(world: ScenarioWorld, step: Extract<ScenarioStep, { kind: 'user' }>): Promise<ActionOutcome> {
  const { device } = world.device(step.device);
  const a = step.action;
  if ('addAccount' in a) {
    const r = await device.addAccount({ email: a.addAccount.email, host: a.addAccount.host, ...(a.addAccount.profile ? { androidProfile: a.addAccount.profile } : {}) });
    return { summary: `${step.device}: user adds ${a.addAccount.email} on ${a.addAccount.host} → ${r.kind}` };
  }
  if ('removeAccount' in a) {
    const r = await device.removeAccount(a.removeAccount);
    return { summary: `${step.device}: user removes ${a.removeAccount.email} on ${a.removeAccount.host} → ${r.kind}` };
  }
  if ('installApp' in a) {
    if (!device.installApp) throw new Error(`${step.device} (${device.platform}) has no apps to install`);
    await device.installApp(a.installApp);
    return { summary: `${step.device}: ${a.installApp} installed in the work profile` };
  }
  await device.checkIn();
  return { summary: `${step.device} checked in` };
}

/**
 * A server binds a device to the identity it enrolled with and refuses another one until the device
 * leaves management (enrollmentConflict). The run's device may be known to the server with an older
 * identity: it left management unheard (unenrolled while offline), or a killed run of the same
 * seeded file enrolled its hardware id. The run holds the device's lock and plays the administrator
 * too, so it allows that one re-enrollment, as an administrator would for an erased device. Returns
 * whether the server listed the device as enrolled.
 */
async function allowReenrollmentOfKnownDevice(world: ScenarioWorld, d: WorldDevice): Promise<boolean> {
  const known = await world.admin.devices(`?hardwareId=${encodeURIComponent(d.device.hardwareId)}`);
  for (const device of known) await world.admin.allowReenrollment(device.id);
  return known.some((device) => device.status === 'enrolled');
}

/** The server id of an enrolled device, found by its hardware id among its user's devices. */
async function attachServerId(world: ScenarioWorld, d: WorldDevice): Promise<void> {
  const hardwareId = d.device.hardwareId;
  const list = await world.admin.devices(`?userId=${encodeURIComponent(world.userId(d.spec.user))}`);
  const found = list.find((x) => x.hardwareId === hardwareId);
  if (!found) throw new Error(`the server lists no device ${hardwareId} for ${d.spec.user} after enrollment`);
  d.serverId = found.id;
  if (found.serialNumber !== undefined) d.serialNumber = found.serialNumber;
  for (const group of d.pendingGroups) await world.admin.addMembers(world.groups.get(group)!, { devices: [found.id] });
  d.pendingGroups.clear();
}

/** Members are user UPNs or device ids; a device not enrolled yet joins when it enrolls. */
export async function changeMembership(world: ScenarioWorld, kind: 'addToGroup' | 'removeFromGroup', group: string, members: string[]): Promise<void> {
  const groupId = world.groups.get(group)!;
  for (const m of members) {
    const device = world.devices.get(m);
    if (device) {
      if (!device.serverId) {
        if (kind === 'addToGroup') device.pendingGroups.add(group);
        else device.pendingGroups.delete(group);
        continue;
      }
      if (kind === 'addToGroup') await world.admin.addMembers(groupId, { devices: [device.serverId] });
      else await world.admin.removeMember(groupId, 'devices', device.serverId);
    } else {
      const userId = world.userId(m);
      if (kind === 'addToGroup') await world.admin.addMembers(groupId, { users: [userId] });
      else await world.admin.removeMember(groupId, 'users', userId);
    }
  }
}
