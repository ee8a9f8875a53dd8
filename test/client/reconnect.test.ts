/**
 * Reconnect after a server restart, against the real server: our own full-jitter backoff
 * (Socket.IO's reconnection is off) and the spread of many real clients coming back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { configFor } from '../../server/config.js';
import { MemoryStore } from '../../server/store/memory.js';
import { storeTimings } from '../../server/store/open.js';
import { cleanup, connectedClient, diagsOf, restOf, sleep, startServer, waitFor, type TestClient } from './support/harness.js';
import { ManualClock } from './support/manual-clock.js';

afterEach(cleanup);

/** A restartable server: fixed secret and one store, so sessions and tokens survive the restart. */
const RESTARTABLE = {
  jwtSecret: 'test-secret-test-secret-test-secret',
  heartbeatIntervalMs: 30_000,
  staleTimeoutMs: 75_000,
  leaveGraceMs: 5_000,
  statsIntervalMs: 200,
};
const sharedStore = () => new MemoryStore(storeTimings(configFor(RESTARTABLE)));

/** Starts the server again on `port` (the old socket may linger a moment). */
async function restartOn(port: number, store: MemoryStore) {
  for (let i = 0; i < 50; i++) {
    try {
      return await startServer({ ...RESTARTABLE, port }, { store });
    } catch (err) {
      if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
      await sleep(20);
    }
  }
  throw new Error(`port ${port} stayed in use`);
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

describe('reconnect', () => {
  it('backs off with full jitter while the server is down, and resets once back', async () => {
    const store = sharedStore();
    const first = await startServer(RESTARTABLE, { store });
    const clock = new ManualClock();
    const c = await connectedClient(first.url, { clock, random: () => 0.5, backoffBaseMs: 200, backoffCapMs: 2_000 });
    await first.close();
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 7; attempt++) {
      const scheduled = await waitFor(`attempt ${attempt} scheduled`, () => diagsOf(c, 'reconnect_scheduled')[attempt - 1]);
      const state = c.client.getSnapshot().connection;
      expect(state).toMatchObject({ status: 'reconnecting', attempt, nextRetryAt: clock.now() + scheduled.delayMs });
      expect(state.status === 'reconnecting' && state.lastError).toBeTruthy();
      delays.push(scheduled.delayMs);
      clock.advance(scheduled.delayMs); // the retry fires and is refused (nobody listens)
    }
    expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]); // 0.5 × min(2000, 200 × 2^n)

    const pending = await waitFor('attempt 8 scheduled', () => diagsOf(c, 'reconnect_scheduled')[7]);
    const second = await restartOn(first.port, store);
    clock.advance(pending.delayMs);
    await waitFor('back', () => c.client.getSnapshot().connection.status === 'connected');
    expect(diagsOf(c, 'connected')).toHaveLength(2);
    expect((await restOf(second.url).stats()).stats).toMatchObject({ totalUsers: 1, onlineUsers: 1 });
    await second.close(); // the next outage starts from the first step again
    const again = await waitFor('backoff restarted', () => diagsOf(c, 'reconnect_scheduled')[8]);
    expect(again).toMatchObject({ attempt: 1, delayMs: 100 });
  });

  it('200 real clients come back after a restart spread out, not in lockstep', async () => {
    const N = 200;
    const BASE = 200;
    const CAP = 2_000;
    const store = sharedStore();
    const first = await startServer(RESTARTABLE, { store });
    const clients: TestClient[] = [];
    for (let i = 0; i < N; i += 50) {
      clients.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(50, N - i) }, () =>
            connectedClient(first.url, { backoffBaseMs: BASE, backoffCapMs: CAP, connectTimeoutMs: 2_000 }),
          ),
        )),
      );
    }
    await first.close();
    await sleep(3_000); // down long enough for the backoff to reach its cap
    const second = await restartOn(first.port, store);
    const upAt = Date.now();
    await waitFor('all back', () => clients.every((c) => diagsOf(c, 'connected').length === 2), 15_000);

    const offsets = clients.map((c) => (diagsOf(c, 'connected')[1]?.at ?? 0) - upAt).sort((a, b) => a - b);
    const buckets = new Map<number, number>();
    for (const o of offsets) buckets.set(Math.floor(o / 100), (buckets.get(Math.floor(o / 100)) ?? 0) + 1);
    const busiest = Math.max(...buckets.values()) / N;
    console.log(
      `${N} real clients after a 3 s restart (base ${BASE}, cap ${CAP}): back after ` +
        `min ${quantile(offsets, 0)} ms, p10 ${quantile(offsets, 0.1)}, p50 ${quantile(offsets, 0.5)}, ` +
        `p90 ${quantile(offsets, 0.9)}, max ${quantile(offsets, 1)} ms; busiest 100 ms window ${(busiest * 100).toFixed(1)} %`,
    );
    expect(quantile(offsets, 0.9) - quantile(offsets, 0.1)).toBeGreaterThan(500);
    expect(busiest).toBeLessThan(0.3); // lockstep would put everyone in one window
    expect(quantile(offsets, 1)).toBeLessThan(CAP + 2_000);
    for (const c of clients) {
      for (const d of diagsOf(c, 'reconnect_scheduled')) {
        expect(d.delayMs).toBeLessThan(Math.min(CAP, BASE * 2 ** (d.attempt - 1)));
      }
    }
    const stats = await restOf(second.url).stats();
    expect(stats.stats).toMatchObject({ totalUsers: N, onlineUsers: N }); // the same guests, no new ones
  });
});
