import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockName } from '../../../agents/scenario/run-locks.js';
import type { SharedServerOptions } from '../../../agents/scenario/runner.js';
import type { Scenario } from '../../../agents/scenario/scenario-types.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { expectNothingLeft as nothingLeft, loadShipped, report, runShared } from './shared-server-fixture.js';

/**
 * Runs on one shared server take turns on the users and devices they share (run-locks.ts): the
 * lock of a dead run is taken over, the lock of a live one is not.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

const enrollFirst = loadShipped('ios-enroll-first.yaml');
const run = (scenario: Scenario, shared: SharedServerOptions = {}, notices: string[] = []) => runShared(server, scenario, shared, notices);
const expectNothingLeft = () => nothingLeft(server);

describe('locks runs take on what they share', () => {
  it('a lock left by a run that died is taken over once its heartbeat has stopped for staleMs', async () => {
    const dead = await server.api.post('/groups', { name: lockName('bob@contoso.com'), description: 'held by run dead01 ("killed") · heartbeat 7' });
    expect(dead.status).toBe(201);
    const notices: string[] = [];
    const started = Date.now();
    const r = await run(enrollFirst, {}, notices);
    expect(r.exitCode, report(r)).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(notices).toEqual([expect.stringContaining('waiting for run dead01 ("killed"), which uses bob@contoso.com')]);
    expect((await server.api.get(`/groups/${dead.body.id}`)).status).toBe(404);
    await expectNothingLeft();
  });
});

describe('a live run keeps its locks', () => {
  it('a run longer than staleMs is not taken over while its heartbeat goes on', async () => {
    // The long wait comes once the device holds the profile, so a run that stole the lock would
    // enroll the same (seeded) UDID in the middle of this one's story.
    const steps = [...enrollFirst.steps];
    steps.splice(4, 0, { path: 'steps[wait]', kind: 'wait', ms: 1800 });
    const slow: Scenario = { ...enrollFirst, steps };
    const locks = { heartbeatMs: 50, staleMs: 600, pollMs: 20 };
    const first = run(slow, { locks });
    await new Promise((r) => setTimeout(r, 100));
    const second = await run(enrollFirst, { locks });
    const a = await first;
    expect(a.exitCode, report(a)).toBe(0);
    expect(second.exitCode, report(second)).toBe(0);
    await expectNothingLeft();
  });
});

