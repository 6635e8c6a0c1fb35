import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../../agents/scenario/scenario-file.js';
import { ScenarioFileError } from '../../../agents/scenario/scenario-error.js';
import { repoRoot } from '../../helpers/cli.js';

/** The example in docs/scenarios.md ("Shape") is the first fixture: the contract's own words must load. */
const contract = readFileSync(join(repoRoot, 'docs', 'scenarios.md'), 'utf8');
const example = /```yaml\n([\s\S]*?)```/.exec(contract)![1]!;

const minimal = `
name: t
users: [{ upn: alice@contoso.com }]
groups: [{ name: sales, members: [alice@contoso.com] }]
certificateProfiles: [{ ref: corp-scep, kind: scep, platform: ios }]
devices: [{ id: phone, platform: ios, user: alice@contoso.com }]
steps:
  - createEmailProfile: { ref: p1, platform: ios, name: Corp, host: mail.contoso.com, accountName: Corp }
`;

function fails(yaml: string): ScenarioFileError {
  try {
    loadScenario(yaml);
  } catch (err) {
    if (err instanceof ScenarioFileError) return err;
    throw err;
  }
  throw new Error('expected the file to be refused');
}

describe('scenario files', () => {
  it('loads the example of docs/scenarios.md', () => {
    const s = loadScenario(example);
    expect(s.name).toBe('ios manual account blocks the managed profile');
    expect(s.seed).toBe(42);
    expect(s.devices[0]).toMatchObject({ id: 'alice-iphone', platform: 'ios', mailAccounts: [{ email: 'alice@contoso.com', host: 'mail.contoso.com', profile: 'personal' }] });
    expect(s.steps.map((st) => st.kind)).toEqual(['enroll', 'createEmailProfile', 'deploy', 'settle', 'expect', 'user', 'settle', 'expect']);
    expect(s.steps[3]).toMatchObject({ kind: 'settle', timeoutMs: 30_000 });
    expect(s.steps[4]).toMatchObject({ kind: 'expect', expect: { device: 'alice-iphone', compliance: 'nonCompliant', profiles: { p1: 'blocked' }, alerts: ['duplicateAccount'] } });
    expect(s.steps[5]).toMatchObject({ kind: 'user', device: 'alice-iphone', action: { removeAccount: { email: 'alice@contoso.com', host: 'mail.contoso.com' } } });
  });

  it('accepts every step kind with its documented shape', () => {
    const s = loadScenario(`${minimal}
  - enroll: phone
  - deploy: { profile: p1, groups: [sales] }
  - addToGroup: { group: sales, members: [phone] }
  - removeFromGroup: { group: sales, members: [alice@contoso.com] }
  - user: { device: phone, addAccount: { email: a@b.com, host: h.b.com } }
  - user: { device: phone, checkIn: true }
  - offline: phone
  - online: phone
  - wait: 500ms
  - settle: { timeout: 2m }
  - updateEmailProfile: { profile: p1, host: other.contoso.com, expectError: immutableSetting }
  - updateEmailProfile: { profile: p1, daysToSync: 14 }
  - expect: { profileStatus: { p1: { installed: 1, blocked: 0 } }, alerts: [] }
  - deleteEmailProfile: p1
  - expect: { device: phone, profiles: { p1: removed }, mailAccounts: [{ email: a@b.com, host: h.b.com, managed: false, settings: { useSsl: true } }] }
  - unenroll: phone
`);
    expect(s.steps).toHaveLength(17);
    expect(s.steps[10]).toMatchObject({ kind: 'settle', timeoutMs: 120_000 });
    expect(s.steps[9]).toMatchObject({ kind: 'wait', ms: 500 });
  });

  it.each([
    ['an unknown top-level key', `${minimal}colour: blue\n`, 'colour', /unknown key "colour"/],
    ['a missing name', 'steps: [{ wait: 1s }]\n', 'name', /is required/],
    ['an unknown step', `${minimal}  - reboot: phone\n`, 'steps[1].reboot', /unknown key "reboot"/],
    ['two keys in one step', `${minimal}  - { enroll: phone, offline: phone }\n`, 'steps[1]', /exactly one/],
    ['an undeclared device', `${minimal}  - enroll: tablet\n`, 'steps[1].enroll', /no device "tablet"/],
    ['an undeclared group in a deployment', `${minimal}  - deploy: { profile: p1, groups: [sales, ops] }\n`, 'steps[1].deploy.groups[1]', /no group "ops"/],
    ['a profile used before it is created', `${minimal}  - deploy: { profile: p2, groups: [sales] }\n`, 'steps[1].deploy.profile', /no email profile "p2"/],
    ['a setting the platform lacks', `${minimal}  - createEmailProfile: { ref: p2, platform: windows10, name: W, host: h.c.com, accountName: W, useSmime: true }\n`, 'steps[1].createEmailProfile.useSmime', /not a setting of windows10/],
    ['a value the client does not offer', `${minimal}  - createEmailProfile: { ref: p2, platform: ios, name: W, host: h.c.com, accountName: W, daysToSync: 30 }\n`, 'steps[1].createEmailProfile.daysToSync', /must be/],
    ['certificate auth without a certificate profile', `${minimal}  - createEmailProfile: { ref: p2, platform: ios, name: W, host: h.c.com, accountName: W, authMethod: certificate }\n`, 'steps[1].createEmailProfile.identityCertificateProfileId', /required/],
    ['an unknown certificate ref', `${minimal}  - createEmailProfile: { ref: p2, platform: ios, name: W, host: h.c.com, accountName: W, authMethod: certificate, identityCertificateProfileId: nope }\n`, 'steps[1].createEmailProfile.identityCertificateProfileId', /no certificate profile/],
    ['a certificate of another platform', `${minimal.replace('platform: ios }]\ndevices', 'platform: samsungKnox }]\ndevices')}  - createEmailProfile: { ref: p2, platform: ios, name: W, host: h.c.com, accountName: W, authMethod: certificate, identityCertificateProfileId: corp-scep }\n`, 'steps[1].createEmailProfile.identityCertificateProfileId', /for samsungKnox/],
    ['a bad duration', `${minimal}  - settle: { timeout: soon }\n`, 'steps[1].settle.timeout', /duration/],
    ['an unknown profile state', `${minimal}  - expect: { device: phone, profiles: { p1: stuck } }\n`, 'steps[1].expect.profiles.p1', /one of/],
    ['profiles without a device', `${minimal}  - expect: { profiles: { p1: installed } }\n`, 'steps[1].expect.profiles', /add device/],
    ['an unknown account key', `${minimal}  - expect: { device: phone, mailAccounts: [{ email: a, host: b, colour: red }] }\n`, 'steps[1].expect.mailAccounts[0].colour', /unknown key/],
    ['a work-profile account on an iOS device', minimal.replace('user: alice@contoso.com }]', 'user: alice@contoso.com, mailAccounts: [{ email: a@b.c, host: h, profile: work }] }]'), 'devices[0].mailAccounts[0].profile', /androidForWork/],
    ['an unknown platform', minimal.replace('id: phone, platform: ios', 'id: phone, platform: blackberry'), 'devices[0].platform', /one of/],
    ['a group member nobody declared', minimal.replace('members: [alice@contoso.com]', 'members: [bob@contoso.com]'), 'groups[0].members[0]', /neither/],
    ['a duplicate user', minimal.replace('users: [{ upn: alice@contoso.com }]', 'users: [{ upn: alice@contoso.com }, { upn: Alice@contoso.com }]'), 'users[1].upn', /twice/],
    ['an app installed on an iOS device', `${minimal}  - user: { device: phone, installApp: gmail }\n`, 'steps[1].user.installApp', /androidForWork/],
    ['a hand-made work-profile account on an iOS device', `${minimal}  - user: { device: phone, addAccount: { email: a@b.c, host: h, profile: work } }\n`, 'steps[1].user.addAccount.profile', /androidForWork/],
    ['a second profile with a name in use', `${minimal}  - createEmailProfile: { ref: p2, platform: ios, name: Corp, host: h.c.com, accountName: W }\n`, 'steps[1].createEmailProfile.name', /"p1" already has the name "Corp"/],
    ['an edit to a name in use', `${minimal}  - createEmailProfile: { ref: p2, platform: ios, name: Other, host: h.c.com, accountName: W }\n  - updateEmailProfile: { profile: p2, name: Corp }\n`, 'steps[2].updateEmailProfile.name', /already has the name/],
    // The server's names ignore case (COLLATE NOCASE): these would load and then fail with a 409.
    ['a second profile whose name differs only in case', `${minimal}  - createEmailProfile: { ref: p2, platform: ios, name: cORP, host: h.c.com, accountName: W }\n`, 'steps[1].createEmailProfile.name', /"p1" already has the name "Corp" \(the server ignores case/],
    ['an edit to a name in use in another case', `${minimal}  - createEmailProfile: { ref: p2, platform: ios, name: Other, host: h.c.com, accountName: W }\n  - updateEmailProfile: { profile: p2, name: corp }\n`, 'steps[2].updateEmailProfile.name', /"p1" already has the name "Corp"/],
    ['two groups whose names differ only in case', minimal.replace('groups: [{ name: sales, members: [alice@contoso.com] }]', 'groups: [{ name: Sales }, { name: sales }]'), 'groups[1].name', /declared twice: group "Sales" has the same name/],
    ['a group named in another case than declared', `${minimal}  - deploy: { profile: p1, groups: [Sales] }\n`, 'steps[1].deploy.groups[0]', /no group "Sales" is declared in groups \(a step names a group as it is declared: "sales"\)/],
    ['YAML that does not parse', 'name: [unclosed\n', '', /not valid YAML/],
  ])('refuses %s, naming the path', (_what, yaml, path, reason) => {
    const err = fails(yaml);
    expect(err.path).toBe(path);
    expect(err.reason).toMatch(reason);
  });

  it('frees a deleted profile\'s name, and accepts app and work-profile steps on androidForWork devices', () => {
    const s = loadScenario(`${minimal.replace('devices: [', 'devices: [{ id: tab, platform: androidForWork, user: alice@contoso.com }, ')}  - deleteEmailProfile: p1
  - createEmailProfile: { ref: p2, platform: ios, name: Corp, host: mail.contoso.com, accountName: Corp }
  - user: { device: tab, installApp: nineWork }
  - user: { device: tab, addAccount: { email: a@b.c, host: h.b.c, profile: work } }
  - expect: { device: phone, profiles: { p2: pending }, profileStatus: { p2: { pending: 1 } } }
`);
    expect(s.steps).toHaveLength(6);
  });

  it('keeps refs and device ids case-sensitive: p1 and P1, phone and Phone are different names', () => {
    const s = loadScenario(`${minimal.replace('devices: [', 'devices: [{ id: Phone, platform: ios, user: alice@contoso.com }, ')}  - createEmailProfile: { ref: P1, platform: ios, name: Other, host: mail.contoso.com, accountName: Corp }
  - enroll: Phone
  - enroll: phone
`);
    expect(s.steps).toHaveLength(4);
  });

  it('names the line of the offending key', () => {
    const err = fails(`${minimal}  - enroll: phone\n  - enroll: tablet\n`);
    expect(err.line).toBe(10);
    expect(err.message).toBe('steps[2].enroll (line 10): no device "tablet" is declared in devices');
  });

  it('reads the optional commands expectation (README: commands the device answered) and refuses what does not fit', () => {
    const s = loadScenario(`${minimal}  - expect: { device: phone, commands: [{ requestType: InstallProfile, status: Error, outcome: failure, profile: p1 }, { requestType: DeviceInformation }] }
`);
    expect(s.steps[1]).toMatchObject({
      kind: 'expect',
      expect: { device: 'phone', commands: [{ requestType: 'InstallProfile', status: 'Error', outcome: 'failure', profile: 'p1' }, { requestType: 'DeviceInformation' }] },
    });
    expect(fails(`${minimal}  - expect: { commands: [{ requestType: ProfileList }] }\n`).path).toBe('steps[1].expect.commands');
    expect(fails(`${minimal}  - expect: { device: phone, commands: [{ status: Acknowledged }] }\n`).path).toBe('steps[1].expect.commands[0].requestType');
    expect(fails(`${minimal}  - expect: { device: phone, commands: [{ requestType: X, outcome: maybe }] }\n`).reason).toBe('must be one of success, failure, deferred');
    expect(fails(`${minimal}  - expect: { device: phone, commands: [{ requestType: X, profile: p9 }] }\n`).path).toBe('steps[1].expect.commands[0].profile');
    expect(fails(`${minimal}  - expect: { device: phone, commands: [{ requestType: X, answered: true }] }\n`).reason).toMatch(/unknown key "answered"/);
  });
});
