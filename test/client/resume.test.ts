/**
 * Sleep and wake through a frozen TCP proxy: after a sleep the old connection looks open but is
 * dead. resume() and the wall-clock gap detector must not trust it.
 */
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, connectedClient, diagsOf, restOf, sleep, startProxy, startServer, waitFor, waitForDiag } from './support/harness.js';
import { ManualClock } from './support/manual-clock.js';

afterEach(cleanup);

// Default liveness timings: without resume() the dead socket would be noticed only after
// Socket.IO's ping timeout (~45 s) or the server's stale timeout (75 s).
const REALISTIC = { heartbeatIntervalMs: 30_000, staleTimeoutMs: 75_000, leaveGraceMs: 5_000 };

describe('resume()', () => {
  it('after a frozen connection: a fresh connection and a heartbeat at once (measured)', async () => {
    const server = await startServer(REALISTIC);
    const proxy = await startProxy(server);
    const c = await connectedClient(proxy.url);
    const userId = c.client.getSnapshot().me?.user.id;
    const times: number[] = [];
    for (let round = 1; round <= 5; round++) {
      proxy.freeze(); // every open connection is now dead, new ones pass
      c.client.pause(); // suspend
      const from = c.diags.length;
      const t0 = performance.now();
      c.client.resume(); // wake
      await waitForDiag(c, 'heartbeat', (d) => d.wakeStartedAt !== null, from, 3_000);
      times.push(performance.now() - t0);
      expect(diagsOf(c, 'socket_opened')).toHaveLength(round + 1);
      expect(c.client.getSnapshot().connection.status).toBe('connected');
      expect(c.client.getSnapshot().me?.user.id).toBe(userId); // the same guest, not a new one
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(
      `resume-to-heartbeat through a frozen proxy: ${times.map((t) => t.toFixed(1)).join(', ')} ms ` +
        `(median ${(sorted[2] ?? 0).toFixed(1)} ms)`,
    );
    expect(sorted[2]).toBeLessThan(500);
    const stats = await restOf(server.url).stats();
    expect(stats.stats.onlineUsers).toBe(1); // never went offline
    expect(stats.stats.totalUsers).toBe(1);
  });

  it('when the network is not back yet: backs off, then beats at once when it returns', async () => {
    const server = await startServer(REALISTIC);
    const proxy = await startProxy(server);
    const c = await connectedClient(proxy.url, { connectTimeoutMs: 300, backoffBaseMs: 100, backoffCapMs: 400 });
    proxy.freeze({ newConnections: true });
    c.client.pause();
    const from = c.diags.length;
    const snapshotsFrom = c.snapshots.length;
    c.client.resume();
    await waitForDiag(c, 'reconnect_scheduled', () => true, from); // the new connection hung and timed out
    expect(c.snapshots.slice(snapshotsFrom).some((s) => s.connection.status === 'reconnecting')).toBe(true);
    proxy.thaw();
    const beat = await waitForDiag(c, 'heartbeat', (d) => d.wakeStartedAt !== null, from);
    expect(beat.wakeStartedAt).toBe(diagsOf(c, 'wake').at(-1)?.at);
    expect(c.client.getSnapshot().connection.status).toBe('connected');
  });

  it('is idempotent, and so is pause()', async () => {
    const server = await startServer(REALISTIC);
    const c = await connectedClient(server.url, { wakeDebounceMs: 1_000 });
    c.client.pause();
    c.client.pause();
    expect(c.snapshots.filter((s) => s.connection.status === 'paused')).toHaveLength(1);
    c.client.resume();
    c.client.resume(); // power events can fire twice
    await waitFor('reconnected', () => diagsOf(c, 'connected').length === 2);
    c.client.resume(); // right after a fresh connection: nothing to do
    await sleep(200);
    expect(diagsOf(c, 'socket_opened')).toHaveLength(2);
    expect(diagsOf(c, 'wake')).toHaveLength(1);
    expect(diagsOf(c, 'heartbeat').filter((d) => d.wakeStartedAt !== null)).toHaveLength(1);
  });
});

describe('wall-clock gap detector', () => {
  it('takes the resume path when timers fire far too late and no power event came', async () => {
    const server = await startServer(REALISTIC);
    const proxy = await startProxy(server);
    const clock = new ManualClock();
    const c = await connectedClient(proxy.url, { clock, gapCheckMs: 1_000 });
    clock.advance(5_000); // timers on time: no gap
    await sleep(50);
    expect(diagsOf(c, 'wake')).toHaveLength(0);

    proxy.freeze();
    const from = c.diags.length;
    clock.sleep(60_000); // the machine slept a minute; nobody called pause() or resume()
    const wake = await waitForDiag(c, 'wake', () => true, from);
    expect(wake.cause).toBe('gap');
    expect(wake.lateByMs).toBeGreaterThan(50_000);
    await waitForDiag(c, 'heartbeat', (d) => d.wakeStartedAt !== null, from);
    expect(diagsOf(c, 'socket_opened')).toHaveLength(2);
    expect(c.client.getSnapshot().connection.status).toBe('connected');
  });

  it('while paused, a gap wakes the client too (the resume event never came)', async () => {
    const server = await startServer(REALISTIC);
    const clock = new ManualClock();
    const c = await connectedClient(server.url, { clock, gapCheckMs: 1_000 });
    c.client.pause();
    clock.advance(10_000); // paused but awake (screen locked): no gap, no beat, still paused
    await sleep(50);
    expect(c.client.getSnapshot().connection.status).toBe('paused');
    clock.sleep(30_000);
    await waitForDiag(c, 'heartbeat', (d) => d.wakeStartedAt !== null);
    expect(c.client.getSnapshot().connection.status).toBe('connected');
  });
});
