import type { ProfileState } from '../store/records.js';

export type Compliance = 'compliant' | 'nonCompliant';

/**
 * A device is non-compliant while a profile meant for it could not be applied: the platform
 * blocked it (iOS duplicate account) or it failed. Pending and waiting states are not failures.
 */
export function complianceOf(states: Iterable<ProfileState>): Compliance {
  for (const s of states) if (s === 'blocked' || s === 'failed') return 'nonCompliant';
  return 'compliant';
}

/** Compliance of every device that has states, from one list of them (absent = compliant). */
export function complianceByDevice(states: Iterable<{ deviceId: string; state: ProfileState }>): Map<string, Compliance> {
  const grouped = new Map<string, ProfileState[]>();
  for (const s of states) grouped.set(s.deviceId, [...(grouped.get(s.deviceId) ?? []), s.state]);
  return new Map([...grouped].map(([id, list]) => [id, complianceOf(list)]));
}
