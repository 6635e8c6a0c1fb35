import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SimulatedDevice } from '../../agents/device.js';
import { newReport, type Report, type RunInfo, type ScenarioSection } from '../../agents/report/report-model.js';
import { mailStoreView, scenarioSection, type DeviceStores } from '../../agents/report/scenario-section.js';
import { renderReportHtml } from '../../scripts/report/render-html.js';
import { play, withServer } from '../agents/scenario/scenario-harness.js';
import { repoRoot } from '../helpers/cli.js';

/**
 * The scenario part of the report, fed by the scenario runner's own result (what `mdmlab scenario
 * run --report` and the demo will write): steps with pass / fail, expectations that failed with
 * what was expected and found, and each device's mail store before and after.
 */

const run: RunInfo = { startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:05.000Z', elapsedMs: 5000, endReason: 'every step played', interrupted: false, exitCode: 0, parameters: { file: 'scenarios/x.yaml' } };

async function playedSection(file: string, extra: { platform?: 'ios'; verdict?: string } = {}): Promise<ScenarioSection> {
  return withServer(async (server) => {
    const devices: SimulatedDevice[] = [];
    const before = new Map<string, Promise<DeviceStores['before']>>();
    const result = await play(server, readFileSync(join(repoRoot, file), 'utf8'), {
      adapt: (d) => {
        devices.push(d);
        return d;
      },
      // The setup step ends once the hand-made accounts are on the devices: the "before" picture.
      onStep: (s) => {
        if (s.kind === 'setup') for (const d of devices) before.set(d.id, mailStoreView(d));
      },
    });
    const refOf = new Map(Object.entries(result.ids?.emailProfiles ?? {}).map(([ref, id]) => [id, ref]));
    const stores: DeviceStores[] = [];
    for (const d of devices) stores.push({ id: d.id, platform: d.platform, hardwareId: d.hardwareId, before: (await before.get(d.id)) ?? [], after: await mailStoreView(d, (id) => refOf.get(id)) });
    return scenarioSection(result, stores, extra);
  });
}

describe('the scenario part of reports', () => {
  it("takes the scenario runner's result as it is: steps, expectations and each device's mail store before and after", async () => {
    const section = await playedSection('scenarios/ios-manual-account-first.yaml');
    expect(section).toMatchObject({ name: 'ios manual account blocks the managed profile until the user removes it', ok: true, exitCode: 0 });
    expect(section.steps[0]).toMatchObject({ path: 'setup', kind: 'setup', ok: true });
    expect(section.steps.filter((s) => s.kind === 'expect')).toHaveLength(4);
    expect(section.devices).toEqual([
      {
        id: 'alice-iphone',
        platform: 'ios',
        hardwareId: expect.any(String),
        before: [{ email: 'alice@contoso.com', host: 'mail.contoso.com', managed: false }],
        after: [{ email: 'alice@contoso.com', host: 'mail.contoso.com', managed: true, profile: 'p1', accountName: 'Corp mail' }],
      },
    ]);
    const report: Report = { ...newReport('scenario', section.name, run, '0.1.0'), scenarios: [section] };
    const html = renderReportHtml(report);
    expect(html).toContain('mail store before');
    expect(html).toContain('set up by the user');
    expect(html).toContain('managed by p1');
    expect(html).toContain('expect alice-iphone: compliance, profiles, mailAccounts, alerts');
    expect(html).toContain('<span class="badge pass">PASS</span>');
  }, 120_000);

  it('shows a failed expectation with what was expected and found, and escapes what it prints', () => {
    const section = scenarioSection(
      {
        name: 'a <script>alert(1)</script> story',
        ok: false,
        exitCode: 1,
        steps: [{ path: 'steps[2]', line: 14, kind: 'expect', summary: 'expect d: profiles', ok: false, ms: 3, failures: [{ what: 'd: profile p1', expected: 'installed', found: 'blocked </script>' }] }],
      },
      [],
    );
    const html = renderReportHtml({ ...newReport('scenario', section.name, { ...run, exitCode: 1 }, '0.1.0'), scenarios: [section] });
    expect(html).toContain('a &lt;script&gt;alert(1)&lt;/script&gt; story');
    expect(html).toContain('expected: installed\nfound:    blocked &lt;/script&gt;');
    expect(html).toContain('<span class="badge fail">FAIL</span>');
    expect(html).not.toContain('<script>alert(1)');
  });

  it('puts the demo stories side by side with their verdicts', () => {
    const story = (platform: 'ios', verdict: string, name: string): ScenarioSection => ({ ...scenarioSection({ name, ok: true, exitCode: 0, steps: [] }, []), platform, verdict });
    const html = renderReportHtml({
      ...newReport('demo', 'enroll before you set up mail', run, '0.1.0'),
      scenarios: [story('ios', 'blocked until the user removed the account', 'manual first'), story('ios', 'the managed account arrived at once', 'enrolled first')],
    });
    expect(html).toContain('<div class="stories">');
    expect(html).toContain('blocked until the user removed the account');
    expect(html).toMatch(/<a href="#story-manual-first">manual first<\/a>/);
  });
});
