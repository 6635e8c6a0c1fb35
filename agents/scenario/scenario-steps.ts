import { validateEmailProfile, validateEmailProfileUpdate } from '../../protocol/admin/email-profile-validation.js';
import { certificatePlatformOf } from '../../protocol/admin/platforms.js';
import { parseDuration } from './duration.js';
import { readExpectation } from './scenario-expectations.js';
import type { ScenarioRefs } from './scenario-refs.js';
import type { ScenarioStep, UserAction } from './scenario-types.js';
import type { ValueReader } from './value-reader.js';

const STEP_KEYS = [
  'enroll',
  'unenroll',
  'createEmailProfile',
  'updateEmailProfile',
  'deleteEmailProfile',
  'deploy',
  'addToGroup',
  'removeFromGroup',
  'user',
  'offline',
  'online',
  'settle',
  'wait',
  'expect',
] as const;
const CERT_FIELDS = ['identityCertificateProfileId', 'signingCertificateProfileId'] as const;
const DEFAULT_SETTLE_MS = 30_000;

/** One step: a mapping with exactly one of the step keys of docs/scenarios.md ("Steps"). */
export function readStep(r: ValueReader, refs: ScenarioRefs, value: unknown, i: number, line: number | undefined): ScenarioStep {
  const p = ['steps', i];
  const o = r.object(value, p, STEP_KEYS);
  const keys = Object.keys(o);
  if (keys.length !== 1) r.fail(p, `a step has exactly one of ${STEP_KEYS.join(', ')}`);
  const kind = keys[0] as (typeof STEP_KEYS)[number];
  const v = o[kind];
  const at = [...p, kind];
  const base = { path: `steps[${i}]`, ...(line !== undefined ? { line } : {}) };
  switch (kind) {
    case 'enroll':
    case 'unenroll':
    case 'offline':
    case 'online': {
      const device = r.string(v, at);
      refs.require('device', device, at);
      return { ...base, kind, device };
    }
    case 'createEmailProfile': {
      const body = r.object(v, at, [...Object.keys(v as object)], ['ref', 'platform']);
      const ref = r.string(body.ref, [...at, 'ref']);
      const settings: Record<string, unknown> = { ...body };
      delete settings.ref;
      const definition = checkProfile(r, refs, settings, at, validateEmailProfile);
      refs.declareProfile(ref, definition, [...at, 'ref'], [...at, 'name']);
      return { ...base, kind, ref, settings };
    }
    case 'updateEmailProfile': {
      const body = r.object(v, at, [...Object.keys(v as object)], ['profile']);
      const profile = r.string(body.profile, [...at, 'profile']);
      const current = refs.profile(profile, [...at, 'profile']);
      const expectError = r.optString(body.expectError, [...at, 'expectError']);
      const settings: Record<string, unknown> = { ...body };
      delete settings.profile;
      delete settings.expectError;
      // A patch the API would refuse with a 400 is a broken file, unless the story expects the refusal.
      if (expectError === undefined) {
        current.definition = checkProfile(r, refs, settings, at, (s) => validateEmailProfileUpdate(current.definition, s));
        refs.requireFreeName(current.definition.name, profile, [...at, 'name']);
      }
      return { ...base, kind, profile, settings, ...(expectError !== undefined ? { expectError } : {}) };
    }
    case 'deleteEmailProfile': {
      const profile = r.string(v, at);
      refs.profile(profile, at).deleted = true;
      return { ...base, kind, profile };
    }
    case 'deploy': {
      const d = r.object(v, at, ['profile', 'groups'], ['profile', 'groups']);
      const profile = r.string(d.profile, [...at, 'profile']);
      refs.profile(profile, [...at, 'profile']);
      const groups = r.stringList(d.groups, [...at, 'groups']);
      groups.forEach((g, j) => refs.require('group', g, [...at, 'groups', j]));
      return { ...base, kind, profile, groups };
    }
    case 'addToGroup':
    case 'removeFromGroup': {
      const g = r.object(v, at, ['group', 'members'], ['group', 'members']);
      const group = r.string(g.group, [...at, 'group']);
      refs.require('group', group, [...at, 'group']);
      const members = r.stringList(g.members, [...at, 'members']);
      members.forEach((m, j) => refs.requireMember(m, [...at, 'members', j]));
      return { ...base, kind, group, members };
    }
    case 'user':
      return { ...base, ...readUserStep(r, refs, v, at) };
    case 'settle': {
      const s = r.object(v ?? {}, at, ['timeout']);
      const timeoutMs = s.timeout === undefined ? DEFAULT_SETTLE_MS : parseDuration(s.timeout);
      if (timeoutMs === undefined) r.fail([...at, 'timeout'], 'must be a duration such as 30s, 500ms or 2m');
      return { ...base, kind, timeoutMs };
    }
    case 'wait': {
      const ms = parseDuration(v);
      if (ms === undefined) r.fail(at, 'must be a duration such as 5s, 500ms or 2m');
      return { ...base, kind, ms };
    }
    case 'expect':
      return { ...base, kind, expect: readExpectation(r, refs, v, at) };
  }
}

function readUserStep(r: ValueReader, refs: ScenarioRefs, v: unknown, at: (string | number)[]): Extract<ScenarioStep, { kind: 'user' }> extends infer S ? Omit<S & object, 'path' | 'line'> : never {
  const ACTIONS = ['addAccount', 'removeAccount', 'installApp', 'checkIn'] as const;
  const o = r.object(v, at, ['device', ...ACTIONS], ['device']);
  const device = r.string(o.device, [...at, 'device']);
  refs.require('device', device, [...at, 'device']);
  const present = ACTIONS.filter((a) => o[a] !== undefined);
  if (present.length !== 1) r.fail(at, `a user step has exactly one of ${ACTIONS.join(', ')}`);
  const a = present[0]!;
  const ap = [...at, a];
  let action: UserAction;
  if (a === 'addAccount') {
    const m = r.object(o.addAccount, ap, ['email', 'host', 'profile'], ['email', 'host']);
    const account = { email: r.string(m.email, [...ap, 'email']), host: r.string(m.host, [...ap, 'host']) };
    const profile = m.profile === undefined ? undefined : r.oneOf(m.profile, [...ap, 'profile'], ['personal', 'work'] as const);
    if (profile === 'work' && refs.platformOf(device) !== 'androidForWork') r.fail([...ap, 'profile'], 'the work profile exists on androidForWork devices only');
    action = { addAccount: profile === undefined ? account : { ...account, profile } };
  } else if (a === 'removeAccount') {
    const m = r.object(o.removeAccount, ap, ['email', 'host'], ['email', 'host']);
    action = { removeAccount: { email: r.string(m.email, [...ap, 'email']), host: r.string(m.host, [...ap, 'host']) } };
  } else if (a === 'installApp') {
    action = { installApp: r.oneOf(o.installApp, ap, ['gmail', 'nineWork'] as const) };
    if (refs.platformOf(device) !== 'androidForWork') r.fail(ap, `apps are installed in the work profile of androidForWork devices; ${device} is ${refs.platformOf(device)}`);
  } else {
    if (o.checkIn !== true) r.fail(ap, 'must be true');
    action = { checkIn: true };
  }
  return { kind: 'user', device, action } as never;
}

/** Settings as in the admin API, certificate profiles named by their ref in this file. */
function checkProfile(
  r: ValueReader,
  refs: ScenarioRefs,
  settings: Record<string, unknown>,
  at: (string | number)[],
  validate: (s: Record<string, unknown>) => ReturnType<typeof validateEmailProfile>,
) {
  const probe: Record<string, unknown> = { ...settings };
  for (const field of CERT_FIELDS) if (typeof probe[field] === 'string') probe[field] = `ref:${probe[field] as string}`;
  const result = validate(probe);
  if (!result.ok) r.fail(result.violation.field ? [...at, ...result.violation.field.split('.')] : at, result.violation.message);
  for (const field of CERT_FIELDS) {
    const ref = settings[field];
    if (typeof ref !== 'string') continue;
    const cert = refs.certificate(ref, [...at, field]);
    if (cert.kind !== 'scep') r.fail([...at, field], `certificate profile "${ref}" is ${cert.kind}; this needs a scep certificate profile`);
    const want = certificatePlatformOf(result.value.platform);
    if (cert.platform !== want) r.fail([...at, field], `certificate profile "${ref}" is for ${cert.platform}; a ${result.value.platform} profile needs one for ${want}`);
  }
  return result.value;
}
