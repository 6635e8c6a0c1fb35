import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SharedServerOptions } from '../../../agents/scenario/runner.js';
import type { Scenario } from '../../../agents/scenario/scenario-types.js';
import { repoRoot } from '../../helpers/cli.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { body as get, expectNothingLeft as nothingLeft, loadShipped, report, runShared } from './shared-server-fixture.js';

/** Runs of one file against one long-lived server (`mdmlab scenario run FILE --server URL`). */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

const enrollFirst = loadShipped('ios-enroll-first.yaml');
const run = (scenario: Scenario, shared: SharedServerOptions = {}, notices: string[] = []) => runShared(server, scenario, shared, notices);
const body = <T>(path: string) => get<T>(server, path);
const expectNothingLeft = () => nothingLeft(server);

describe('scenario runs against a shared server', () => {
  it('the same file passes twice in a row, and each run leaves nothing behind', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await run(enrollFirst);
      expect(r.exitCode, report(r)).toBe(0);
      expect(r.cleanup?.errors).toEqual([]);
      expect(r.cleanup?.actions).toEqual(expect.arrayContaining(['bob-iphone unenrolled', 'email profile corp deleted', 'group all-staff deleted', 'user bob@contoso.com deleted']));
      const device = await body<{ status: string }>(`/devices/${r.ids!.devices['bob-iphone']!.serverId}`);
      expect(device.status).toBe('unenrolled');
      await expectNothingLeft();
    }
  });

  it('two runs of the same file in parallel both pass (the second waits for the user they share)', async () => {
    const notices: string[] = [];
    const [a, b] = await Promise.all([run(enrollFirst, {}, notices), run(enrollFirst, {}, notices)]);
    expect(a!.exitCode, report(a!)).toBe(0);
    expect(b!.exitCode, report(b!)).toBe(0);
    expect(a!.run!.tag).not.toBe(b!.run!.tag);
    expect(notices.some((n) => /waiting for run \w+ .* which uses bob@contoso\.com/.test(n)), notices.join('\n')).toBe(true);
    await expectNothingLeft();
  });

  it('names what it creates with the run tag, reuses an existing user and gives it back as it was', async () => {
    const existing = await server.api.post('/users', { upn: 'bob@contoso.com', primarySmtp: 'robert@contoso.com', username: 'rob' });
    expect(existing.status).toBe(201);
    try {
      let seen: { groups: string[]; profiles: string[] } | undefined;
      let done = false;
      const watching = (async () => {
        while (!seen && !done) {
          const groups = (await body<{ name: string }[]>('/groups')).map((g) => g.name);
          const profiles = (await body<{ definition: { name: string } }[]>('/email-profiles')).map((p) => p.definition.name);
          if (profiles.length > 0) seen = { groups, profiles };
          else await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const r = await run(enrollFirst, { tag: 'test42' });
      done = true;
      await watching;
      expect(r.exitCode, report(r)).toBe(0);
      expect(seen!.groups).toContain('all-staff · run test42');
      expect(seen!.profiles).toEqual(['Corp mail · run test42']);
      expect(r.ids!.users['bob@contoso.com']).toBe(existing.body.id);
      expect(r.cleanup?.actions).toContain('user bob@contoso.com has its address and user name back');
      const after = await body<{ primarySmtp: string; username: string }>(`/users/${existing.body.id}`);
      expect(after).toMatchObject({ primarySmtp: 'robert@contoso.com', username: 'rob' });
    } finally {
      await server.api.delete(`/users/${existing.body.id}`);
    }
    await expectNothingLeft();
  });
});

describe('an interrupted run on a shared server', () => {
  it('stops waiting at once, cleans up as after any run and ends with exit code 1', async () => {
    const steps = [...enrollFirst.steps];
    steps.splice(4, 0, { path: 'steps[wait]', kind: 'wait', ms: 60_000 });
    const long: Scenario = { ...enrollFirst, steps };
    const controller = new AbortController();
    const started = Date.now();
    const r = await runShared(server, long, {}, [], {
      // The settle before the wait has ended: the wait is under way.
      onStep: (step) => void (step.path === 'steps[3]' && setTimeout(() => controller.abort(), 100)),
      signal: controller.signal,
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r).toMatchObject({ exitCode: 1, ok: false, interrupted: true, message: 'interrupted during steps[wait]' });
    expect(r.steps.at(-1)).toMatchObject({ path: 'steps[wait]', ok: false, error: 'interrupted' });
    expect(r.cleanup?.errors).toEqual([]);
    expect(r.cleanup?.actions).toEqual(expect.arrayContaining(['bob-iphone unenrolled', 'email profile corp deleted', 'group all-staff deleted', 'user bob@contoso.com deleted']));
    await expectNothingLeft();
  });
});

describe('every shipped scenario against one shared server', () => {
  it('passes with many of them running at once, and nothing is left behind', async () => {
    const dir = `${repoRoot}/scenarios`;
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    // Eight at a time: enough runs overlapping to share users, groups and profiles by name, few
    // enough that thirty scenarios on a 2-core CI machine (beside the rest of the suite) finish.
    const results: Awaited<ReturnType<typeof run>>[] = [];
    let next = 0;
    const lane = async () => {
      while (next < files.length) {
        const i = next++;
        results[i] = await run(loadShipped(files[i]!));
      }
    };
    await Promise.all(Array.from({ length: 8 }, lane));
    for (const [i, r] of results.entries()) {
      expect(r.exitCode, `${files[i]}\n${report(r)}`).toBe(0);
      expect(r.cleanup?.errors, files[i]).toEqual([]);
    }
    await expectNothingLeft();
  }, 240_000);
});
