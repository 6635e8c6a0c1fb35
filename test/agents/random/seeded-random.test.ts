import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../agents/random/seeded-random.js';

describe('SeededRandom', () => {
  it('repeats for the same seed and differs for another', () => {
    const draw = (seed: string | number) => {
      const r = new SeededRandom(seed);
      return [r.next(), r.int(1000), r.hex(16), r.uuid(), r.chars(8, 'ABC')];
    };
    expect(draw('x')).toEqual(draw('x'));
    expect(draw(42)).toEqual(draw('42'));
    expect(draw('x')).not.toEqual(draw('y'));
  });

  it('forks independent repeatable streams that do not depend on the parent position', () => {
    const a = new SeededRandom('fleet');
    const b = new SeededRandom('fleet');
    b.next();
    b.next();
    expect(a.fork('device-1').uuid()).toBe(b.fork('device-1').uuid());
    expect(a.fork('device-1').uuid()).not.toBe(a.fork('device-2').uuid());
  });

  it('draws within bounds', () => {
    const r = new SeededRandom('bounds');
    for (let i = 0; i < 1000; i++) {
      const f = r.next();
      expect(f >= 0 && f < 1).toBe(true);
      expect(r.int(7)).toBeLessThan(7);
      const j = r.jitter(100, 0.1);
      expect(j >= 90 && j <= 110).toBe(true);
    }
    expect(r.uuid()).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
    expect(r.hex(5)).toMatch(/^[0-9A-F]{5}$/);
    expect(r.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(() => r.int(0)).toThrow(RangeError);
  });
});
