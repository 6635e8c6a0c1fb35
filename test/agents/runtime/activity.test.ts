import { describe, expect, it } from 'vitest';
import { Activity } from '../../../agents/runtime/activity.js';
import { Mutex } from '../../../agents/runtime/mutex.js';

describe('Activity', () => {
  it('is busy while work runs or is wanted, and says so when it becomes idle', async () => {
    const activity = new Activity();
    let idles = 0;
    activity.onIdle(() => idles++);
    expect(activity.isIdle()).toBe(true);
    let finish!: () => void;
    const work = activity.run(() => new Promise<void>((r) => (finish = r)));
    expect(activity.isIdle()).toBe(false);
    const release = activity.want();
    finish();
    await work;
    expect(activity.isIdle()).toBe(false);
    expect(idles).toBe(0);
    release();
    release(); // a second call changes nothing
    expect(activity.isIdle()).toBe(true);
    expect(idles).toBe(1);
  });

  it('whenIdle resolves once idle and rejects after its timeout', async () => {
    const activity = new Activity();
    await activity.whenIdle(10);
    const release = activity.want();
    await expect(activity.whenIdle(20)).rejects.toThrow(/not idle/);
    const waiting = activity.whenIdle(1000);
    release();
    await waiting;
  });
});

describe('Mutex', () => {
  it('runs one section at a time, in order, and survives a failing section', async () => {
    const mutex = new Mutex();
    const log: string[] = [];
    const section = (name: string, ms: number, fail = false) =>
      mutex.lock(async () => {
        log.push(`${name}>`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`<${name}`);
        if (fail) throw new Error(name);
      });
    const results = await Promise.allSettled([section('a', 20), section('b', 1, true), section('c', 1)]);
    expect(log).toEqual(['a>', '<a', 'b>', '<b', 'c>', '<c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
