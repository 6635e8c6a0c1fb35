import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioCommand } from '../../scripts/scenario.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startForeignMdmServer } from '../agents/ios/foreign-mdm-server.js';
import { AdminClient } from '../../agents/admin/admin-client.js';

/**
 * `mdmlab scenario run` and servers that are not mdmlab's: a --server that is not one is refused in
 * one sentence (it used to end in "Unexpected non-whitespace character after JSON at position 4"),
 * and --foreign plays a file against any server through the device protocols. CI runs --foreign
 * against mdmlab's own server, whose admin API only the admin hook (the operator) uses.
 */

const dir = mkdtempSync(join(tmpdir(), 'mdmlab-foreign-cli-'));
let notMdmlab: http.Server;
let notMdmlabUrl: string;
let mdmlab: TestServer;

beforeAll(async () => {
  // What NanoMDM or MicroMDM answer for a path they do not serve (Go's http.NotFound).
  notMdmlab = http.createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n'));
  await new Promise<void>((ok) => notMdmlab.listen(0, '127.0.0.1', ok));
  notMdmlabUrl = `http://127.0.0.1:${(notMdmlab.address() as AddressInfo).port}`;
  mdmlab = await startTestServer();
});
afterAll(async () => {
  notMdmlab.close();
  await mdmlab.stop();
  rmSync(dir, { recursive: true, force: true });
});

const scenario = join(repoRoot, 'scenarios', 'ios-any-server-manual-account-first.yaml');
/** The command in this process (what the bin runs; an AbortSignal of its own instead of the process's signals). */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await scenarioCommand(['run', ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, new AbortController().signal);
  return { code, stdout, stderr };
}

describe('a --server that is not mdmlab', () => {
  it('is refused in one sentence naming what it answered and what to do instead (exit 2)', async () => {
    const r = await run([scenario, '--server', notMdmlabUrl, '--token', 'x']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toBe(
      `mdmlab scenario: ${notMdmlabUrl} is not an mdmlab server (GET ${notMdmlabUrl}/api/v1/openapi.json answered 404 (text/plain): "404 page not found"); ` +
        "to play the file's device steps against it, run with --foreign --enroll-url URL (or --enroll-profile FILE) [--ca FILE] [--push none] [--admin-hook CMD]\n",
    );
    const json = await run([scenario, '--server', notMdmlabUrl, '--token', 'x', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, exitCode: 2, message: expect.stringContaining('is not an mdmlab server') });
  });

  it('an mdmlab --server is still played as before', async () => {
    const r = await run([scenario, '--server', mdmlab.url, '--token', mdmlab.adminToken]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('every expectation held');
  });
});

describe('--foreign', () => {
  it('plays the file through the device protocols, the admin hook playing the operator; server-side expectations skipped', async () => {
    const state = join(dir, 'hook-state.json');
    const hook = `node ${join(repoRoot, 'test/scenarios/fixtures/mdmlab-operator-hook.mjs')} ${state} ${mdmlab.url.replace('localhost', '127.0.0.1')} ${mdmlab.adminToken}`;
    // As users run it: the mdmlab command in its own process.
    const r = await runCli(['scenario', 'run', scenario, '--foreign', '--admin-hook', hook, '--push', 'none', '--check-in', '0']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("a server that is not mdmlab's (enrollment from the admin hook; no push service (devices poll); no timed check-in; administrator steps by the admin hook)");
    expect(r.stdout).toMatch(/✓ steps\[1\] .* operator: create the ios email profile p1 .*\(done by the admin hook in \d+ ms\)/);
    expect(r.stdout).toContain("expect lena-iphone: compliance, profiles, mailAccounts, commands (skipped, they need mdmlab's admin API: compliance, profiles)");
    expect(r.stdout).toMatch(/✓ cleanup: lena-iphone unenrolled; operator: cleanup done by the admin hook in \d+ ms/);
    expect(r.stdout).toContain("every expectation checked on the devices held (9 steps); 3 expectation(s) skipped: they need mdmlab's admin API");
    expect((await mdmlab.api.get('/email-profiles')).body).toEqual([]);
    expect((await mdmlab.api.get('/devices?status=enrolled')).body).toEqual([]);
    // Each hook step is a node process: seconds each on a loaded 2-core machine.
  }, 180_000);

  it('--json says so: mode foreign, the skipped parts of each step, and their count', async () => {
    const url = (await mdmlab.api.post('/enrollment-tokens', { userId: ((await mdmlab.api.post('/users', { upn: 'json@contoso.com' })).body as { id: string }).id, reusable: true })).body.enrollUrl as string;
    const file = join(dir, 'json.yaml');
    writeFileSync(
      file,
      'name: json\nusers: [{ upn: json@contoso.com }]\ndevices: [{ id: d, platform: ios, user: json@contoso.com }]\nsteps:\n  - enroll: d\n  - expect: { device: d, compliance: compliant }\n',
    );
    const r = await run([file, '--foreign', '--enroll-url', url, '--push', 'none', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: true, exitCode: 0, mode: 'foreign', skipped: 1 });
    expect(report.steps[2]).toMatchObject({ kind: 'expect', ok: true, status: 'skipped', skipped: ['compliance'] });
  }, 60_000);

  it('refuses flags that do not fit, in one line each (exit 2)', async () => {
    const cases: [string[], string][] = [
      [['--enroll-url', 'https://mdm.example/enroll'], "--enroll-url is for a server that is not mdmlab's: add --foreign"],
      [
        ['--foreign'],
        'devices need an enrollment: --enroll-url URL (where the enrollment profile is served) or --enroll-profile FILE (a saved .mobileconfig); Windows devices: --discovery-url URL --upn USER --password SECRET',
      ],
      [['--foreign', '--discovery-url', 'https://mdm.example/EnrollmentServer/Discovery.svc', '--upn', 'u@contoso.com', '--password', 'p'], 'lena-iphone (ios) needs --enroll-url URL or --enroll-profile FILE'],
      [['--foreign', '--enroll-url', 'https://mdm.example/enroll', '--upn', 'u@contoso.com'], 'Windows devices enroll with --discovery-url URL --upn USER --password SECRET: give all three'],
      [['--discovery-url', 'https://mdm.example/d'], "--discovery-url is for a server that is not mdmlab's: add --foreign"],
      [['--foreign', '--enroll-url', 'https://mdm.example/enroll', '--token', 't'], "--token is mdmlab's admin token; a --foreign run never uses an admin API"],
      [['--foreign', '--enroll-url', 'https://mdm.example/enroll', '--push', 'apns'], '--push must be auto, none or a ws:// or wss:// URL, not "apns"'],
      [['--foreign', '--enroll-profile', join(dir, 'missing.mobileconfig')], `--enroll-profile: cannot read ${join(dir, 'missing.mobileconfig')}: ENOENT`],
      [['--foreign', '--enroll-url', 'https://mdm.example/enroll', '--check-in', 'often'], '--check-in must be a duration such as 30s, 500ms or 2m, not "often"'],
    ];
    for (const [flags, message] of cases) {
      const r = await run([scenario, ...flags]);
      expect({ flags, code: r.code, stderr: r.stderr }).toEqual({ flags, code: 2, stderr: `mdmlab scenario: ${message}\n` });
    }
  }, 60_000);

  it('windows10: enrolls from the MS-MDE2 discovery URL with the user name and password (the operator set the server up), no push service', async () => {
    // The operator's side, on mdmlab's admin API: the user, a reusable Windows enrollment token (the
    // password of on-premise authentication), the group and the deployed profile.
    const user = (await mdmlab.api.post('/users', { upn: 'ines@contoso.com' })).body as { id: string };
    const group = (await mdmlab.api.post('/groups', { name: 'sales' })).body as { id: string };
    await mdmlab.api.post(`/groups/${group.id}/members`, { users: [user.id] });
    const profile = (await mdmlab.api.post('/email-profiles', { platform: 'windows10', name: 'Corp mail', host: 'mail.contoso.com', accountName: 'Corp mail', daysToSync: 7, useSsl: true })).body as { id: string };
    await mdmlab.api.put(`/email-profiles/${profile.id}/deployment`, { groupIds: [group.id] });
    const t = (await mdmlab.api.post('/enrollment-tokens', { userId: user.id, platform: 'windows10', reusable: true })).body as { token: string; discoveryUrl: string };
    const file = join(repoRoot, 'scenarios', 'windows-any-server-manual-account-first.yaml');
    try {
      const r = await run([file, '--foreign', '--discovery-url', t.discoveryUrl, '--upn', 'ines@contoso.com', '--password', t.token, '--push', 'none', '--check-in', '0']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain(`✓ steps[0] (line 28)     ines-laptop enrolled (from ${t.discoveryUrl} as ines@contoso.com)`);
      expect(r.stdout).toContain("(skipped, they need mdmlab's admin API: compliance, profiles, alerts)");
      expect(r.stdout).toMatch(/✓ cleanup: ines-laptop unenrolled/);
      // The password is a secret: never printed.
      expect(r.stdout + r.stderr).not.toContain(t.token);
      // The server saw the device through its protocols alone: enrolled, the profile installed, then unenrolled by the cleanup.
      const devices = (await mdmlab.api.get('/devices?platform=windows10')).body as { id: string; status: string }[];
      expect(devices.map((d) => d.status)).toEqual(['unenrolled']);
      const report = (await mdmlab.api.get(`/devices/${devices[0]!.id}`)).body as { profiles: { profileId: string; state: string }[] };
      expect(report.profiles).toMatchObject([{ profileId: profile.id, state: 'removed' }]); // installed, then removed by the unenrollment

      // A windows10 device without the Windows flags cannot run: one line, exit 2, nothing enrolled.
      const refused = await run([file, '--foreign', '--enroll-url', 'https://mdm.example/enroll']);
      expect({ code: refused.code, stderr: refused.stderr }).toEqual({
        code: 2,
        stderr: 'mdmlab scenario: ines-laptop (windows10) needs --discovery-url URL --upn USER --password SECRET (MS-MDE2 on-premise authentication)\n',
      });
    } finally {
      await mdmlab.api.delete(`/email-profiles/${profile.id}`);
      await mdmlab.api.delete(`/groups/${group.id}`);
    }
  }, 60_000);

  it("prints what the devices find odd about the server (no push gateway, a DES SCEP reply) as notices; --json stays one object", async () => {
    // NanoMDM-like: one profile URL, micromdm/scep's DES CertRep, nothing at /push. --push left at auto.
    const foreignServer = await startForeignMdmServer();
    try {
      const file = join(dir, 'notices.yaml');
      writeFileSync(
        file,
        'name: notices\nusers: [{ upn: pat@contoso.com }]\ndevices: [{ id: pat-iphone, platform: ios, user: pat@contoso.com }]\n' +
          'steps:\n  - enroll: pat-iphone\n  - user: { device: pat-iphone, checkIn: true }\n  - settle: {}\n  - expect: { device: pat-iphone, mailAccounts: [] }\n',
      );
      const r = await run([file, '--foreign', '--enroll-url', foreignServer.enrollUrl, '--check-in', '0']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^… pat-iphone: the SCEP server encrypted its reply with des-cbc, a weak cipher/m);
      expect(r.stdout).toMatch(/^… pat-iphone: enrolling without push: .*; the device checks in never on its own and when its user checks in$/m);
      // The device's informational lines are not notices.
      expect(r.stdout).not.toMatch(/^… pat-iphone: .*"level"/m);

      const json = await run([file, '--foreign', '--enroll-url', foreignServer.enrollUrl, '--check-in', '0', '--json']);
      expect(json.code, json.stderr).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, mode: 'foreign' });
    } finally {
      await foreignServer.close();
    }
  }, 60_000);

  it('--ca: devices trust the given CA for an https server (and find its push gateway with it); without it they refuse the server', async () => {
    const tls = await startTestServer({ tls: true });
    try {
      const caFile = join(dir, 'tls-ca.pem');
      writeFileSync(caFile, tls.identity.ca.certPem);
      const admin = new AdminClient(tls.url, tls.adminToken, tls.identity.ca.certPem);
      const user = await admin.call<{ id: string }>('POST', '/users', { upn: 'tls@contoso.com' });
      const { enrollUrl } = await admin.call<{ enrollUrl: string }>('POST', '/enrollment-tokens', { userId: user.id, reusable: true });
      expect(enrollUrl).toMatch(/^https:/);
      const file = join(dir, 'tls.yaml');
      writeFileSync(
        file,
        'name: tls\nusers: [{ upn: tls@contoso.com }]\ndevices: [{ id: tls-iphone, platform: ios, user: tls@contoso.com }]\n' +
          'steps:\n  - enroll: tls-iphone\n  - settle: {}\n  - expect: { device: tls-iphone, mailAccounts: [] }\n',
      );
      const ok = await run([file, '--foreign', '--enroll-url', enrollUrl, '--ca', caFile, '--check-in', '0']);
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      // mdmlab's server has a push gateway next to it: --push auto (the default) uses it, nothing to say.
      expect(ok.stdout).not.toContain('… tls-iphone:');
      expect(ok.stdout).toContain('✓ steps[0] (line 5)      tls-iphone enrolled');

      const refused = await run([file, '--foreign', '--enroll-url', enrollUrl, '--check-in', '0']);
      expect(refused.code, refused.stdout + refused.stderr).toBe(1);
      expect(refused.stdout).toMatch(/✗ steps\[0\] \(line 5\) +enroll .*\n +error: enrollment profile from https:.*: (unable to verify the first certificate|self-signed certificate in certificate chain)\n/);
    } finally {
      await tls.stop();
    }
  }, 60_000);
});
