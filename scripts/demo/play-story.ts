import { readFileSync } from 'node:fs';
import type { ScenarioSection } from '../../agents/report/report-model.js';
import { runScenario, type ScenarioResult, type StepResult } from '../../agents/scenario/runner.js';
import { loadScenario } from '../../agents/scenario/scenario-file.js';
import type { Expectation } from '../../agents/scenario/scenario-types.js';
import { createSimulatedDevice } from '../device-factory.js';
import { MailStoreRecorder } from '../report/scenario-report.js';
import { storeText, type DemoEvent } from './demo-events.js';
import { roleOf, storyPath, type DemoStory } from './stories.js';

export interface StoryTarget {
  serverUrl: string;
  adminToken: string;
  caPem?: string;
}

export interface PlayedStory {
  result: ScenarioResult;
  section: ScenarioSection;
  verdict: Extract<DemoEvent, { type: 'verdict' }>;
}

/**
 * Plays one of the demo's stories with the scenario runner, telling each step and each mail
 * store that changed as it happens (the runner waits for the step listener, so a store is read
 * as the step left it). The server is treated as shared (run tag, cleanup at the end): the
 * stories use the same users one after the other, and a given --server keeps nothing of them.
 */
export async function playStory(story: DemoStory, target: StoryTarget, emit: (e: DemoEvent) => void, signal?: AbortSignal): Promise<PlayedStory> {
  const scenario = loadScenario(readFileSync(storyPath(story), 'utf8'));
  emit({ type: 'story', platform: story.platform, label: story.label, name: scenario.name, ...(scenario.description ? { description: scenario.description.trim() } : {}) });
  const stores = new MailStoreRecorder();
  const shown = new Map<string, string>();
  const expectations = new Map(scenario.steps.flatMap((st) => (st.kind === 'expect' ? [[st.path, st.expect] as const] : [])));
  const result = await runScenario(scenario, {
    serverUrl: target.serverUrl,
    adminToken: target.adminToken,
    ...(target.caPem ? { caPem: target.caPem } : {}),
    shared: { keep: false },
    createDevice: async (spec, i, seed) =>
      stores.track(
        await createSimulatedDevice({ id: spec.id, platform: spec.platform, seed: `${seed}:${i}:${spec.id}`, serverUrl: target.serverUrl, ...(target.caPem ? { caPem: target.caPem } : {}) }),
      ),
    onStep: async (step) => {
      const expected = expectations.get(step.path);
      emit({ type: 'step', platform: story.platform, ok: step.ok, summary: expected ? describeExpectation(expected) : stepSummary(step), ms: step.ms, problems: problems(step) });
      for (const { device, accounts } of await stores.afterStep(step)) {
        // A store is told again only when what a person reads changed (not when the device learnt a profile id).
        const text = storeText(accounts);
        if (shown.get(device.id) === text) continue;
        shown.set(device.id, text);
        const role = roleOf(story, device.id);
        emit({ type: 'store', platform: story.platform, device: device.id, ...(role ? { role } : {}), accounts, text });
      }
    },
    ...(signal ? { signal } : {}),
  });
  const verdict = verdictOf(story, result, stores);
  emit(verdict);
  // The report words an expect step as the terminal did (what was expected, not just which parts).
  const told = { ...result, steps: result.steps.map((st) => (expectations.has(st.path) ? { ...st, summary: describeExpectation(expectations.get(st.path)!) } : st)) };
  return { result, section: stores.section(told, scenario.description?.trim(), {
      platform: story.platform,
      verdict: verdict.verdict,
      cases: [
        { name: 'enroll-first', outcome: verdict.enrollFirst },
        { name: 'manual-first', outcome: verdict.manualFirst },
      ],
    }), verdict };
}

function verdictOf(story: DemoStory, result: ScenarioResult, stores: MailStoreRecorder): Extract<DemoEvent, { type: 'verdict' }> {
  const base = { type: 'verdict' as const, platform: story.platform, label: story.label };
  if (result.ok) return { ...base, ok: true, ...story.told };
  // What the devices hold at the end is all the demo can say of a story that went otherwise.
  const after = new Map(stores.stores(result.ids).map((d) => [d.id, d.after]));
  const held = (id: string) => `✗ ends with ${storeText(after.get(id) ?? [])}`;
  const failed = result.steps.filter((s) => !s.ok).length;
  const why = result.interrupted ? 'interrupted' : `did not play as expected: ${failed} step(s) failed`;
  return { ...base, ok: false, manualFirst: held(story.manualFirst), enrollFirst: held(story.enrollFirst), verdict: why };
}

function stepSummary(step: StepResult): string {
  if (step.kind === 'setup') return step.ok ? `the server knows the users and groups; the devices are ready (${step.summary})` : 'setup';
  return step.summary;
}

/** An expect step in words: `alice-iphone: nonCompliant, corp blocked, alerts duplicateAccount, mail store as expected`. */
export function describeExpectation(e: Expectation): string {
  const parts = [
    e.compliance,
    ...Object.entries(e.profiles ?? {}).map(([ref, state]) => `${ref} ${state}`),
    e.alerts && (e.alerts.length ? `alerts ${e.alerts.join(', ')}` : 'no alerts'),
    ...Object.entries(e.profileStatus ?? {}).map(([ref, counts]) => `${ref} on the server: ${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ')}`),
    e.mailAccounts && 'mail store as expected',
    e.commands && 'commands as expected',
  ].filter(Boolean);
  return `${e.device ? `${e.device}: ` : ''}${parts.join(', ')}`;
}

function problems(step: StepResult): string[] {
  return [
    ...(step.error ? [`error: ${step.error}`] : []),
    ...step.failures.map((f) => `${f.what}: expected ${show(f.expected)}, found ${show(f.found)}`),
  ];
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
