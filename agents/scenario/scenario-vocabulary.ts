/** The values docs/scenarios.md names, kept here so the file reader and the runner agree. */
export const PROFILE_STATES_SCENARIO = ['pending', 'installed', 'blocked', 'failed', 'waitingForApp', 'notApplicable', 'removed'] as const;
export const COMPLIANCE = ['compliant', 'nonCompliant'] as const;
export const ALERT_KINDS_SCENARIO = ['duplicateAccount', 'conflictingProfiles', 'overlappingKnoxProfiles'] as const;
/** Device platforms the runner can simulate today (agents/platforms.ts); other valid platforms exit 2 with a clear message. */
export { SIMULATED_PLATFORMS as SUPPORTED_DEVICE_PLATFORMS } from '../platforms.js';
