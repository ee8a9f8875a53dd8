/**
 * The quit sequence as a pure, single-flight function: steps run in order (client first, so the
 * server sees the user leave at once; then the embedded server), each bounded by a timeout so an
 * unreachable server can never keep the app from quitting.
 */

export interface ShutdownStep {
  name: string;
  run(): Promise<void>;
}

/** Returns `run()`, which performs the steps once; later calls get the same promise. */
export function createShutdown(
  steps: ShutdownStep[],
  timeoutMs: number,
  report: (message: string) => void = () => undefined,
): () => Promise<void> {
  let done: Promise<void> | null = null;
  const bounded = async (step: ShutdownStep): Promise<void> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const outcome = await Promise.race([step.run().then(() => 'done' as const), timeout]);
      if (outcome === 'timeout') report(`${step.name} did not finish within ${timeoutMs} ms; quitting anyway`);
    } catch (err) {
      report(`${step.name} failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      clearTimeout(timer);
    }
  };
  return () => {
    done ??= (async () => {
      for (const step of steps) await bounded(step);
    })();
    return done;
  };
}
