import type { PolicyPlan } from './policy-plan.js';

/**
 * Knox matches an Exchange account by its address only: given two accounts with one address (two
 * samsungKnox profiles on different hosts, say), the device replaces one with the other, and at its
 * next sync the other back, for ever (docs/email-profiles.md, Samsung KNOX row of "What each
 * platform does when the account already exists": "two profiles with one address on two hosts
 * replace each other"). The device reports each replacement as the keyed app state `replaced` of
 * the account (protocol/android/app-states.ts); the server counts those between accounts of one
 * address and, at KNOX_FLIP_LIMIT, ends the loop: the oldest profile keeps the address, the others
 * are withheld from the policy and `failed` with a `conflictingProfiles` alert. A withheld profile
 * comes back when it gets a new version (an edit) or its rival leaves the device.
 *
 * A replacement of an account the user made by hand is the Knox rule working as meant, not a flip:
 * only a replacement while another account of the policy has the same address counts.
 */

/** Replacements between managed accounts of one address on one device before the server steps in. */
export const KNOX_FLIP_LIMIT = 3;

/** Profiles withheld after flapping: at which version, in favour of which profile, and the words the admin sees. */
export type KnoxHolds = Record<string, { version: number; rival: string; detail: string }>;

export interface KnoxFlipState {
  /** Replacements counted per profile, with the time stamp of the last one counted (a repeated report counts once). */
  counts: Record<string, { n: number; last: string }>;
  holds: KnoxHolds;
}

export function parseFlips(text: string | undefined): KnoxFlipState {
  if (!text) return { counts: {}, holds: {} };
  try {
    const v = JSON.parse(text) as Partial<KnoxFlipState>;
    return { counts: v.counts ?? {}, holds: v.holds ?? {} };
  } catch {
    return { counts: {}, holds: {} };
  }
}

/** The stored form; undefined when there is nothing to keep. */
export function serializeFlips(state: KnoxFlipState): string | undefined {
  return Object.keys(state.counts).length === 0 && Object.keys(state.holds).length === 0 ? undefined : JSON.stringify(state);
}

/** What a plan still needs: counts of accounts it carries, holds it applied. */
export function pruneFlips(state: KnoxFlipState, plan: PolicyPlan): KnoxFlipState {
  const counts: KnoxFlipState['counts'] = {};
  for (const [id, c] of Object.entries(state.counts)) if (plan.profiles[id]?.kind === 'knox') counts[id] = c;
  const holds: KnoxHolds = {};
  for (const [id, h] of Object.entries(state.holds)) {
    const p = plan.profiles[id];
    if (p?.kind === 'withheld' && p.reason === 'flapping') holds[id] = h;
  }
  return { counts, holds };
}

export interface Replacement {
  profileId: string;
  /** When the device says it happened (the keyed app state's lastUpdateTime or createTime). */
  stamp: string;
}

export interface FlipVerdict {
  state: KnoxFlipState;
  /** Profiles to withhold now, each with the profile that keeps the address. */
  withhold: { profileId: string; rival: string; count: number; email: string }[];
}

/**
 * Counts the replacements a report shows between accounts of `plan` that share an address and says
 * which profiles to withhold once a group of them reaches the limit. Pure.
 */
export function countFlips(state: KnoxFlipState, plan: PolicyPlan, replacements: readonly Replacement[], names: ReadonlyMap<string, string>): FlipVerdict {
  const counts = { ...state.counts };
  const holds = { ...state.holds };
  const knox = Object.entries(plan.profiles).flatMap(([id, p]) => (p.kind === 'knox' ? [{ id, ...p }] : []));
  const groupOf = (email: string) => knox.filter((k) => k.email.toLowerCase() === email.toLowerCase());
  const touched = new Set<string>();
  for (const r of replacements) {
    const self = knox.find((k) => k.id === r.profileId);
    if (!self) continue;
    const group = groupOf(self.email);
    if (group.length < 2) continue; // a hand-made account was replaced: the Knox rule, not a flip
    const c = counts[r.profileId];
    if (c?.last === r.stamp) continue;
    counts[r.profileId] = { n: (c?.n ?? 0) + 1, last: r.stamp };
    touched.add(self.email.toLowerCase());
  }
  const withhold: FlipVerdict['withhold'] = [];
  for (const email of touched) {
    const group = groupOf(email).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
    const total = group.reduce((n, k) => n + (counts[k.id]?.n ?? 0), 0);
    if (total < KNOX_FLIP_LIMIT) continue;
    const keep = group[0]!;
    for (const loser of group.slice(1)) {
      holds[loser.id] = {
        version: loser.version,
        rival: keep.id,
        detail:
          `its account and the one of the email profile "${names.get(keep.id) ?? keep.id}" (${keep.host}) have the same address, ${loser.email}, which Knox ` +
          `treats as one account: they replaced each other ${total} times on this device. The older profile keeps the address and this one is withheld; ` +
          `deploy only one of them to this user, or edit this one to bring it back.`,
      };
      withhold.push({ profileId: loser.id, rival: keep.id, count: total, email: loser.email });
    }
    for (const k of group) delete counts[k.id];
  }
  return { state: { counts, holds }, withhold };
}
