import type { SimulatedDevice } from '../device.js';
import { describeError } from './describe-error.js';
import { checkOnDeviceOnly } from './expectation-check.js';
import { isAdminStep, operatorCleanup, operatorEnroll, operatorSetup, operatorStep, type ForeignRun } from './operator-steps.js';
import type { Scenario, ScenarioDevice, ScenarioStep } from './scenario-types.js';
import { createDevices } from './setup.js';
import { runAction } from './step-actions.js';
import { describeExpect, finish, play, type PlayedStep, type ScenarioResult, type StepResult } from './step-player.js';
import { ScenarioWorld } from './world.js';

/**
 * A scenario played against a server that is not mdmlab's (`mdmlab scenario run --foreign`),
 * with nothing but the device protocols:
 * - the setup and the administrator steps are the operator's (operator-steps.ts: printed as
 *   `operator: …`, or done by an admin hook);
 * - the device steps are as everywhere: `enroll` (from the operator's enrollment), `unenroll`,
 *   `user: …`, `offline`, `online`, `wait`; `settle` waits for the devices to be idle only;
 * - `expect` checks what the device's own store holds (`mailAccounts`, `commands`); what needs the
 *   server's API (`compliance`, `profiles`, `alerts`, `profileStatus`) is reported as skipped,
 *   never as held;
 * - at the end (pass or fail, unless `keep`) the devices leave management over their protocol
 *   (iOS: CheckOut) and the hook is told to clean up.
 */
export interface ForeignRunOptions {
  createDevice: (spec: ScenarioDevice, index: number, seed: number) => Promise<SimulatedDevice>;
  onStep?: ((result: StepResult) => void | Promise<void>) | undefined;
  signal?: AbortSignal | undefined;
  foreign: ForeignRun & { keep?: boolean | undefined };
}

const IDLE_TIMEOUT_MS = 10_000;

export async function runForeignScenario(scenario: Scenario, options: ForeignRunOptions): Promise<ScenarioResult> {
  const world = new ScenarioWorld(undefined);
  const run = options.foreign;
  const steps: StepResult[] = [];
  const record = async (r: StepResult) => {
    steps.push(r);
    await options.onStep?.(r);
  };
  try {
    const ready = await setUp(world, scenario, options, record);
    const interrupted =
      ready === 'interrupted'
        ? 'interrupted during setup'
        : ready === 'ready'
          ? await play(world, scenario, record, options.signal, (w, step, signal) => playForeignStep(w, step, run, signal))
          : undefined;
    const result: ScenarioResult = { ...finish(scenario, steps, world, interrupted), mode: 'foreign' };
    const skipped = steps.reduce((n, r) => n + (r.skipped?.length ?? 0), 0);
    if (skipped) result.skipped = skipped;
    if (!run.keep) result.cleanup = await cleanUpForeign(world, scenario, run);
    return result;
  } finally {
    await Promise.allSettled([...world.devices.values()].map((d) => d.device.stop()));
  }
}

async function setUp(world: ScenarioWorld, s: Scenario, options: ForeignRunOptions, record: (r: StepResult) => Promise<void>): Promise<'ready' | 'failed' | 'interrupted'> {
  const started = Date.now();
  const { signal } = options;
  let ready: StepResult;
  try {
    signal?.throwIfAborted();
    await createDevices(world, s, options.createDevice, s.seed ?? Math.floor(Math.random() * 2 ** 31));
    const note = await operatorSetup(world, s, options.foreign, signal);
    const summary = `${s.devices.length} device(s); the server is not mdmlab's: administrator steps are the operator's, expectations are checked on the devices`;
    ready = { path: 'setup', kind: 'setup', summary, ok: true, ms: Date.now() - started, failures: [], notes: [note] };
  } catch (err) {
    const interrupted = signal?.aborted === true;
    await record({ path: 'setup', kind: 'setup', summary: 'setup', ok: false, ms: Date.now() - started, failures: [], error: interrupted ? 'interrupted' : describeError(err) });
    return interrupted ? 'interrupted' : 'failed';
  }
  await record(ready);
  return 'ready';
}

async function playForeignStep(world: ScenarioWorld, step: ScenarioStep, run: ForeignRun, signal: AbortSignal | undefined): Promise<PlayedStep> {
  if (step.kind === 'expect') {
    const { failures, skipped } = await checkOnDeviceOnly(world, step.expect);
    const checked = Object.keys(step.expect).filter((k) => k !== 'device' && !(skipped as string[]).includes(k));
    const summary = `${describeExpect(step.expect)}${skipped.length ? ` (skipped, they need mdmlab's admin API: ${skipped.join(', ')})` : ''}`;
    return { summary, failures, ...(skipped.length ? { skipped: [...skipped] } : {}), ...(checked.length === 0 ? { status: 'skipped' as const } : {}) };
  }
  if (isAdminStep(step)) return { ...(await operatorStep(world, step, run, signal)), failures: [] };
  if (step.kind === 'enroll') return { ...(await operatorEnroll(world, step.device, run, signal)), failures: [] };
  // unenroll, user, offline, online, wait, settle: the devices' own (settle sees world.foreign).
  const outcome = await runAction(world, step, signal);
  const failure = 'failure' in outcome ? outcome.failure : undefined;
  return { summary: outcome.summary, failures: failure ? [{ what: step.kind, expected: 'as the step says', found: failure }] : [] };
}

/** Devices leave management over their own protocol; then the operator's side. Errors are listed, never change the exit code. */
async function cleanUpForeign(world: ScenarioWorld, s: Scenario, run: ForeignRun): Promise<{ actions: string[]; errors: string[] }> {
  const report = { actions: [] as string[], errors: [] as string[] };
  for (const [id, d] of world.devices) {
    if (!d.device.isEnrolled()) continue;
    try {
      await d.device.setOnline(true);
      d.online = true;
      await d.device.whenIdle(IDLE_TIMEOUT_MS).catch(() => undefined);
      await d.device.unenroll();
      report.actions.push(`${id} unenrolled`);
    } catch (err) {
      report.errors.push(`unenroll ${id}: ${describeError(err)}`);
    }
  }
  try {
    report.actions.push(await operatorCleanup(world, s, run));
  } catch (err) {
    report.errors.push(describeError(err));
  }
  return report;
}
