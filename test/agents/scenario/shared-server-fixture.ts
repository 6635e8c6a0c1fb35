import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { formatStep } from '../../../agents/scenario/report.js';
import { runScenario, type RunOptions, type ScenarioResult, type SharedServerOptions } from '../../../agents/scenario/runner.js';
import { loadScenario } from '../../../agents/scenario/scenario-file.js';
import type { Scenario } from '../../../agents/scenario/scenario-types.js';
import { createSimulatedDevice } from '../../../scripts/device-factory.js';
import { repoRoot } from '../../helpers/cli.js';
import type { TestServer } from '../../helpers/server.js';

/** Runs against one long-lived server, as `mdmlab scenario run FILE --server URL` plays them. */

export const loadShipped = (file: string): Scenario => loadScenario(readFileSync(join(repoRoot, 'scenarios', file), 'utf8'));

/** Plays `scenario` on `server` in shared mode, with lock timings short enough for tests. */
export function runShared(
  server: TestServer,
  scenario: Scenario,
  shared: SharedServerOptions = {},
  notices: string[] = [],
  extra: Pick<RunOptions, 'signal' | 'onStep'> = {},
): Promise<ScenarioResult> {
  return runScenario(scenario, {
    serverUrl: server.url,
    adminToken: server.adminToken,
    shared: { locks: { heartbeatMs: 100, staleMs: 1000, pollMs: 20 }, ...shared },
    createDevice: (spec, i, seed) => createSimulatedDevice({ id: spec.id, platform: spec.platform, seed: `${seed}:${i}:${spec.id}`, serverUrl: server.url }),
    onNotice: (t) => notices.push(t),
    ...extra,
  });
}

export const report = (r: ScenarioResult): string => [...r.steps.map(formatStep), ...(r.cleanup?.errors ?? [])].join('\n');

export async function body<T>(server: TestServer, path: string): Promise<T> {
  const res = await server.api.get(path);
  expect(res.status, path).toBe(200);
  return res.body as T;
}

/** Nothing of any run is left: no enrolled device, profile, group (locks included) or user. */
export async function expectNothingLeft(server: TestServer): Promise<void> {
  expect(await body<unknown[]>(server, '/devices?status=enrolled')).toEqual([]);
  expect(await body<unknown[]>(server, '/email-profiles')).toEqual([]);
  expect(await body<unknown[]>(server, '/groups')).toEqual([]);
  expect(await body<unknown[]>(server, '/certificate-profiles')).toEqual([]);
  expect(await body<unknown[]>(server, '/users')).toEqual([]);
}
