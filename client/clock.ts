/**
 * Time as a parameter: PresenceClient reads the time and sets its timers only through a Clock,
 * so tests can drive heartbeats, backoff and the wall-clock gap detector explicitly.
 */

/** An opaque timer handle (a number in browsers, a Timeout object in Node). */
export type TimerHandle = unknown;

export interface Clock {
  /** ms since the epoch */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock; looks the globals up at call time so it works in Node and in a browser. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
};

/** One timer on a Clock that can be re-armed; arming again cancels the previous one. */
export class Timer {
  private handle: TimerHandle | null = null;

  constructor(private readonly clock: Clock) {}

  /** Runs `fn` once after `ms`, cancelling whatever was armed before. */
  arm(ms: number, fn: () => void): void {
    this.cancel();
    this.handle = this.clock.setTimeout(() => {
      this.handle = null;
      fn();
    }, Math.max(0, ms));
  }

  /** Cancels the armed timer, if any. */
  cancel(): void {
    if (this.handle !== null) this.clock.clearTimeout(this.handle);
    this.handle = null;
  }

  /** True while a timer is armed. */
  get armed(): boolean {
    return this.handle !== null;
  }
}
