import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';

async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnCli(['fleet', ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  return { code, stdout, stderr };
}

describe('mdmlab fleet', () => {
  it('enrolls N iOS devices, delivers the profile to each and prints a summary', async () => {
    const r = await run(['--platform', 'ios', '--count', '4', '--profile', '--until-installed', '--seed', 'fleet-test', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ reason: 'every device installed the profile', devices: 4, enrolled: 4, enrollFailed: 0, commands: { 'InstallProfile Acknowledged': 4 } });
    expect(summary.enrollLatencyMs.count).toBe(4);
    expect(summary.profileLatencyMs.p50).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/enrolled \d+\/4/);
  });

  it('stops after --duration with a human summary', async () => {
    const r = await run(['--count', '2', '--duration', '3s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('fleet stopped: duration reached');
    expect(r.stdout).toMatch(/devices\s+2\/2 enrolled, 0 failed/);
  });

  it('refuses bad options with exit code 2', async () => {
    expect((await run(['--platform', 'samsungKnox', '--count', '2'])).code).toBe(2);
    expect((await run(['--count', 'many'])).code).toBe(2);
    expect((await run(['--until-installed'])).code).toBe(2);
  });
});
