import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCode, spawnCli } from '../helpers/cli.js';

/** `mdmlab scenario run` as a process that gets Ctrl-C (SIGINT) in the middle of a run. */
const dir = mkdtempSync(join(tmpdir(), 'mdmlab-scenario-int-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const long = `
name: long story
users: [{ upn: ivy@contoso.com }]
groups: [{ name: g, members: [ivy@contoso.com] }]
devices: [{ id: ivy-phone, platform: ios, user: ivy@contoso.com }]
steps:
  - enroll: ivy-phone
  - wait: 60s
  - expect: { device: ivy-phone, compliance: compliant }
`;

describe('mdmlab scenario run, interrupted', () => {
  it('SIGINT stops the run in its wait, removes the embedded server\'s temporary store, says so and exits 1', async () => {
    const file = join(dir, 'long.yaml');
    writeFileSync(file, long);
    // The embedded store goes to the child's own temporary folder, to see what it leaves there.
    const tmp = mkdtempSync(join(dir, 'tmp-'));
    const child = spawnCli(['scenario', 'run', file], { TMPDIR: tmp });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const waiting = new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('steps[0]')) resolve();
      }),
    );
    await waiting;
    expect(readdirSync(tmp).filter((f) => f.startsWith('mdmlab-scenario-'))).toHaveLength(1);
    const sent = Date.now();
    child.kill('SIGINT');
    const code = await exitCode(child);
    expect(code, stdout + stderr).toBe(1);
    expect(Date.now() - sent).toBeLessThan(5000);
    expect(stderr).toContain('SIGINT: stopping after the step under way');
    expect(stdout).toContain('✗ long story: interrupted during steps[1] (the rest of the file did not run)');
    expect(readdirSync(tmp).filter((f) => f.startsWith('mdmlab-scenario-'))).toEqual([]);
  }, 30_000);
});
