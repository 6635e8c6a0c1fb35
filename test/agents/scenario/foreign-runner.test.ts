import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadOperatorEnrollment, type OperatorEnrollment } from '../../../agents/foreign/operator-enrollment.js';
import { formatStep, formatSummary } from '../../../agents/scenario/report.js';
import { runScenario, type ScenarioResult } from '../../../agents/scenario/runner.js';
import { loadScenario } from '../../../agents/scenario/scenario-file.js';
import { createSimulatedDevice } from '../../../scripts/device-factory.js';
import { repoRoot } from '../../helpers/cli.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { startForeignMdmServer, type ForeignMdmServer } from '../ios/foreign-mdm-server.js';

/**
 * The scenario runner's foreign-server mode, in process: a run that never calls an admin API (the
 * world has none: any call would fail the step), administrator steps left to the operator or done
 * by a hook, device steps and device-side expectations as usual, server-side ones skipped.
 */

const dir = mkdtempSync(join(tmpdir(), 'mdmlab-foreign-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let mdmlab: TestServer;
beforeAll(async () => {
  mdmlab = await startTestServer();
});
afterAll(async () => {
  await mdmlab.stop();
});

const foreignServers: ForeignMdmServer[] = [];
afterEach(async () => {
  await Promise.allSettled(foreignServers.splice(0).map((s) => s.close()));
});

function runForeign(yaml: string, enrollment: OperatorEnrollment, extra: { hook?: string; keep?: boolean } = {}): Promise<ScenarioResult> {
  return runScenario(loadScenario(yaml), {
    serverUrl: enrollment.enrollUrl ?? 'operator',
    foreign: { enrollment, ...extra },
    createDevice: (spec, i, seed) =>
      createSimulatedDevice({ id: spec.id, platform: spec.platform, seed: `${seed}:${i}:${spec.id}`, serverUrl: '', push: enrollment.push, periodicCheckInMs: enrollment.checkInMs, allowHttp: true }),
  });
}

const printed = (r: ScenarioResult) => [...r.steps.map(formatStep), formatSummary(r)].join('\n');

/** A reusable enrollment URL for a new user of the test's mdmlab server: what its operator would hand out. */
async function mdmlabEnrollUrl(upn: string): Promise<string> {
  const user = (await mdmlab.api.post('/users', { upn })).body as { id: string };
  return ((await mdmlab.api.post('/enrollment-tokens', { userId: user.id, reusable: true })).body as { enrollUrl: string }).enrollUrl;
}

describe('foreign mode against a NanoMDM-like server', () => {
  it('plays device steps and device-side expectations; the commands the device answered are checked', async () => {
    const server = await startForeignMdmServer();
    foreignServers.push(server);
    const enrollment = loadOperatorEnrollment({ enrollProfile: writeProfile(server.enrollmentProfile), push: 'none', checkInMs: 0 });
    // What the server's own API would do: queue an inventory query for the device's next check-in.
    server.enqueue({ Command: { RequestType: 'DeviceInformation', Queries: ['UDID', 'SerialNumber'] } });
    server.enqueue({ Command: { RequestType: 'RestartDevice' } });
    const r = await runForeign(
      `
name: inventory on a foreign server
users: [{ upn: carol@example.com }]
devices: [{ id: carol-phone, platform: ios, user: carol@example.com, mailAccounts: [{ email: carol@gmail.com, host: imap.gmail.com }] }]
steps:
  - enroll: carol-phone
  - user: { device: carol-phone, checkIn: true }
  - settle: {}
  - expect:
      device: carol-phone
      compliance: compliant
      mailAccounts: [{ email: carol@gmail.com, host: imap.gmail.com, managed: false }]
      commands:
        - { requestType: DeviceInformation, status: Acknowledged }
        - { requestType: RestartDevice, status: Error, outcome: failure }
  - expect: { device: carol-phone, commands: [{ requestType: SecurityInfo }] }
`,
      enrollment,
    );
    const text = printed(r);
    // The second expect fails: the device never answered SecurityInfo.
    expect(r.exitCode, text).toBe(1);
    expect(r.mode).toBe('foreign');
    const [, , , , first, second] = r.steps;
    expect(first).toMatchObject({ ok: true, skipped: ['compliance'] });
    expect(first!.status).toBeUndefined(); // mailAccounts and commands were checked
    expect(second).toMatchObject({ ok: false, failures: [{ what: 'commands SecurityInfo', found: 'no SecurityInfo answered (answered: DeviceInformation, RestartDevice)' }] });
    expect(r.skipped).toBe(1);
    expect(text).toContain("(skipped, they need mdmlab's admin API: compliance)");
    // At the end the device left management: CheckOut reached the server.
    expect(server.checkIns.map((c) => c.messageType)).toEqual(['Authenticate', 'TokenUpdate', 'CheckOut']);
    expect(r.cleanup).toEqual({ actions: ['carol-phone unenrolled', 'operator: remove what the run made on the server (left to the operator)'], errors: [] });
  });
});

describe('foreign mode against mdmlab used only through its device protocols', () => {
  it('windows10: enrolls from the discovery URL as the UPN template names it ({n}: the device\'s number in the file), the password being the operator\'s token', async () => {
    // The operator's side: user win2 and a Windows enrollment token, its on-premise password.
    const user = (await mdmlab.api.post('/users', { upn: 'win2@contoso.com' })).body as { id: string };
    const t = (await mdmlab.api.post('/enrollment-tokens', { userId: user.id, platform: 'windows10', reusable: true })).body as { token: string; discoveryUrl: string };
    const enrollment = loadOperatorEnrollment({ discoveryUrl: t.discoveryUrl, upn: 'win{n}@contoso.com', password: t.token, push: 'none', checkInMs: 0 });
    const r = await runForeign(
      `
name: windows on a foreign server
users: [{ upn: win1@contoso.com }, { upn: win2@contoso.com }]
devices:
  - { id: first-laptop, platform: windows10, user: win1@contoso.com }
  - { id: second-laptop, platform: windows10, user: win2@contoso.com, mailAccounts: [{ email: win2@gmail.com, host: imap.gmail.com }] }
steps:
  - enroll: second-laptop
  - user: { device: second-laptop, checkIn: true }
  - settle: {}
  - expect:
      device: second-laptop
      compliance: compliant
      mailAccounts: [{ email: win2@gmail.com, host: imap.gmail.com, managed: false }]
      commands: [{ requestType: Replace, outcome: success }]
`,
      enrollment,
    );
    const text = printed(r);
    expect(r.exitCode, text).toBe(0);
    expect(r.steps[1]!.summary).toBe(`second-laptop enrolled (from ${t.discoveryUrl} as win2@contoso.com)`);
    expect(r.steps[4]).toMatchObject({ ok: true, skipped: ['compliance'] });
    expect(r.cleanup).toEqual({ actions: ['second-laptop unenrolled', 'operator: remove what the run made on the server (left to the operator)'], errors: [] });
    const devices = (await mdmlab.api.get(`/devices?platform=windows10`)).body as { userId: string; status: string }[];
    expect(devices.filter((d) => d.userId === user.id).map((d) => d.status)).toEqual(['unenrolled']);
  });

  it('leaves the administrator steps to the operator: printed, not done; skipped expectations are never passed', async () => {
    const enrollment = loadOperatorEnrollment({ enrollUrl: await mdmlabEnrollUrl('dave@contoso.com'), push: 'none', checkInMs: 0 });
    const r = await runForeign(
      `
name: nothing done by hand
users: [{ upn: dave@contoso.com }]
groups: [{ name: staff, members: [dave@contoso.com] }]
devices: [{ id: dave-phone, platform: ios, user: dave@contoso.com }]
steps:
  - enroll: dave-phone
  - createEmailProfile: { ref: p1, platform: ios, name: Dave mail, host: mail.contoso.com, accountName: Corp }
  - deploy: { profile: p1, groups: [staff] }
  - settle: {}
  - expect: { device: dave-phone, profiles: { p1: installed }, alerts: [] }
  - expect: { profileStatus: { p1: { installed: 1 } } }
`,
      enrollment,
    );
    const text = printed(r);
    expect(r.exitCode, text).toBe(0);
    expect(r.steps[0]!.notes).toEqual(['operator: set up users dave@contoso.com; groups staff (dave@contoso.com) (left to the operator)']);
    expect(r.steps[2]!.summary).toBe('operator: create the ios email profile p1 ("Dave mail", host mail.contoso.com, accountName "Corp") (left to the operator)');
    expect(r.steps[3]!.summary).toBe('operator: deploy p1 to exactly staff (left to the operator)');
    // Both expects could check nothing: marked skipped (–), not passed (✓).
    expect(r.steps.slice(5).map((s) => [s.status, s.skipped])).toEqual([
      ['skipped', ['profiles', 'alerts']],
      ['skipped', ['profileStatus']],
    ]);
    expect(text).toMatch(/^– steps\[4\]/m);
    expect(formatSummary(r)).toBe("✓ nothing done by hand: every expectation checked on the devices held (6 steps); 3 expectation(s) skipped: they need mdmlab's admin API");
    // Nothing was created on the server by the run: it never used the admin API.
    expect((await mdmlab.api.get('/email-profiles')).body).toEqual([]);
  });

  it('runs the admin hook for each administrator step, and stops the run at a hook that fails, with its stderr', async () => {
    const log = join(dir, 'hook.log');
    const hook = `cat >> ${log}; if [ "$MDMLAB_SCENARIO_STEP" = deploy ]; then echo 'no such group: staff' >&2; exit 3; fi; echo '{"profileId":"com.example.p1"}'`;
    const enrollment = loadOperatorEnrollment({ enrollUrl: await mdmlabEnrollUrl('erin@contoso.com'), push: 'none', checkInMs: 0 });
    const r = await runForeign(
      `
name: a hook that fails
users: [{ upn: erin@contoso.com }]
groups: [{ name: staff, members: [erin@contoso.com] }]
devices: [{ id: erin-phone, platform: ios, user: erin@contoso.com }]
steps:
  - createEmailProfile: { ref: p1, platform: ios, name: Erin mail, host: mail.contoso.com, accountName: Corp }
  - deploy: { profile: p1, groups: [staff] }
  - wait: 1ms
`,
      enrollment,
      { hook },
    );
    expect(r.exitCode, printed(r)).toBe(1);
    expect(r.steps.map((s) => s.kind)).toEqual(['setup', 'createEmailProfile', 'deploy']);
    expect(r.steps[1]!.summary).toMatch(/^operator: create the ios email profile p1 .* \(done by the admin hook in \d+ ms\)$/);
    expect(r.steps[2]!.error).toBe('the admin hook failed the deploy step: it exited 3; stderr: no such group: staff');
    const messages = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(messages.map((m) => m.step)).toEqual(['setup', 'createEmailProfile', 'deploy', 'cleanup']);
    expect(messages[0]).toMatchObject({ users: [{ upn: 'erin@contoso.com' }], groups: [{ name: 'staff', members: ['erin@contoso.com'] }], devices: [{ id: 'erin-phone', platform: 'ios' }] });
    expect(messages[1]).toMatchObject({ ref: 'p1', settings: { platform: 'ios', host: 'mail.contoso.com' }, path: 'steps[0]' });
    expect(messages[3]).toMatchObject({ profiles: { p1: 'com.example.p1' } });
  });

  it('plays a shipped scenario with an admin hook that operates mdmlab through its admin API (the devices: protocols only, no push)', async () => {
    const state = join(dir, 'operator-state.json');
    const hook = `node ${join(repoRoot, 'test/scenarios/fixtures/mdmlab-operator-hook.mjs')} ${state} ${mdmlab.url.replace('localhost', '127.0.0.1')} ${mdmlab.adminToken}`;
    const enrollment = loadOperatorEnrollment({ push: 'none', checkInMs: 0 }, { requireSource: false });
    const r = await runForeign(readFileSync(join(repoRoot, 'scenarios/ios-any-server-manual-account-first.yaml'), 'utf8'), enrollment, { hook });
    const text = printed(r);
    expect(r.exitCode, text).toBe(0);
    expect(r.skipped).toBe(3); // compliance and profiles, then profiles
    expect(r.steps[1]!.summary).toBe("lena-iphone enrolled (from the admin hook's URL)");
    // The server saw what the device did, through the device protocols alone.
    const [device] = (await mdmlab.api.get('/devices?hardwareId=' + encodeURIComponent(Object.values(r.ids!.devices)[0]!.hardwareId))).body as { id: string; status: string }[];
    expect(device!.status).toBe('unenrolled'); // the cleanup's CheckOut
    const history = ((await mdmlab.api.get(`/devices/${device!.id}/commands`)).body as { history: { requestType: string; status: string }[] }).history;
    expect(history.map((h) => `${h.requestType} ${h.status}`).reverse()).toEqual(['InstallProfile Error', 'InstallProfile Acknowledged']);
    // And the hook cleaned up what it made.
    expect((await mdmlab.api.get('/email-profiles')).body).toEqual([]);
    expect((await mdmlab.api.get('/groups')).body).toEqual([]);
    // Each hook step is a node process: seconds each on a loaded 2-core machine.
  }, 180_000);
});

function writeProfile(bytes: Buffer): string {
  const p = join(dir, `enroll-${Math.random().toString(36).slice(2)}.mobileconfig`);
  writeFileSync(p, bytes);
  return p;
}
