/**
 * A Clock the test drives. `advance(ms)` runs time forward normally: every timer fires at its
 * due time. `sleep(ms)` models a frozen process (laptop asleep): time jumps without any timer
 * running, then every overdue timer fires late, at the new time, as it does after a wake.
 */
import type { Clock, TimerHandle } from '../../../client/clock.js';

interface Pending {
  id: number;
  due: number;
  fn: () => void;
}

/** Upper bound of timer callbacks one advance()/sleep() may run (a runaway loop fails fast). */
const MAX_FIRES = 100_000;

/** A Clock moved only by the test. */
export class ManualClock implements Clock {
  private t: number;
  private nextId = 1;
  private timers: Pending[] = [];

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ id, due: this.t + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((p) => p.id !== handle);
  }

  /** Timers armed and not yet fired. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing each timer at its due time, in order. */
  advance(ms: number): void {
    const target = this.t + ms;
    this.runDue(target, true);
    this.t = target;
  }

  /** Jumps forward by `ms` with no timer running, then fires the overdue ones late. */
  sleep(ms: number): void {
    this.t += ms;
    this.runDue(this.t, false);
  }

  private runDue(until: number, onTime: boolean): void {
    for (let fires = 0; fires < MAX_FIRES; fires++) {
      const next = this.timers.filter((p) => p.due <= until).sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (!next) return;
      this.timers = this.timers.filter((p) => p.id !== next.id);
      if (onTime) this.t = Math.max(this.t, next.due);
      next.fn();
    }
    throw new Error(`ManualClock: more than ${MAX_FIRES} timers fired at once`);
  }
}
