import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { IosDeviceError } from '../../../agents/ios/errors.js';
import { PollScheduler, type PollGate } from '../../../agents/core/poll-scheduler.js';
import { SeededRandom } from '../../../agents/random/seeded-random.js';
import { Activity } from '../../../agents/runtime/activity.js';

function scheduler(opts: { gate?: () => PollGate; periodicMs?: number; pollMs?: number; outcomes?: (Error | undefined)[] } = {}) {
  const activity = new Activity();
  const polls: number[] = [];
  const failures: { err: unknown; retryInMs: number | undefined }[] = [];
  const s = new PollScheduler({
    activity,
    poll: async () => {
      polls.push(Date.now());
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 5));
      const outcome = opts.outcomes?.shift();
      if (outcome) throw outcome;
    },
    failed: (err, retryInMs) => failures.push({ err, retryInMs }),
    gate: opts.gate ?? (() => 'now'),
    random: new SeededRandom(1),
    log: pino({ level: 'silent' }),
    periodicMs: opts.periodicMs ?? 0,
    retry: { initialMs: 20, maxMs: 80 },
  });
  return { s, activity, polls, failures };
}

const refused = () => new IosDeviceError('network', 'connect ECONNREFUSED 127.0.0.1:8443');
const status = (n: number) => new IosDeviceError('serverRefused', `answered ${n}`, { status: n });

describe('PollScheduler (when a device polls on its own)', () => {
  it('coalesces requests made while a poll is due, and runs one more if asked during a poll', async () => {
    const { s, activity, polls } = scheduler({ pollMs: 20 });
    s.request('push');
    s.request('push');
    expect(activity.isIdle()).toBe(false);
    await new Promise((r) => setTimeout(r, 5));
    s.request('push'); // during the first poll: one more afterwards
    s.request('push');
    await s.running;
    expect(polls).toHaveLength(2);
    expect(activity.isIdle()).toBe(true);
  });

  it('waits for the network, and never polls when it makes no sense', async () => {
    let gate: PollGate = 'offline';
    const { s, polls } = scheduler({ gate: () => gate });
    s.request('push');
    expect(s.running).toBeUndefined();
    gate = 'now';
    s.backOnline();
    await s.running;
    expect(polls).toHaveLength(1);
    gate = 'never';
    s.request('push');
    s.backOnline();
    expect(s.running).toBeUndefined();
  });

  it('after NotNow polls again once free, but not when a later answer was not NotNow', async () => {
    const { s, polls } = scheduler();
    s.completed(true, true); // NotNow while busy
    s.freed();
    await s.running;
    expect(polls).toHaveLength(1);

    s.completed(true, true); // NotNow while busy
    s.completed(false, true); // the server sent another command after the NotNow
    s.freed();
    expect(s.running).toBeUndefined();

    s.completed(true, false); // became free while the exchange ran
    await s.running;
    expect(polls).toHaveLength(2);
  });

  it('checks in periodically with jitter, and cancel() stops it', async () => {
    const { s, polls } = scheduler({ periodicMs: 30 });
    s.startPeriodic();
    await new Promise((r) => setTimeout(r, 150));
    s.cancel();
    const seen = polls.length;
    expect(seen).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 80));
    expect(polls.length).toBe(seen);
  });

  it('retries a poll the server could not answer (refused, 5xx) with growing, capped, jittered delays until one succeeds', async () => {
    const { s, activity, polls, failures } = scheduler({ outcomes: [refused(), status(503), refused(), refused(), refused(), undefined] });
    s.request('push');
    await activity.whenIdle(10_000);
    expect(polls).toHaveLength(6);
    expect(failures.map((f) => f.retryInMs !== undefined)).toEqual([true, true, true, true, true]);
    const ceilings = [20, 40, 80, 80, 80];
    failures.forEach((f, i) => {
      expect(f.retryInMs).toBeGreaterThanOrEqual(0);
      expect(f.retryInMs).toBeLessThanOrEqual(ceilings[i]!);
    });
    expect(new Set(failures.map((f) => f.retryInMs)).size).toBeGreaterThan(1); // jittered, not a fixed step
  });

  it('is not idle while a retry is due, so settling waits for it', async () => {
    const { s, activity, polls } = scheduler({ outcomes: [refused()] });
    s.request('push');
    await s.running;
    expect(polls).toHaveLength(1);
    expect(activity.isIdle()).toBe(false); // the retry is due
    await activity.whenIdle(5000);
    expect(polls).toHaveLength(2);
  });

  it('does not retry a refusal (4xx) or another failure: it is reported once', async () => {
    const { s, activity, polls, failures } = scheduler({ outcomes: [status(403), new Error('bug')] });
    s.request('push');
    await activity.whenIdle(1000);
    s.request('push');
    await activity.whenIdle(1000);
    expect(polls).toHaveLength(2);
    expect(failures.map((f) => f.retryInMs)).toEqual([undefined, undefined]);
  });

  it('a failure reported by a caller\'s own exchange (the one ending enrollment) is retried too', async () => {
    const { s, activity, polls } = scheduler();
    s.pollFailed(status(500));
    expect(activity.isIdle()).toBe(false);
    await activity.whenIdle(5000);
    expect(polls).toHaveLength(1);
  });

  it('offline, a due retry waits for the network; cancel() drops it', async () => {
    let gate: PollGate = 'now';
    const { s, activity, polls } = scheduler({ gate: () => gate, outcomes: [refused(), refused()] });
    s.request('push');
    await s.running;
    gate = 'offline';
    s.wentOffline();
    expect(activity.isIdle()).toBe(true);
    await new Promise((r) => setTimeout(r, 120));
    expect(polls).toHaveLength(1);
    gate = 'now';
    s.backOnline();
    await s.running;
    expect(polls).toHaveLength(2); // failed again: a retry is due
    s.cancel();
    expect(activity.isIdle()).toBe(true);
    await new Promise((r) => setTimeout(r, 120));
    expect(polls).toHaveLength(2);
  });
});
