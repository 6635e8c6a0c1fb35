import { describeError } from './describe-error.js';
import type { CleanupReport } from './cleanup.js';
import type { Failure } from './expectation-check.js';
import type { Scenario, ScenarioStep } from './scenario-types.js';
import type { RunIds, ScenarioWorld } from './world.js';

/**
 * What a scenario run reports, step by step, and the loop that plays the steps: shared by the run
 * against mdmlab's server (runner.ts) and the one against a server that is not (foreign-runner.ts),
 * which differ in how one step is played.
 */

export interface StepResult {
  path: string;
  line?: number;
  kind: ScenarioStep['kind'] | 'setup';
  summary: string;
  ok: boolean;
  ms: number;
  failures: Failure[];
  /** The step could not be carried out at all (the run stops there). */
  error?: string;
  /** Worth knowing, not a failure (a reused user already has devices, …). */
  notes?: string[];
  /** Parts of an expect step that were not checked (they need mdmlab's admin API; foreign mode). */
  skipped?: string[];
  /** 'skipped': nothing of the step could be checked (every part was skipped). */
  status?: 'skipped';
}

export interface ScenarioResult {
  name: string;
  ok: boolean;
  /** 0 every expectation held, 1 one did not (or a step failed), 2 the scenario cannot run here. */
  exitCode: 0 | 1 | 2;
  steps: StepResult[];
  message?: string;
  /** On a shared server: the run's tag, and whether its objects and devices were kept. */
  run?: { tag: string; kept: boolean };
  /** What the run created or found on the server, by the file's names. */
  ids?: RunIds;
  /** On a shared server without `keep`: what cleaning up did; its errors never change `exitCode`. */
  cleanup?: CleanupReport;
  /** The run was interrupted (RunOptions.signal) before its last step was played; `message` says where. */
  interrupted?: boolean;
  /** 'foreign': played against a server that is not mdmlab's (RunOptions.foreign). */
  mode?: 'foreign';
  /** How many expectation parts were skipped (foreign mode): never counted as held. */
  skipped?: number;
}

/** What playing one step gave: the report line's parts (a step that cannot be carried out throws). */
export type PlayedStep = Pick<StepResult, 'summary' | 'failures'> & Partial<Pick<StepResult, 'skipped' | 'status'>>;

/** Plays the steps; returns where the run was interrupted, if it was. */
export async function play(
  world: ScenarioWorld,
  s: Scenario,
  record: (r: StepResult) => void | Promise<void>,
  signal: AbortSignal | undefined,
  playOne: (world: ScenarioWorld, step: ScenarioStep, signal: AbortSignal | undefined) => Promise<PlayedStep>,
): Promise<string | undefined> {
  for (const step of s.steps) {
    // A step under way is not cut short (but a wait or settle stops waiting): the run stops between steps.
    if (signal?.aborted) return `interrupted before ${step.path}`;
    const t0 = Date.now();
    const base = { path: step.path, ...(step.line !== undefined ? { line: step.line } : {}), kind: step.kind };
    let result: StepResult;
    try {
      const played = await playOne(world, step, signal);
      result = { ...base, ...played, ok: played.failures.length === 0, ms: Date.now() - t0 };
    } catch (err) {
      const interrupted = signal?.aborted === true;
      await record({ ...base, summary: step.kind, ok: false, ms: Date.now() - t0, failures: [], error: interrupted ? 'interrupted' : describeError(err) });
      return interrupted ? `interrupted during ${step.path}` : undefined;
    }
    // Outside the try: what the listener does is not the step's doing.
    await record(result);
  }
  return undefined;
}

/**
 * An interrupted run did not check what the file says, so it fails: exit code 1, as for any step
 * that could not be carried out (the scenario contract knows 0, 1 and 2 only).
 */
export function finish(s: Scenario, steps: StepResult[], world: ScenarioWorld, interrupted: string | undefined): ScenarioResult {
  const ok = !interrupted && steps.every((r) => r.ok);
  return { name: s.name, ok, exitCode: ok ? 0 : 1, steps, ids: world.ids(), ...(interrupted ? { interrupted: true, message: interrupted } : {}) };
}

export function describeExpect(e: Extract<ScenarioStep, { kind: 'expect' }>['expect']): string {
  const parts = Object.keys(e).filter((k) => k !== 'device');
  return `expect ${e.device ? `${e.device}: ` : ''}${parts.join(', ')}`;
}
