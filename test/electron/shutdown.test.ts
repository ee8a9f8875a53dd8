import { describe, expect, it, vi } from 'vitest';
import { createShutdown } from '../../electron/shutdown.js';

describe('createShutdown', () => {
  it('runs the steps in order, once, however often quit is asked for', async () => {
    const order: string[] = [];
    const run = createShutdown(
      [
        { name: 'client', run: async () => void order.push('client') },
        { name: 'server', run: async () => void order.push('server') },
      ],
      1000,
    );
    await Promise.all([run(), run()]);
    await run();
    expect(order).toEqual(['client', 'server']);
  });

  it('goes on past a step that fails or hangs, and says so', async () => {
    vi.useFakeTimers();
    try {
      const report = vi.fn();
      const closed = vi.fn(() => Promise.resolve());
      const run = createShutdown(
        [
          { name: 'client', run: () => new Promise<void>(() => undefined) },
          { name: 'broken', run: () => Promise.reject(new Error('socket gone')) },
          { name: 'server', run: closed },
        ],
        3000,
        report,
      );
      const done = run();
      await vi.advanceTimersByTimeAsync(3000);
      await done;
      expect(closed).toHaveBeenCalledOnce();
      expect(report.mock.calls.map((c) => c[0])).toEqual([
        'client did not finish within 3000 ms; quitting anyway',
        'broken failed: socket gone',
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});
