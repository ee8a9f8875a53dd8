/**
 * A trailing throttle with time as a parameter: the first value goes through at once, later ones
 * at most once per `intervalMs`, and the last value pushed always arrives. The tray uses it so a
 * burst of snapshots redraws the icon once per stats interval; tests drive the clock by hand.
 */

/** The timer surface the throttle needs; `realClock` in production, a fake in tests. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A pending tray redraw must not keep the process alive at quit.
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface Throttle<T> {
  /** offers a new value; applied now or at the end of the current interval */
  push(value: T): void;
  /** drops a pending value (on teardown) */
  cancel(): void;
}

/** Creates a throttle that calls `apply` at most once per `intervalMs` with the latest value. */
export function createThrottle<T>(intervalMs: number, apply: (value: T) => void, clock: Clock): Throttle<T> {
  let lastRun = Number.NEGATIVE_INFINITY;
  let pending: { value: T } | null = null;
  let timer: unknown = null;

  const run = (value: T): void => {
    lastRun = clock.now();
    apply(value);
  };

  return {
    push(value) {
      const wait = lastRun + intervalMs - clock.now();
      if (wait <= 0 && timer === null) {
        run(value);
        return;
      }
      pending = { value };
      if (timer !== null) return;
      timer = clock.setTimeout(() => {
        timer = null;
        const next = pending;
        pending = null;
        if (next) run(next.value);
      }, Math.max(0, wait));
    },
    cancel() {
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
      pending = null;
    },
  };
}
