import { ALERT_KINDS_SCENARIO, COMPLIANCE, PROFILE_STATES_SCENARIO } from './scenario-vocabulary.js';
import type { ScenarioRefs } from './scenario-refs.js';
import type { ExpectedCommand, ExpectedMailAccount, Expectation } from './scenario-types.js';
import type { ValueReader } from './value-reader.js';

const SETTING_KEYS = ['accountName', 'username', 'daysToSync', 'useSsl', 'syncSchedule', 'contentTypes', 'authMethod', 'useSmime', 'allowSendFromThirdPartyApps'] as const;

/** An `expect` step: per device (compliance, profiles, mailAccounts, alerts, commands) or server-wide (profileStatus, alerts). */
export function readExpectation(r: ValueReader, refs: ScenarioRefs, v: unknown, at: (string | number)[]): Expectation {
  const o = r.object(v, at, ['device', 'compliance', 'profiles', 'mailAccounts', 'alerts', 'profileStatus', 'commands']);
  const e: Expectation = {};
  if (o.device !== undefined) {
    e.device = r.string(o.device, [...at, 'device']);
    refs.require('device', e.device, [...at, 'device']);
  }
  const needsDevice = (key: string) => {
    if (!e.device) r.fail([...at, key], `${key} is about one device: add device:`);
  };
  if (o.compliance !== undefined) {
    needsDevice('compliance');
    e.compliance = r.oneOf(o.compliance, [...at, 'compliance'], COMPLIANCE);
  }
  if (o.profiles !== undefined) {
    needsDevice('profiles');
    const p = r.object(o.profiles, [...at, 'profiles'], [...refs.profiles.keys()]);
    e.profiles = {};
    for (const [ref, state] of Object.entries(p)) e.profiles[ref] = r.oneOf(state, [...at, 'profiles', ref], PROFILE_STATES_SCENARIO);
  }
  if (o.mailAccounts !== undefined) {
    needsDevice('mailAccounts');
    e.mailAccounts = r.list(o.mailAccounts, [...at, 'mailAccounts']).map((m, i) => readAccount(r, refs, m, [...at, 'mailAccounts', i]));
  }
  if (o.alerts !== undefined) {
    e.alerts = r.list(o.alerts, [...at, 'alerts']).map((a, i) => r.oneOf(a, [...at, 'alerts', i], ALERT_KINDS_SCENARIO));
  }
  if (o.profileStatus !== undefined) {
    // Server-wide whatever the device: key says, so one expect can check a device and the overview.
    const ps = r.object(o.profileStatus, [...at, 'profileStatus'], [...refs.profiles.keys()]);
    e.profileStatus = {};
    for (const [ref, counts] of Object.entries(ps)) {
      const c = r.object(counts, [...at, 'profileStatus', ref], PROFILE_STATES_SCENARIO);
      e.profileStatus[ref] = Object.fromEntries(Object.entries(c).map(([state, n]) => [state, r.integer(n, [...at, 'profileStatus', ref, state], 0)]));
    }
  }
  if (o.commands !== undefined) {
    needsDevice('commands');
    e.commands = r.list(o.commands, [...at, 'commands']).map((c, i) => readCommand(r, refs, c, [...at, 'commands', i]));
  }
  if (Object.keys(e).filter((k) => k !== 'device').length === 0) r.fail(at, 'an expect step must check something');
  return e;
}

function readAccount(r: ValueReader, refs: ScenarioRefs, v: unknown, p: (string | number)[]): ExpectedMailAccount {
  const o = r.object(v, p, ['email', 'host', 'managed', 'profile', 'replacedUserAccount', 'settings'], ['email', 'host']);
  const a: ExpectedMailAccount = { email: r.string(o.email, [...p, 'email']), host: r.string(o.host, [...p, 'host']) };
  if (o.managed !== undefined) a.managed = r.boolean(o.managed, [...p, 'managed']);
  if (o.profile !== undefined) {
    a.profile = r.string(o.profile, [...p, 'profile']);
    // "personal"/"work" on Android for Work devices name the Android profile, anything else an email profile ref.
    if (a.profile !== 'personal' && a.profile !== 'work') refs.profile(a.profile, [...p, 'profile'], { evenDeleted: true });
  }
  if (o.replacedUserAccount !== undefined) a.replacedUserAccount = r.boolean(o.replacedUserAccount, [...p, 'replacedUserAccount']);
  if (o.settings !== undefined) a.settings = r.object(o.settings, [...p, 'settings'], SETTING_KEYS);
  return a;
}

const OUTCOMES = ['success', 'failure', 'deferred'] as const;

function readCommand(r: ValueReader, refs: ScenarioRefs, v: unknown, p: (string | number)[]): ExpectedCommand {
  const o = r.object(v, p, ['requestType', 'status', 'outcome', 'profile'], ['requestType']);
  const c: ExpectedCommand = { requestType: r.string(o.requestType, [...p, 'requestType']) };
  if (o.status !== undefined) c.status = r.string(o.status, [...p, 'status']);
  if (o.outcome !== undefined) c.outcome = r.oneOf(o.outcome, [...p, 'outcome'], OUTCOMES);
  if (o.profile !== undefined) {
    c.profile = r.string(o.profile, [...p, 'profile']);
    refs.profile(c.profile, [...p, 'profile'], { evenDeleted: true });
  }
  return c;
}
