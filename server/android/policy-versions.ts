import type { Repositories } from '../store/port.js';
import type { AndroidDeviceRecord, DeviceRecord } from '../store/records.js';
import { raiseConflictingProfiles, resolveConflictingProfiles } from './android-alerts.js';
import type { AndroidContext } from './android-context.js';
import { parseFlips, pruneFlips, serializeFlips } from './knox-flips.js';
import { planPolicy } from './policy-planner.js';
import { parsePlan, serializePlan, type PolicyPlan } from './policy-plan.js';

export interface Replanned {
  /** True when the device got a new policy version (wake it after commit). */
  changed: boolean;
  record: AndroidDeviceRecord;
}

/**
 * Plans the device's policy again and, when the plan differs from the one of its current version
 * (or `force`), makes it the next version (AMAPI Policy.version: "incremented each time the policy
 * is updated"). The server's own decisions are recorded with it, through ProfileOutcomes: a profile
 * newly withheld is `failed` with why (and a `conflictingProfiles` alert when another profile holds
 * its place); one that comes back is `pending` again. Inside the caller's transaction.
 */
export async function replan(ctx: AndroidContext, tx: Repositories, device: DeviceRecord, android: AndroidDeviceRecord, at: string, opts: { force?: boolean } = {}): Promise<Replanned> {
  const flips = parseFlips(android.knoxFlips);
  const plan = await planPolicy(tx, device, flips.holds);
  const { text, fingerprint } = serializePlan(plan);
  if (!opts.force && fingerprint === android.planFingerprint) return { changed: false, record: android };
  const flipText = serializeFlips(pruneFlips(flips, plan));
  const { knoxFlips: _old, ...rest } = android;
  const record: AndroidDeviceRecord = {
    ...rest,
    ...(flipText ? { knoxFlips: flipText } : {}),
    policyVersion: android.policyVersion + 1,
    policyChangedAt: at,
    plan: text,
    planFingerprint: fingerprint,
  };
  await tx.androidDevices.upsert(record);
  await recordServerDecisions(ctx, tx, device, parsePlan(android.plan), plan, at);
  return { changed: true, record };
}

async function recordServerDecisions(ctx: AndroidContext, tx: Repositories, device: DeviceRecord, previous: PolicyPlan, plan: PolicyPlan, at: string): Promise<void> {
  for (const [profileId, p] of Object.entries(plan.profiles)) {
    const before = previous.profiles[profileId];
    if (p.kind === 'withheld') {
      const same = before?.kind === 'withheld' && before.reason === p.reason && before.version === p.version && before.rival === p.rival;
      const state = await tx.profileStates.get(device.id, profileId);
      if (same && state?.state === 'failed') continue;
      await ctx.outcomes.record(tx, device, { profileId, profileVersion: p.version, action: 'install' }, { state: 'failed', detail: p.detail }, at);
      if (p.rival) await raiseConflictingProfiles(ctx, tx, device, profileId, p.rival, p.detail, at);
      continue;
    }
    if (before?.kind !== 'withheld') continue;
    // Back in the policy: on its way again, and what kept it out is moot.
    const state = await tx.profileStates.get(device.id, profileId);
    if (state?.state === 'failed') {
      const { detail: _why, ...rest } = state;
      await tx.profileStates.upsert({ ...rest, state: 'pending', updatedAt: at });
    }
    await resolveConflictingProfiles(tx, device.id, profileId, at);
  }
}
