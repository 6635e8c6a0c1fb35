import type { OperatorEnrollment } from '../foreign/operator-enrollment.js';
import { operatorTicket } from '../foreign/operator-enrollment.js';
import { runAdminHook } from './admin-hook.js';
import type { Scenario, ScenarioStep } from './scenario-types.js';
import type { ActionOutcome } from './step-actions.js';
import type { ScenarioWorld } from './world.js';

/**
 * A scenario played against a server that is not mdmlab's (`--foreign`): what the file's
 * administrator does (its users, groups and certificate profiles, createEmailProfile, deploy,
 * addToGroup, …) is the operator's to do on that server, since mdmlab cannot. Each such step is
 * printed as `operator: …` and, with an admin hook, handed to it as JSON (admin-hook.ts), the run
 * waiting for it to finish. The devices enroll from the operator's enrollment (or the URL the hook
 * answers an enroll step with).
 */
export interface ForeignRun {
  enrollment: OperatorEnrollment;
  /** The admin hook command; absent: administrator steps are only printed. */
  hook?: string | undefined;
  hookTimeoutMs?: number | undefined;
}

type AdminStep = Extract<ScenarioStep, { kind: 'createEmailProfile' | 'updateEmailProfile' | 'deleteEmailProfile' | 'deploy' | 'addToGroup' | 'removeFromGroup' }>;

export const ADMIN_STEP_KINDS: ReadonlySet<ScenarioStep['kind']> = new Set(['createEmailProfile', 'updateEmailProfile', 'deleteEmailProfile', 'deploy', 'addToGroup', 'removeFromGroup']);

export function isAdminStep(step: ScenarioStep): step is AdminStep {
  return ADMIN_STEP_KINDS.has(step.kind);
}

/** What the hook reads on stdin for an administrator step: the step as the file writes it, plus where it is. */
export function hookMessage(step: AdminStep): Record<string, unknown> {
  const where = { path: step.path, ...(step.line !== undefined ? { line: step.line } : {}) };
  switch (step.kind) {
    case 'createEmailProfile':
      return { step: step.kind, ref: step.ref, settings: step.settings, ...where };
    case 'updateEmailProfile':
      return { step: step.kind, profile: step.profile, settings: step.settings, ...(step.expectError ? { expectError: step.expectError } : {}), ...where };
    case 'deleteEmailProfile':
      return { step: step.kind, profile: step.profile, ...where };
    case 'deploy':
      return { step: step.kind, profile: step.profile, groups: step.groups, ...where };
    case 'addToGroup':
    case 'removeFromGroup':
      return { step: step.kind, group: step.group, members: step.members, ...where };
  }
}

/** `operator: …`, what an administrator would do by hand. */
export function describeAdminStep(step: AdminStep): string {
  switch (step.kind) {
    case 'createEmailProfile': {
      const { platform, host, name, ...rest } = step.settings as Record<string, unknown>;
      const more = Object.entries(rest).map(([k, v]) => `${k} ${JSON.stringify(v)}`);
      return `create the ${String(platform)} email profile ${step.ref} ("${String(name)}", host ${String(host)}${more.length ? `, ${more.join(', ')}` : ''})`;
    }
    case 'updateEmailProfile':
      return `edit email profile ${step.profile}: ${JSON.stringify(step.settings)}${step.expectError ? ` (the server should refuse it: ${step.expectError})` : ''}`;
    case 'deleteEmailProfile':
      return `delete email profile ${step.profile}`;
    case 'deploy':
      return step.groups.length ? `deploy ${step.profile} to exactly ${step.groups.join(', ')}` : `undeploy ${step.profile} (no group)`;
    case 'addToGroup':
      return `add ${step.members.join(', ')} to group ${step.group}`;
    case 'removeFromGroup':
      return `remove ${step.members.join(', ')} from group ${step.group}`;
  }
}

/**
 * Plays an administrator step: the hook does it (and may answer `profileId`, the id the devices
 * will know the profile by: mdmlab's profile id, or the configuration profile's PayloadIdentifier),
 * or the step is left to the operator. A profile without an answered id is known by its ref.
 */
export async function operatorStep(world: ScenarioWorld, step: AdminStep, run: ForeignRun, signal?: AbortSignal): Promise<ActionOutcome> {
  const what = describeAdminStep(step);
  let answer: Record<string, unknown> | undefined;
  let by = 'left to the operator';
  if (run.hook) {
    const done = await runAdminHook(run.hook, hookMessage(step), { timeoutMs: run.hookTimeoutMs, signal });
    answer = done.answer;
    by = `done by the admin hook in ${done.ms} ms`;
  }
  if (step.kind === 'createEmailProfile') {
    const id = typeof answer?.profileId === 'string' && answer.profileId ? answer.profileId : step.ref;
    world.profiles.set(step.ref, id);
  }
  if (step.kind === 'deleteEmailProfile') world.deletedProfiles.add(step.profile);
  return { summary: `operator: ${what} (${by})` };
}

/** The setup the file declares, for the operator: users, groups with members, certificate profiles, and the devices that will enroll. */
export function setupMessage(world: ScenarioWorld, s: Scenario): Record<string, unknown> {
  return {
    step: 'setup',
    scenario: s.name,
    users: s.users,
    groups: s.groups,
    certificateProfiles: s.certificateProfiles,
    devices: [...world.devices.values()].map((d) => ({ id: d.spec.id, platform: d.spec.platform, user: d.spec.user, hardwareId: d.device.hardwareId })),
  };
}

export function describeSetup(s: Scenario): string {
  const parts = [
    s.users.length ? `users ${s.users.map((u) => u.upn).join(', ')}` : '',
    s.groups.length ? `groups ${s.groups.map((g) => `${g.name} (${g.members.join(', ') || 'no members'})`).join('; ')}` : '',
    s.certificateProfiles.length ? `certificate profiles ${s.certificateProfiles.map((c) => `${c.ref} (${c.kind})`).join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? `set up ${parts.join('; ')}` : 'nothing to set up';
}

/** Runs the setup on the operator's side (hook, or printed). Returns the note for the setup step. */
export async function operatorSetup(world: ScenarioWorld, s: Scenario, run: ForeignRun, signal?: AbortSignal): Promise<string> {
  const what = describeSetup(s);
  if (!run.hook) return `operator: ${what} (left to the operator)`;
  const done = await runAdminHook(run.hook, setupMessage(world, s), { timeoutMs: run.hookTimeoutMs, signal });
  return `operator: ${what} (done by the admin hook in ${done.ms} ms)`;
}

/** Enrolls a device from the operator's enrollment; the hook, told first, may answer a URL for this device. */
export async function operatorEnroll(world: ScenarioWorld, deviceId: string, run: ForeignRun, signal?: AbortSignal): Promise<ActionOutcome> {
  const d = world.device(deviceId);
  let perDevice: { enrollUrl?: string } | undefined;
  if (run.hook) {
    const message = { step: 'enroll', device: deviceId, platform: d.spec.platform, user: d.spec.user, hardwareId: d.device.hardwareId };
    const answer = (await runAdminHook(run.hook, message, { timeoutMs: run.hookTimeoutMs, signal })).answer;
    if (typeof answer?.enrollUrl === 'string' && answer.enrollUrl) perDevice = { enrollUrl: answer.enrollUrl };
  }
  // The device's number in the file (1, 2, …) is the `{n}` of a Windows UPN template.
  const n = [...world.devices.keys()].indexOf(deviceId) + 1;
  const ticket = operatorTicket(run.enrollment, perDevice, { platform: d.spec.platform, n });
  await d.device.enroll(ticket);
  const from = ticket.discoveryUrl ? `${ticket.discoveryUrl} as ${ticket.upn}` : perDevice ? "the admin hook's URL" : run.enrollment.source;
  return { summary: `${deviceId} enrolled (from ${from})` };
}

/** After the run (unless kept): the hook may undo what it made; `profiles` maps the file's refs to the ids it answered. */
export async function operatorCleanup(world: ScenarioWorld, s: Scenario, run: ForeignRun): Promise<string> {
  if (!run.hook) return 'operator: remove what the run made on the server (left to the operator)';
  const message = { step: 'cleanup', scenario: s.name, profiles: Object.fromEntries(world.profiles), groups: s.groups.map((g) => g.name), users: s.users.map((u) => u.upn) };
  const done = await runAdminHook(run.hook, message, { timeoutMs: run.hookTimeoutMs });
  return `operator: cleanup done by the admin hook in ${done.ms} ms`;
}
