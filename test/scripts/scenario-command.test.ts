import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../agents/scenario/runner.js';
import { scenarioCommand, watchInterrupts } from '../../scripts/scenario.js';
import { repoRoot } from '../helpers/cli.js';
import { startTestServer } from '../helpers/server.js';

/** `mdmlab scenario run` in-process: seeded ids, --server, --keep. */
const dir = mkdtempSync(join(tmpdir(), 'mdmlab-scenario-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function scenario(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await scenarioCommand(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const story = (seed: string) => `
name: seeded ids
${seed}
users: [{ upn: ann@contoso.com }]
groups: [{ name: g, members: [ann@contoso.com] }]
certificateProfiles: [{ ref: c, kind: trustedRoot, platform: ios }]
devices: [{ id: ann-phone, platform: ios, user: ann@contoso.com }]
steps:
  - enroll: ann-phone
  - createEmailProfile: { ref: p, platform: ios, name: Corp, host: mail.contoso.com, accountName: Corp }
  - deploy: { profile: p, groups: [g] }
  - settle: {}
  - expect: { device: ann-phone, profiles: { p: installed } }
`;

async function ids(file: string): Promise<NonNullable<ScenarioResult['ids']>> {
  const r = await scenario(['run', file, '--json']);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as ScenarioResult).ids!;
}

describe('mdmlab scenario run', () => {
  it('a seeded file gets the same server and device ids on every run (embedded server)', async () => {
    const file = join(dir, 'seeded.yaml');
    writeFileSync(file, story('seed: 42'));
    const first = await ids(file);
    const second = await ids(file);
    expect(second).toEqual(first);
    expect(first.users['ann@contoso.com']).toMatch(/^usr_[0-9a-f]{20}$/);
    expect(first.groups.g).toMatch(/^grp_/);
    expect(first.certificateProfiles.c).toMatch(/^crt_/);
    expect(first.emailProfiles.p).toMatch(/^eml_/);
    expect(first.devices['ann-phone']).toMatchObject({ serverId: expect.stringMatching(/^dev_/), hardwareId: expect.any(String), serialNumber: expect.any(String) });

    // Without a seed, every run is a new one.
    writeFileSync(file, story(''));
    const a = await ids(file);
    const b = await ids(file);
    expect(b.emailProfiles.p).not.toBe(a.emailProfiles.p);
    expect(b.devices['ann-phone']!.hardwareId).not.toBe(a.devices['ann-phone']!.hardwareId);
  });

  it('--server: the run is tagged, cleans up after itself and says so; --keep leaves it all there', async () => {
    const server = await startTestServer();
    try {
      const file = join(repoRoot, 'scenarios', 'ios-enroll-first.yaml');
      const args = ['run', file, '--server', server.url, '--token', server.adminToken];
      const r = await scenario(args);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/✓ setup .* run [0-9a-f]{6}/);
      expect(r.stdout).toMatch(/✓ cleanup \(run [0-9a-f]{6}\): bob-iphone unenrolled; email profile corp deleted; group all-staff deleted; user bob@contoso\.com deleted/);
      expect((await server.api.get('/devices?status=enrolled')).body).toEqual([]);

      const kept = await scenario([...args, '--keep']);
      expect(kept.code, kept.stdout + kept.stderr).toBe(0);
      expect(kept.stdout).toContain('1 device(s) that enrolled stay enrolled');
      expect((await server.api.get('/devices?status=enrolled')).body).toHaveLength(1);
      expect(((await server.api.get('/email-profiles')).body as { definition: { name: string } }[]).map((p) => p.definition.name)).toEqual([
        expect.stringMatching(/^Corp mail · run [0-9a-f]{6}$/),
      ]);
    } finally {
      await server.stop();
    }
  });

  it('--json answers on stdout for a file it cannot read too, in the shape of an invalid file (exit 2)', async () => {
    const missing = join(dir, 'missing.yaml');
    const r = await scenario(['run', missing, '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ file: missing, ok: false, exitCode: 2, invalid: { path: '', reason: expect.stringContaining(`cannot read ${missing}`) } });
    const human = await scenario(['run', missing]);
    expect(human.code).toBe(2);
    expect(human.stdout).toBe('');
    expect(human.stderr).toContain(`mdmlab scenario: cannot read ${missing}`);
  });

  it('a run interrupted through its signal stops in its wait, says so and exits 1', async () => {
    const file = join(dir, 'long.yaml');
    writeFileSync(file, `${story('')}  - wait: 60s\n  - expect: { device: ann-phone, profiles: { p: installed } }\n`);
    const controller = new AbortController();
    let stdout = '';
    const started = Date.now();
    const code = await scenarioCommand(['run', file], {
      stdout: (t) => {
        stdout += t;
        // The expect before the wait has ended: the wait is under way.
        if (t.includes('steps[4]')) setTimeout(() => controller.abort(), 100);
      },
      stderr: (t) => (stdout += t),
    }, controller.signal);
    expect(code, stdout).toBe(1);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(stdout).toMatch(/✗ steps\[5\] \(line \d+\)\s+wait .*\n\s+error: interrupted/);
    expect(stdout).toContain('✗ seeded ids: interrupted during steps[5] (the rest of the file did not run)');
    expect(stdout).not.toContain('steps[6]');
  });

  it('--keep without --server is a usage error', async () => {
    const r = await scenario(['run', join(repoRoot, 'scenarios', 'ios-enroll-first.yaml'), '--keep']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--keep only means something with --server');
  });
});

describe('Ctrl-C during a run', () => {
  it('the first SIGINT or SIGTERM aborts the run, a second one exits at once with 128 + the signal number', () => {
    const proc = new EventEmitter();
    const said: string[] = [];
    const w = watchInterrupts(proc, { first: (n) => said.push(`first ${n}`), again: (n, code) => said.push(`again ${n} ${code}`) });
    expect(w.signal.aborted).toBe(false);
    proc.emit('SIGTERM');
    expect(w.signal.aborted).toBe(true);
    proc.emit('SIGINT');
    proc.emit('SIGTERM');
    expect(said).toEqual(['first SIGTERM', 'again SIGINT 130', 'again SIGTERM 143']);
    w.dispose();
    expect(proc.listenerCount('SIGINT') + proc.listenerCount('SIGTERM')).toBe(0);
  });
});
