import { AdminApiError, AdminClient } from '../admin/admin-client.js';
import type { SimulatedDevice } from '../device.js';
import { checkExpectation, type Failure } from './expectation-check.js';
import { changeMembership, runAction } from './step-actions.js';
import type { Scenario, ScenarioDevice, ScenarioStep } from './scenario-types.js';
import { SUPPORTED_DEVICE_PLATFORMS } from './scenario-vocabulary.js';
import { ScenarioWorld } from './world.js';

export interface RunOptions {
  serverUrl: string;
  adminToken: string;
  /** The lab CA (PEM) to trust when the server runs TLS. */
  caPem?: string;
  /** Makes the simulated device for a scenario device (platform agents live outside this module). */
  createDevice: (spec: ScenarioDevice, index: number, seed: number) => Promise<SimulatedDevice>;
  /** Called as each step ends, for live output. */
  onStep?: (result: StepResult) => void;
}

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
}

export interface ScenarioResult {
  name: string;
  ok: boolean;
  /** 0 every expectation held, 1 one did not (or a step failed), 2 the scenario cannot run here. */
  exitCode: 0 | 1 | 2;
  steps: StepResult[];
  message?: string;
}

/**
 * Plays a validated scenario against a server with simulated devices: the setup (users,
 * certificate profiles, groups, devices with their hand-made accounts), then each step in order.
 * An expectation that fails is reported and the run goes on; a step that cannot be carried out
 * (an API error, an enrollment that fails, a settle that times out) ends the run.
 */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
  const unsupported = scenario.devices.filter((d) => !(SUPPORTED_DEVICE_PLATFORMS as readonly string[]).includes(d.platform));
  if (unsupported.length > 0) {
    const list = unsupported.map((d) => `${d.id} (${d.platform})`).join(', ');
    return { name: scenario.name, ok: false, exitCode: 2, steps: [], message: `platform not supported yet: ${list}; this version simulates ${SUPPORTED_DEVICE_PLATFORMS.join(', ')} devices` };
  }
  const world = new ScenarioWorld(new AdminClient(options.serverUrl, options.adminToken, options.caPem));
  const steps: StepResult[] = [];
  const record = (r: StepResult) => {
    steps.push(r);
    options.onStep?.(r);
  };
  try {
    const started = Date.now();
    try {
      await setUp(world, scenario, options);
      record({ path: 'setup', kind: 'setup', summary: `${scenario.users.length} user(s), ${scenario.groups.length} group(s), ${scenario.devices.length} device(s)`, ok: true, ms: Date.now() - started, failures: [] });
    } catch (err) {
      record({ path: 'setup', kind: 'setup', summary: 'setup', ok: false, ms: Date.now() - started, failures: [], error: describe(err) });
      return finish(scenario, steps);
    }
    for (const step of scenario.steps) {
      const t0 = Date.now();
      const base = { path: step.path, ...(step.line !== undefined ? { line: step.line } : {}), kind: step.kind };
      try {
        if (step.kind === 'expect') {
          const failures = await checkExpectation(world, step.expect);
          record({ ...base, summary: describeExpect(step.expect), ok: failures.length === 0, ms: Date.now() - t0, failures });
        } else {
          const outcome = await runAction(world, step);
          const failure = 'failure' in outcome ? outcome.failure : undefined;
          record({ ...base, summary: outcome.summary, ok: !failure, ms: Date.now() - t0, failures: failure ? [{ what: step.kind, expected: 'as the step says', found: failure }] : [] });
        }
      } catch (err) {
        record({ ...base, summary: step.kind, ok: false, ms: Date.now() - t0, failures: [], error: describe(err) });
        break;
      }
    }
    return finish(scenario, steps);
  } finally {
    await Promise.allSettled([...world.devices.values()].map((d) => d.device.stop()));
  }
}

async function setUp(world: ScenarioWorld, s: Scenario, options: Pick<RunOptions, 'createDevice'>): Promise<void> {
  const { admin } = world;
  for (const u of s.users) world.users.set(u.upn.toLowerCase(), (await admin.createUser(u)).id);
  for (const c of s.certificateProfiles) {
    const body: Record<string, unknown> = { name: c.ref, kind: c.kind, platform: c.platform };
    if (c.kind === 'scep') Object.assign(body, { ...(c.subject ? { subject: c.subject } : {}), ...(c.keySize ? { keySize: c.keySize } : {}), ...(c.validityDays ? { validityDays: c.validityDays } : {}) });
    else body.pem = c.pem ?? (await admin.caCertificatePem());
    world.certificates.set(c.ref, (await admin.createCertificateProfile(body)).id);
  }
  const seed = s.seed ?? Math.floor(Math.random() * 2 ** 31);
  for (const [i, spec] of s.devices.entries()) {
    const device = await options.createDevice(spec, i, seed);
    world.devices.set(spec.id, { spec, device, online: true, pendingGroups: new Set() });
    // Accounts the user made by hand before anything happened.
    for (const m of spec.mailAccounts) await device.addAccount({ email: m.email, host: m.host, ...(m.profile ? { androidProfile: m.profile } : {}) });
  }
  for (const g of s.groups) {
    world.groups.set(g.name, (await admin.createGroup(g.name)).id);
    await changeMembership(world, 'addToGroup', g.name, g.members);
  }
}

function finish(s: Scenario, steps: StepResult[]): ScenarioResult {
  const ok = steps.every((r) => r.ok);
  return { name: s.name, ok, exitCode: ok ? 0 : 1, steps };
}

function describe(err: unknown): string {
  if (err instanceof AdminApiError) return `the server refused (${err.status} ${err.code}${err.field ? ` on ${err.field}` : ''}): ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

function describeExpect(e: Scenario['steps'][number] & { kind: 'expect' } extends { expect: infer E } ? E : never): string {
  const parts = Object.keys(e).filter((k) => k !== 'device');
  return `expect ${e.device ? `${e.device}: ` : ''}${parts.join(', ')}`;
}
