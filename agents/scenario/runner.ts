import { randomBytes } from 'node:crypto';
import { AdminClient } from '../admin/admin-client.js';
import type { SimulatedDevice } from '../device.js';
import { cleanUp, reapAbandonedRun } from './cleanup.js';
import { describeError } from './describe-error.js';
import { checkExpectation } from './expectation-check.js';
import { RunLocks, type RunLockOptions } from './run-locks.js';
import { createDevices, setUpServer } from './setup.js';
import { runAction } from './step-actions.js';
import type { Scenario, ScenarioDevice, ScenarioStep } from './scenario-types.js';
import { SUPPORTED_DEVICE_PLATFORMS } from './scenario-vocabulary.js';
import { runForeignScenario } from './foreign-runner.js';
import type { ForeignRun } from './operator-steps.js';
import { describeExpect, finish, play, type PlayedStep, type ScenarioResult, type StepResult } from './step-player.js';
import { ScenarioWorld } from './world.js';

export type { PlayedStep, ScenarioResult, StepResult } from './step-player.js';

export interface RunOptions {
  /** The server: its URL (for a server that is not mdmlab's, only what messages call it). */
  serverUrl: string;
  /** mdmlab's admin token; not used (and not needed) with `foreign`. */
  adminToken?: string;
  /** The lab CA (PEM) to trust when the server runs TLS. */
  caPem?: string;
  /** Makes the simulated device for a scenario device (platform agents live outside this module). */
  createDevice: (spec: ScenarioDevice, index: number, seed: number) => Promise<SimulatedDevice>;
  /**
   * The server is shared and long-lived (`--server`), not a fresh one made for this run: the run
   * tags what it creates, reuses existing users, takes turns with runs that use the same users,
   * and cleans up at the end. Absent: the server is the run's own (the embedded one).
   */
  shared?: SharedServerOptions;
  /**
   * Called as each step ends, for live output; the run waits for a returned promise before the
   * next step, so a listener can look at the devices as the step left them (the demo's mail stores).
   */
  onStep?: (result: StepResult) => void | Promise<void>;
  /** Things worth saying while the run goes (it waits for another run, …). */
  onNotice?: (text: string) => void;
  /**
   * Interrupts the run (Ctrl-C): it stops between steps, or at once in a `wait`, a `settle` or
   * while waiting for another run's lock, and then cleans up as after any other run (shared
   * server). The result says `interrupted` and has exit code 1.
   */
  signal?: AbortSignal;
  /**
   * The server is not mdmlab's (foreign-runner.ts): its admin API is never called, administrator
   * steps go to the operator, devices enroll from the operator's enrollment, expectations that need
   * the server's API are skipped. `keep`: the devices stay enrolled at the end.
   */
  foreign?: ForeignRun & { keep?: boolean };
}

export interface SharedServerOptions {
  /** Skip the cleanup to inspect what the run left: its devices stay enrolled (see README). */
  keep?: boolean;
  /** The run tag (default: 6 random hex digits). */
  tag?: string;
  /** Timings of the locks runs take on users they share (tests make them short). */
  locks?: Omit<RunLockOptions, 'onWait'>;
}

/**
 * Plays a validated scenario against a server with simulated devices: the setup (users,
 * certificate profiles, groups, devices with their hand-made accounts), then each step in order.
 * An expectation that fails is reported and the run goes on; a step that cannot be carried out
 * (an API error, an enrollment that fails, a settle that times out) ends the run.
 * On a shared server the run then cleans up (cleanup.ts), whatever the outcome, an interruption
 * included.
 */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
  const unsupported = scenario.devices.filter((d) => !(SUPPORTED_DEVICE_PLATFORMS as readonly string[]).includes(d.platform));
  if (unsupported.length > 0) {
    const list = unsupported.map((d) => `${d.id} (${d.platform})`).join(', ');
    return { name: scenario.name, ok: false, exitCode: 2, steps: [], message: `platform not supported yet: ${list}; this version simulates ${SUPPORTED_DEVICE_PLATFORMS.join(', ')} devices` };
  }
  if (options.foreign) return runForeignScenario(scenario, { ...options, foreign: options.foreign });
  if (!options.adminToken) throw new Error('runScenario: an mdmlab server needs its admin token');
  const admin = new AdminClient(options.serverUrl, options.adminToken, options.caPem);
  const shared = options.shared;
  const tag = shared ? (shared.tag ?? randomBytes(3).toString('hex')) : undefined;
  const world = new ScenarioWorld(admin, tag);
  const locks = shared ? new RunLocks(admin, { tag: tag!, scenario: scenario.name }, { ...shared.locks, onWait: (t) => options.onNotice?.(t) }) : undefined;
  const steps: StepResult[] = [];
  const record = async (r: StepResult) => {
    steps.push(r);
    await options.onStep?.(r);
  };
  try {
    const setup = await setUp(world, scenario, options, locks, record);
    const interrupted = setup === 'interrupted' ? 'interrupted during setup' : setup === 'ready' ? await play(world, scenario, record, options.signal, playStep) : undefined;
    const result = finish(scenario, steps, world, interrupted);
    if (shared) result.run = { tag: tag!, kept: shared.keep ?? false };
    if (shared && !shared.keep) result.cleanup = await cleanUp(world);
    const lockErrors = (await locks?.release()) ?? [];
    if (lockErrors.length) (result.cleanup ??= { actions: [], errors: [] }).errors.push(...lockErrors);
    return result;
  } finally {
    await locks?.release();
    await Promise.allSettled([...world.devices.values()].map((d) => d.device.stop()));
  }
}

/**
 * Records the setup step. On a shared server it takes the run's locks first, and deletes what a
 * killed run whose locks it took over left behind (cleanup.ts reapAbandonedRun).
 * 'failed' or 'interrupted': the run then has nothing to play.
 */
async function setUp(
  world: ScenarioWorld,
  s: Scenario,
  options: RunOptions,
  locks: RunLocks | undefined,
  record: (r: StepResult) => Promise<void>,
): Promise<'ready' | 'failed' | 'interrupted'> {
  const started = Date.now();
  const notes: string[] = [];
  const { signal } = options;
  let ready: StepResult;
  try {
    signal?.throwIfAborted();
    const seed = s.seed ?? Math.floor(Math.random() * 2 ** 31);
    await createDevices(world, s, options.createDevice, seed);
    if (locks) {
      const keys = [...s.users.map((u) => u.upn.toLowerCase()), ...[...world.devices.values()].map((d) => `device ${d.device.hardwareId}`)];
      const { waitedMs, abandoned } = await locks.acquire(keys, signal);
      if (waitedMs >= 1000) notes.push(`waited ${(waitedMs / 1000).toFixed(1)} s for other runs using the same users or devices`);
      for (const tag of abandoned) notes.push(await reapAbandonedRun(world.admin, tag));
    }
    signal?.throwIfAborted();
    notes.push(...(await setUpServer(world, s)));
    const summary = `${s.users.length} user(s), ${s.groups.length} group(s), ${s.devices.length} device(s)${world.tag ? `, run ${world.tag}` : ''}`;
    ready = { path: 'setup', kind: 'setup', summary, ok: true, ms: Date.now() - started, failures: [], ...(notes.length ? { notes } : {}) };
  } catch (err) {
    const interrupted = signal?.aborted === true;
    const error = interrupted ? 'interrupted' : describeError(err);
    await record({ path: 'setup', kind: 'setup', summary: 'setup', ok: false, ms: Date.now() - started, failures: [], error, ...(notes.length ? { notes } : {}) });
    return interrupted ? 'interrupted' : 'failed';
  }
  // Outside the try: what the step listener does is not the setup's doing.
  await record(ready);
  return 'ready';
}


/** One step against mdmlab's server: expectations through its API and the devices, actions through both. */
async function playStep(world: ScenarioWorld, step: ScenarioStep, signal: AbortSignal | undefined): Promise<PlayedStep> {
  if (step.kind === 'expect') return { summary: describeExpect(step.expect), failures: await checkExpectation(world, step.expect) };
  const outcome = await runAction(world, step, signal);
  const failure = 'failure' in outcome ? outcome.failure : undefined;
  return { summary: outcome.summary, failures: failure ? [{ what: step.kind, expected: 'as the step says', found: failure }] : [] };
}

