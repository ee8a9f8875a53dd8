/** The thin timer layer: domain code takes `now`; only these loops read the clock on a schedule. */

export interface Loop {
  stop(): void;
  /** runs one tick now (skipped if one is already running); resolves when it ends */
  tick(): Promise<void>;
}

/** Runs `fn` every `ms`, never two at once; errors go to `onError` and the loop goes on. */
export function every(ms: number, fn: () => Promise<void>, onError: (err: unknown) => void): Loop {
  let running: Promise<void> | null = null;
  const tick = (): Promise<void> => {
    if (running) return running;
    running = fn()
      .catch(onError)
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => void tick(), ms);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
    tick,
  };
}
