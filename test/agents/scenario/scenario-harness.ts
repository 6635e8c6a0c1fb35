import type { SimulatedDevice } from '../../../agents/device.js';
import { formatStep } from '../../../agents/scenario/report.js';
import { runScenario, type RunOptions, type ScenarioResult } from '../../../agents/scenario/runner.js';
import { loadScenario } from '../../../agents/scenario/scenario-file.js';
import type { ScenarioDevice } from '../../../agents/scenario/scenario-types.js';
import { createSimulatedDevice } from '../../../scripts/device-factory.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/** Plays scenario YAML in-process against `server` with real simulated devices (what `mdmlab scenario run` does). */
export function play(server: TestServer, yaml: string, options: Partial<RunOptions> & { adapt?: (d: SimulatedDevice) => SimulatedDevice } = {}): Promise<ScenarioResult> {
  const { adapt = (d) => d, ...rest } = options;
  return runScenario(loadScenario(yaml), {
    serverUrl: server.url,
    adminToken: server.adminToken,
    createDevice: async (spec: ScenarioDevice, i: number, seed: number) =>
      adapt(await createSimulatedDevice({ id: spec.id, platform: spec.platform, seed: `${seed}:${i}:${spec.id}`, serverUrl: server.url })),
    ...rest,
  });
}

/** A fresh server for one test. */
export async function withServer<T>(work: (server: TestServer) => Promise<T>): Promise<T> {
  const server = await startTestServer();
  try {
    return await work(server);
  } finally {
    await server.stop();
  }
}

/** The run as the CLI prints it, for assertion messages. */
export const printed = (r: ScenarioResult): string => r.steps.map(formatStep).join('\n');

/** The result of the step at `path` (`steps[3]`). */
export function stepAt(r: ScenarioResult, path: string) {
  const step = r.steps.find((s) => s.path === path);
  if (!step) throw new Error(`no step ${path} in\n${printed(r)}`);
  return step;
}
