import { describe, expect, it } from 'vitest';
import { TimerPool } from '../../../agents/fleet/timer-pool.js';

describe('the timer pool', () => {
  it('runs tasks in the order they fall due, ties in the order given', async () => {
    const pool = new TimerPool();
    const ran: string[] = [];
    const done = new Promise<void>((resolve) => {
      for (const [name, ms] of [['c', 30], ['a', 10], ['b', 20], ['a2', 10], ['d', 40]] as const) pool.after(ms, () => {
        ran.push(name);
        if (ran.length === 5) resolve();
      });
    });
    expect(pool.size).toBe(5);
    await done;
    expect(ran).toEqual(['a', 'a2', 'b', 'c', 'd']);
    expect(pool.size).toBe(0);
  });

  it('runs nothing after close', async () => {
    const pool = new TimerPool();
    let ran = 0;
    pool.after(5, () => ran++);
    pool.close();
    pool.after(0, () => ran++);
    await new Promise((r) => setTimeout(r, 30));
    expect(ran).toBe(0);
  });

  it('keeps the heap in order under many tasks', () => {
    let now = 0;
    const pool = new TimerPool(() => now);
    const ran: number[] = [];
    const delays = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
    for (const d of delays) pool.after(d, () => ran.push(d));
    now = 10_000;
    // The pool armed its one timer for the earliest task (due at once); when it fires, the clock
    // says every task is due, so all run in one go, in heap order.
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        expect(ran).toEqual([...delays].sort((a, b) => a - b));
        pool.close();
        resolve();
      }, 20),
    );
  });
});
