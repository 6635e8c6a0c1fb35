import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { CERTIFICATE_PROFILE_KINDS, DEVICE_PLATFORMS } from '../../protocol/admin/platforms.js';
import { ScenarioFileError } from './scenario-error.js';
import { readStep } from './scenario-steps.js';
import type { Scenario, ScenarioCertificateProfile, ScenarioDevice, ScenarioGroup, ScenarioUser } from './scenario-types.js';
import { ValueReader } from './value-reader.js';
import { ScenarioRefs } from './scenario-refs.js';

const TOP_KEYS = ['name', 'description', 'seed', 'users', 'groups', 'certificateProfiles', 'devices', 'steps'] as const;
const WORK_APPS = ['gmail', 'nineWork'] as const;

/**
 * Parses and validates a scenario file (docs/scenarios.md) completely before anything runs:
 * YAML syntax, every key, every value, and every reference (users, groups, devices, profile and
 * certificate refs, defined before use). Throws ScenarioFileError naming the path and line.
 */
export function loadScenario(text: string): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new ScenarioFileError('', `not valid YAML: ${e.message.split('\n')[0]}`, e.linePos?.[0]?.line);
  }
  const r = new ValueReader((path) => lineOfPath(doc, lineCounter, path));
  const top = r.object(doc.toJS() as unknown, [], TOP_KEYS, ['name', 'steps']);
  const name = r.string(top.name, ['name']);
  const description = r.optString(top.description, ['description']);
  const seed = top.seed === undefined ? undefined : r.integer(top.seed, ['seed'], 0);

  const users: ScenarioUser[] = r.list(top.users, ['users']).map((u, i) => {
    const p = ['users', i];
    const o = r.object(u, p, ['upn', 'primarySmtp', 'username'], ['upn']);
    const user: ScenarioUser = { upn: r.string(o.upn, [...p, 'upn']) };
    if (o.primarySmtp !== undefined) user.primarySmtp = r.string(o.primarySmtp, [...p, 'primarySmtp']);
    if (o.username !== undefined) user.username = r.string(o.username, [...p, 'username']);
    return user;
  });
  const refs = new ScenarioRefs(r);
  users.forEach((u, i) => refs.declare('user', u.upn.toLowerCase(), ['users', i, 'upn']));

  const devices: ScenarioDevice[] = r.list(top.devices, ['devices']).map((d, i) => {
    const p = ['devices', i];
    const o = r.object(d, p, ['id', 'platform', 'user', 'apps', 'mailAccounts'], ['id', 'platform', 'user']);
    const platform = r.oneOf(o.platform, [...p, 'platform'], DEVICE_PLATFORMS);
    const device: ScenarioDevice = {
      id: r.string(o.id, [...p, 'id']),
      platform,
      user: r.string(o.user, [...p, 'user']),
      apps: r.list(o.apps, [...p, 'apps']).map((a, j) => r.oneOf(a, [...p, 'apps', j], WORK_APPS)),
      mailAccounts: r.list(o.mailAccounts, [...p, 'mailAccounts']).map((m, j) => {
        const mp = [...p, 'mailAccounts', j];
        const mo = r.object(m, mp, ['email', 'host', 'profile'], ['email', 'host']);
        const account = { email: r.string(mo.email, [...mp, 'email']), host: r.string(mo.host, [...mp, 'host']) };
        if (mo.profile === undefined) return account;
        const profile = r.oneOf(mo.profile, [...mp, 'profile'], ['personal', 'work'] as const);
        // Every device is "personal" only; the work profile exists on Android for Work devices.
        if (profile === 'work' && platform !== 'androidForWork') r.fail([...mp, 'profile'], 'the work profile exists on androidForWork devices only');
        return { ...account, profile };
      }),
    };
    // `apps` only means something on androidForWork devices; docs/scenarios.md's own example lists
    // them on an iOS device, so elsewhere they are accepted and have no effect.
    refs.require('user', device.user.toLowerCase(), [...p, 'user']);
    refs.declareDevice(device.id, platform, [...p, 'id']);
    return device;
  });

  const groups: ScenarioGroup[] = r.list(top.groups, ['groups']).map((g, i) => {
    const p = ['groups', i];
    const o = r.object(g, p, ['name', 'members'], ['name']);
    const group = { name: r.string(o.name, [...p, 'name']), members: r.stringList(o.members, [...p, 'members']) };
    group.members.forEach((m, j) => refs.requireMember(m, [...p, 'members', j]));
    refs.declare('group', group.name, [...p, 'name']);
    return group;
  });

  const certificateProfiles: ScenarioCertificateProfile[] = r.list(top.certificateProfiles, ['certificateProfiles']).map((c, i) => {
    const p = ['certificateProfiles', i];
    const o = r.object(c, p, ['ref', 'kind', 'platform', 'subject', 'keySize', 'validityDays', 'pem'], ['ref', 'kind', 'platform']);
    const cert: ScenarioCertificateProfile = {
      ref: r.string(o.ref, [...p, 'ref']),
      kind: r.oneOf(o.kind, [...p, 'kind'], CERTIFICATE_PROFILE_KINDS),
      platform: r.oneOf(o.platform, [...p, 'platform'], DEVICE_PLATFORMS),
    };
    if (o.subject !== undefined) cert.subject = r.string(o.subject, [...p, 'subject']);
    if (o.keySize !== undefined) cert.keySize = r.integer(o.keySize, [...p, 'keySize'], 1);
    if (o.validityDays !== undefined) cert.validityDays = r.integer(o.validityDays, [...p, 'validityDays'], 1);
    if (o.pem !== undefined) cert.pem = r.string(o.pem, [...p, 'pem']);
    if (cert.kind === 'trustedRoot' && (cert.subject ?? cert.keySize ?? cert.validityDays) !== undefined) {
      r.fail(p, 'subject, keySize and validityDays are for scep certificate profiles');
    }
    if (cert.kind === 'scep' && cert.pem !== undefined) r.fail([...p, 'pem'], 'pem is for trustedRoot certificate profiles');
    refs.declareCertificate(cert, [...p, 'ref']);
    return cert;
  });

  const steps = r.list(top.steps, ['steps']).map((s, i) => readStep(r, refs, s, i, lineOfPath(doc, lineCounter, ['steps', i])));
  if (steps.length === 0) r.fail(['steps'], 'a scenario needs at least one step');
  return {
    name,
    ...(description !== undefined ? { description } : {}),
    ...(seed !== undefined ? { seed } : {}),
    users,
    groups,
    certificateProfiles,
    devices,
    steps,
  };
}

function lineOfPath(doc: Document, counter: LineCounter, path: (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}
