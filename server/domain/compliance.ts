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
