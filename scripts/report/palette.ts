import type { Outcome } from '../../agents/report/report-model.js';

/** Colours of the report: one per platform (charts), one per outcome (bars and badges). */
export const PLATFORM_COLOURS: Record<string, string> = {
  ios: '#2563eb',
  windows10: '#059669',
  windowsPhone81: '#0d9488',
  samsungKnox: '#7c3aed',
  androidForWork: '#d97706',
  all: '#334155',
};

export const OUTCOME_COLOURS: Record<Outcome, string> = {
  installed: '#16a34a',
  replaced: '#65a30d',
  blocked: '#dc2626',
  waiting: '#f59e0b',
  failed: '#7f1d1d',
  pending: '#94a3b8',
};

/** What each outcome means, for the legend. */
export const OUTCOME_MEANING: Record<Outcome, string> = {
  installed: 'the managed account is on the device',
  replaced: "installed in place of the user's own account",
  blocked: "refused while the user's own account is there",
  waiting: 'put off by the device (the work app is missing)',
  failed: 'refused for another reason',
  pending: 'no answer yet',
};
