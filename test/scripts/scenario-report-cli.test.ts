import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../agents/report/report-model.js';
import { scenarioCommand } from '../../scripts/scenario.js';
import { repoRoot } from '../helpers/cli.js';

/**
 * `mdmlab scenario run FILE --report DIR` writes the report model (report.json) and its
 * self-contained HTML: the steps with pass / fail, what a failed expectation expected and found,
 * each device's mail store before the first step and after the last.
 */
const dir = mkdtempSync(join(tmpdir(), 'mdmlab-scenario-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function scenario(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await scenarioCommand(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const readReport = (out: string) => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;

describe('mdmlab scenario run --report', () => {
  it("writes report.json and report.html: the steps, and each device's mail store before and after", async () => {
    const out = join(dir, 'ios');
    const r = await scenario(['run', join(repoRoot, 'scenarios', 'ios-manual-account-first.yaml'), '--report', out]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`report: ${join(out, 'report.html')}`);
    const report = readReport(out);
    expect(report).toMatchObject({ schema: 'mdmlab-report', kind: 'scenario', run: { exitCode: 0, interrupted: false, seed: '42', endReason: 'every expectation held' } });
    const [story] = report.scenarios!;
    expect(story).toMatchObject({ name: 'ios manual account blocks the managed profile until the user removes it', ok: true, exitCode: 0 });
    expect(story!.steps.map((s) => s.ok)).toEqual(Array(story!.steps.length).fill(true));
    expect(story!.steps).toHaveLength(11);
    expect(story!.devices).toEqual([
      {
        id: 'alice-iphone',
        platform: 'ios',
        hardwareId: expect.any(String),
        before: [{ email: 'alice@contoso.com', host: 'mail.contoso.com', managed: false }],
        after: [{ email: 'alice@contoso.com', host: 'mail.contoso.com', managed: true, profile: 'p1', accountName: 'Corp mail' }],
      },
    ]);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<span class="badge pass">PASS</span>');
    expect(html).toContain('mail store before');
    expect(html).toContain('managed by p1');
    expect(html).not.toMatch(/<script[^>]+src=/);
  }, 120_000);

  it('a failed expectation: exit 1, and the report shows what was expected and found', async () => {
    const file = join(dir, 'wrong.yaml');
    writeFileSync(
      file,
      `name: a story told wrong
users: [{ upn: ann@contoso.com }]
groups: [{ name: g, members: [ann@contoso.com] }]
devices: [{ id: ann-laptop, platform: windows10, user: ann@contoso.com, mailAccounts: [{ email: ann@contoso.com, host: mail.contoso.com }] }]
steps:
  - enroll: ann-laptop
  - createEmailProfile: { ref: p, platform: windows10, name: Corp, host: mail.contoso.com, accountName: Corp }
  - deploy: { profile: p, groups: [g] }
  - settle: {}
  - expect: { device: ann-laptop, profiles: { p: blocked } }
`,
    );
    const out = join(dir, 'wrong');
    const r = await scenario(['run', file, '--report', out, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, report: { json: join(out, 'report.json'), html: join(out, 'report.html') } });
    const report = readReport(out);
    expect(report.run).toMatchObject({ exitCode: 1, endReason: 'an expectation did not hold' });
    const failed = report.scenarios![0]!.steps.find((s) => !s.ok)!;
    expect(failed).toMatchObject({ kind: 'expect', failures: [{ expected: 'blocked', found: 'server reports installed' }] });
    expect(report.scenarios![0]!.devices[0]).toMatchObject({
      before: [{ email: 'ann@contoso.com', managed: false }],
      after: [{ email: 'ann@contoso.com', managed: true, replacedUserAccount: true }],
    });
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<span class="badge fail">FAIL</span>');
    expect(html).toContain('expected: blocked\nfound:    server reports installed');
  }, 120_000);
});
