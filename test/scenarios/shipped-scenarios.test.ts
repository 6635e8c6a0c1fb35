import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatStep } from '../../agents/scenario/report.js';
import { runScenario } from '../../agents/scenario/runner.js';
import { loadScenario } from '../../agents/scenario/scenario-file.js';
import { createSimulatedDevice } from '../../scripts/device-factory.js';
import { repoRoot } from '../helpers/cli.js';
import { startTestServer } from '../helpers/server.js';

/** Every scenario shipped in scenarios/ runs green against a fresh server (as `mdmlab scenario run` does). */
const dir = join(repoRoot, 'scenarios');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

describe('shipped scenarios', () => {
  it('are there', () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
  });

  it.each(files)('%s', async (file) => {
    const scenario = loadScenario(readFileSync(join(dir, file), 'utf8'));
    const server = await startTestServer();
    try {
      const result = await runScenario(scenario, {
        serverUrl: server.url,
        adminToken: server.adminToken,
        createDevice: (spec, i, seed) => createSimulatedDevice({ id: spec.id, platform: spec.platform, seed: `${seed}:${i}:${spec.id}`, serverUrl: server.url }),
      });
      const report = result.steps.map(formatStep).join('\n');
      expect(result.exitCode, report).toBe(0);
      expect(result.steps.length).toBe(scenario.steps.length + 1);
    } finally {
      await server.stop();
    }
  });
});
