import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scenarioCommand } from '../../../scripts/scenario.js';
import { play, printed, stepAt, withServer } from './scenario-harness.js';

/** How the runner behaves while a scenario plays: failures, waits, settling, step errors. */

const dir = mkdtempSync(join(tmpdir(), 'mdmlab-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const dan = `
users: [{ upn: dan@contoso.com }]
groups: [{ name: g, members: [dan@contoso.com] }]
devices: [{ id: dan-phone, platform: ios, user: dan@contoso.com }]
`;
const corp = `{ ref: p, platform: ios, name: Corp, host: mail.contoso.com, accountName: Corp }`;

describe('scenario runner at run time', () => {
  it('fails when server and device disagree, says why, and cleanup still retires the device', async () => {
    // Leaving management while offline: the device drops its profiles, but CheckOut is sent once
    // and never again, so the server keeps listing the device as enrolled with p installed. The
    // expectation matches the server, but the device does not hold p: that disagreement fails.
    const yaml = `name: unenrolled while offline\nseed: 5\n${dan}steps:
  - enroll: dan-phone
  - createEmailProfile: ${corp}
  - deploy: { profile: p, groups: [g] }
  - settle: {}
  - offline: dan-phone
  - unenroll: dan-phone
  - settle: {}
  - expect: { device: dan-phone, profiles: { p: installed }, mailAccounts: [] }
`;
    await withServer(async (server) => {
      const r = await play(server, yaml, { shared: {} });
      expect(r.exitCode, printed(r)).toBe(1);
      const expectStep = stepAt(r, 'steps[7]');
      expect(expectStep.failures).toEqual([
        {
          what: 'profiles.p (server vs device)',
          expected: 'installed on the device, as the server reports',
          found: expect.stringContaining('it was offline, and CheckOut is never sent again') as unknown,
        },
      ]);
      // The server could not hear of it; cleanup enrolls the device once more and leaves properly.
      expect(r.cleanup?.errors).toEqual([]);
      expect(r.cleanup?.actions.join('\n')).toContain('dan-phone enrolled again and unenrolled');
      expect((await server.api.get('/devices?status=enrolled')).body).toEqual([]);
    });
  });

  it('profileStatus is counted on the devices too: the overview\'s installed count must match the devices holding the profile', async () => {
    const yaml = `name: overview vs devices\nseed: 6\n${dan}steps:
  - enroll: dan-phone
  - createEmailProfile: ${corp}
  - deploy: { profile: p, groups: [g] }
  - settle: {}
  - expect: { profileStatus: { p: { installed: 1 } } }
  - offline: dan-phone
  - unenroll: dan-phone
  - expect: { profileStatus: { p: { installed: 1 } } }
`;
    await withServer(async (server) => {
      const r = await play(server, yaml);
      expect(r.exitCode, printed(r)).toBe(1);
      expect(stepAt(r, 'steps[4]').failures ?? []).toEqual([]);
      expect(stepAt(r, 'steps[7]').failures).toEqual([
        { what: 'profileStatus.p (server vs devices)', expected: '1 device(s) holding it, as the server counts', found: "0 of this run's devices hold it" },
      ]);
    });
  });

  it('wait: waits at run time; settle reports what it holds for an offline device', async () => {
    const yaml = `name: timing\n${dan}steps:
  - enroll: dan-phone
  - offline: dan-phone
  - createEmailProfile: ${corp}
  - deploy: { profile: p, groups: [g] }
  - settle: {}
  - wait: 300ms
  - expect: { device: dan-phone, profiles: { p: pending } }
  - online: dan-phone
  - settle: {}
  - expect: { device: dan-phone, profiles: { p: installed } }
`;
    await withServer(async (server) => {
      const r = await play(server, yaml);
      expect(r.exitCode, printed(r)).toBe(0);
      expect(stepAt(r, 'steps[4]').summary).toBe('settled; held for offline devices: dan-phone (offline): 1 command(s) (InstallProfile p queued)');
      const wait = stepAt(r, 'steps[5]');
      expect(wait.summary).toBe('waited 300 ms');
      expect(wait.ms).toBeGreaterThanOrEqual(295);
      expect(stepAt(r, 'steps[8]').summary).toBe('settled');
    });
  });

  it('notApplicable: a profile for another platform is recorded as such, not delivered', async () => {
    const yaml = `name: not applicable\n${dan}steps:
  - enroll: dan-phone
  - createEmailProfile: { ref: w, platform: windows10, name: Windows mail, host: mail.contoso.com, accountName: Corp }
  - deploy: { profile: w, groups: [g] }
  - settle: {}
  - expect:
      device: dan-phone
      compliance: compliant
      profiles: { w: notApplicable }
      mailAccounts: []
      profileStatus: { w: { notApplicable: 1, pending: 0, installed: 0 } }
`;
    await withServer(async (server) => {
      const r = await play(server, yaml);
      expect(r.exitCode, printed(r)).toBe(0);
    });
  });

  it('a settle that times out fails the run (exit 1), naming the devices and commands still pending', async () => {
    // A device whose push connection silently died right after enrolling: the runner thinks it
    // online, the server has its profile command queued, and nothing ever fetches it.
    const yaml = `name: lost push\n${dan}steps:
  - enroll: dan-phone
  - createEmailProfile: ${corp}
  - deploy: { profile: p, groups: [g] }
  - settle: { timeout: 400ms }
  - expect: { device: dan-phone, profiles: { p: installed } }
`;
    await withServer(async (server) => {
      const r = await play(server, yaml, {
        adapt: (device) => {
          const enroll = device.enroll.bind(device);
          device.enroll = async (url) => {
            await enroll(url);
            await device.setOnline(false);
          };
          return device;
        },
      });
      expect(r.exitCode).toBe(1);
      const settle = stepAt(r, 'steps[3]');
      expect(settle.ok).toBe(false);
      expect(settle.line).toBe(10);
      expect(settle.error).toBe('did not settle within 400 ms: the server has 1 command(s) (InstallProfile p queued) pending for dan-phone');
      expect(r.steps.map((s) => s.path)).not.toContain('steps[4]');
    });
  });

  it('an interrupted settle stops waiting at once: the run ends there, interrupted, with exit code 1', async () => {
    const yaml = `name: lost push, interrupted\n${dan}steps:
  - enroll: dan-phone
  - createEmailProfile: ${corp}
  - deploy: { profile: p, groups: [g] }
  - settle: { timeout: 60s }
  - expect: { device: dan-phone, profiles: { p: installed } }
`;
    await withServer(async (server) => {
      const controller = new AbortController();
      const r = await play(server, yaml, {
        signal: controller.signal,
        onStep: (step) => void (step.path === 'steps[2]' && setTimeout(() => controller.abort(), 200)),
        adapt: (device) => {
          const enroll = device.enroll.bind(device);
          device.enroll = async (url) => {
            await enroll(url);
            await device.setOnline(false);
          };
          return device;
        },
      });
      expect(r).toMatchObject({ exitCode: 1, ok: false, interrupted: true, message: 'interrupted during steps[3]' });
      const settle = stepAt(r, 'steps[3]');
      expect(settle).toMatchObject({ ok: false, error: 'interrupted' });
      expect(settle.ms).toBeLessThan(3000);
      expect(r.steps.map((s) => s.path)).not.toContain('steps[4]');
    });
  });

  it('server-wide alerts see this run only: another run kept on the same server does not count', async () => {
    const blocked = `name: blocked twice
users: [{ upn: eve@contoso.com }]
groups: [{ name: g, members: [eve@contoso.com] }]
devices: [{ id: eve-phone, platform: ios, user: eve@contoso.com, mailAccounts: [{ email: eve@contoso.com, host: mail.contoso.com }] }]
steps:
  - enroll: eve-phone
  - createEmailProfile: ${corp}
  - deploy: { profile: p, groups: [g] }
  - settle: {}
  - expect: { alerts: [duplicateAccount] }
`;
    const clean = `name: clean\n${dan}steps:
  - enroll: dan-phone
  - createEmailProfile: ${corp}
  - deploy: { profile: p, groups: [g] }
  - settle: {}
  - expect: { alerts: [] }
`;
    await withServer(async (server) => {
      const kept = await play(server, blocked, { shared: { keep: true } });
      expect(kept.exitCode, printed(kept)).toBe(0);
      expect(kept.cleanup).toBeUndefined();
      expect((await server.api.get('/alerts')).body).toMatchObject([{ kind: 'duplicateAccount' }]);
      const r = await play(server, clean, { shared: {} });
      expect(r.exitCode, printed(r)).toBe(0);
      // And the other way round: this run's own alert is seen, the kept run's is not double-counted.
      const again = await play(server, blocked.replaceAll('eve', 'fay'), { shared: {} });
      expect(again.exitCode, printed(again)).toBe(0);
    });
  });

  it('a step the server refuses stops the run with exit 1 and names the step', async () => {
    const file = join(dir, 'refused.yaml');
    writeFileSync(
      file,
      `name: refused edit\n${dan}steps:
  - enroll: dan-phone
  - createEmailProfile: ${corp}
  - deploy: { profile: p, groups: [g] }
  - updateEmailProfile: { profile: p, host: mail2.contoso.com }
  - settle: {}
`,
    );
    let stdout = '';
    const code = await scenarioCommand(['run', file], { stdout: (t) => (stdout += t), stderr: (t) => (stdout += t) });
    expect(code, stdout).toBe(1);
    expect(stdout).toMatch(/✗ steps\[3\] \(line 10\)\s+updateEmailProfile/);
    expect(stdout).toContain('error: the server refused (409 immutableSetting on host)');
    expect(stdout).not.toContain('steps[4]');
    expect(stdout).toContain('✗ refused edit: 1 step(s) failed');
  });
});
