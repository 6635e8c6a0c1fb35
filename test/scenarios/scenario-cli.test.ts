import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mdmlab-scn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => runCli(['scenario', ...args]);

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const base = `
name: cli test
users: [{ upn: zoe@contoso.com }]
groups: [{ name: g, members: [zoe@contoso.com] }]
devices: [{ id: zoe-phone, platform: ios, user: zoe@contoso.com }]
steps:
  - enroll: zoe-phone
  - createEmailProfile: { ref: p, platform: ios, name: P, host: mail.contoso.com, accountName: P }
  - deploy: { profile: p, groups: [g] }
  - settle: {}
`;

describe('mdmlab scenario run', () => {
  it('exits 0 when every expectation holds', async () => {
    const r = await run(['run', join(repoRoot, 'scenarios', 'ios-enroll-first.yaml')]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('every expectation held');
  });

  it('exits 1 and prints what was expected and what was found', async () => {
    const r = await run(['run', file('fail.yaml', `${base}  - expect: { device: zoe-phone, profiles: { p: blocked }, mailAccounts: [] }\n`)]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('profiles.p');
    expect(r.stdout).toContain('expected: blocked');
    expect(r.stdout).toContain('found:    server reports installed');
    expect(r.stdout).toContain('mailAccounts zoe@contoso.com on mail.contoso.com');
  });

  it('exits 2 for an invalid file, naming the path and line', async () => {
    const r = await run(['run', file('bad.yaml', `${base}  - expect: { device: zoe-phone, profiles: { q: installed } }\n`)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('steps[4].expect.profiles.q');
    expect(r.stderr).toMatch(/line \d+/);
  });

  // Every platform the format names is simulated now: a platform it does not name is the refused one.
  it('exits 2 for a file naming a platform that does not exist', async () => {
    const r = await run(['run', file('blackberry.yaml', base.replace('platform: ios, user', 'platform: blackberry, user'))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('devices[0].platform');
  });

  it('--json prints a machine-readable report', async () => {
    const r = await run(['run', file('json.yaml', `${base}  - expect: { device: zoe-phone, profiles: { p: installed } }\n`), '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: true, exitCode: 0, name: 'cli test' });
    expect(report.steps.map((s: { kind: string }) => s.kind)).toEqual(['setup', 'enroll', 'createEmailProfile', 'deploy', 'settle', 'expect']);
    const invalid = await run(['run', file('bad2.yaml', 'name: x\nsteps: []\n'), '--json']);
    expect(invalid.code).toBe(2);
    expect(JSON.parse(invalid.stdout).invalid).toMatchObject({ path: 'steps' });
  }, 90_000); // two CLI processes, each starting node with tsx: slow on a loaded 2-core machine
});
