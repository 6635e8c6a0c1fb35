import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PollScheduler, type PollGate } from '../../../agents/ios/poll-scheduler.js';
import { SeededRandom } from '../../../agents/random/seeded-random.js';
import { Activity } from '../../../agents/runtime/activity.js';

function scheduler(opts: { gate?: () => PollGate; periodicMs?: number; pollMs?: number } = {}) {
  const activity = new Activity();
  const polls: number[] = [];
  const s = new PollScheduler({
    activity,
    poll: async () => {
      polls.push(Date.now());
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 5));
    },
    gate: opts.gate ?? (() => 'now'),
    random: new SeededRandom(1),
    log: pino({ level: 'silent' }),
    periodicMs: opts.periodicMs ?? 0,
  });
  return { s, activity, polls };
}

describe('PollScheduler (when an iOS device polls on its own)', () => {
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
    s.completed('NotNow', true);
    s.freed();
    await s.running;
    expect(polls).toHaveLength(1);

    s.completed('NotNow', true);
    s.completed('Acknowledged', true); // the server sent another command after the NotNow
    s.freed();
    expect(s.running).toBeUndefined();

    s.completed('NotNow', false); // became free while the exchange ran
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
});
