import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const run = (args: string[]) => runCli(['fleet', ...args]);

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
