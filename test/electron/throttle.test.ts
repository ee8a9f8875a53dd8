import { describe, expect, it } from 'vitest';
import { createThrottle } from '../../electron/throttle.js';
import { manualClock } from './fake-client.js';

describe('createThrottle', () => {
  it('applies the first value at once and later ones at most once per interval, latest wins', () => {
    const clock = manualClock();
    const applied: [number, number][] = [];
    const t = createThrottle<number>(1000, (v) => applied.push([clock.now(), v]), clock);
    t.push(1);
    t.push(2);
    t.push(3);
    expect(applied).toEqual([[0, 1]]);
    clock.advance(999);
    expect(applied).toEqual([[0, 1]]);
    clock.advance(1);
    expect(applied).toEqual([
      [0, 1],
      [1000, 3],
    ]);
  });

  it('lets a value through at once after a quiet interval', () => {
    const clock = manualClock();
    const applied: number[] = [];
    const t = createThrottle<number>(1000, (v) => applied.push(v), clock);
    t.push(1);
    clock.advance(5000);
    t.push(2);
    expect(applied).toEqual([1, 2]);
    expect(clock.pending()).toBe(0);
  });

  it('never applies more often than the interval under a steady stream', () => {
    const clock = manualClock();
    const times: number[] = [];
    const t = createThrottle<number>(1000, () => times.push(clock.now()), clock);
    for (let i = 0; i < 100; i++) {
      t.push(i);
      clock.advance(70);
    }
    clock.advance(2000);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    expect(times.length).toBeGreaterThanOrEqual(7);
  });

  it('cancel drops the pending value', () => {
    const clock = manualClock();
    const applied: number[] = [];
    const t = createThrottle<number>(1000, (v) => applied.push(v), clock);
    t.push(1);
    t.push(2);
    t.cancel();
    clock.advance(5000);
    expect(applied).toEqual([1]);
  });
});
