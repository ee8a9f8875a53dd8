/**
 * Heartbeat cadence against the real server. The client's timers run on a ManualClock (the
 * server and the network run in real time), so each beat is caused by the test, not by luck.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, connectedClient, diagsOf, restOf, sleep, startProxy, startServer, waitFor, waitForDiag } from './support/harness.js';
import { ManualClock } from './support/manual-clock.js';

afterEach(cleanup);

describe('heartbeat', () => {
  it('beats first after the jittered delay, then once per server-given interval, each acked', async () => {
    const server = await startServer({ heartbeatIntervalMs: 1_000, staleTimeoutMs: 60_000 });
    const clock = new ManualClock();
    const c = await connectedClient(server.url, { clock, random: () => 0.25 });
    await sleep(100);
    expect(diagsOf(c, 'heartbeat')).toHaveLength(0);
    clock.advance(249);
    await sleep(100);
    expect(diagsOf(c, 'heartbeat')).toHaveLength(0); // jittered first beat: 0.25 × 1000 ms
    clock.advance(1);
    await waitFor('first beat acked', () => diagsOf(c, 'heartbeat').length === 1);
    for (let i = 2; i <= 5; i++) {
      clock.advance(999);
      await sleep(30);
      expect(diagsOf(c, 'heartbeat')).toHaveLength(i - 1);
      clock.advance(1);
      await waitFor(`beat ${i} acked`, () => diagsOf(c, 'heartbeat').length === i);
    }
    const beats = diagsOf(c, 'heartbeat').map((d) => d.at);
    expect(beats.slice(1).map((t, i) => t - (beats[i] ?? 0))).toEqual([1_000, 1_000, 1_000, 1_000]);
  });

  it('keeps the user online past the stale timeout in real time, at the server interval', async () => {
    const server = await startServer(); // heartbeat 200 ms, stale 600 ms
    const c = await connectedClient(server.url);
    await sleep(1_500);
    const beats = diagsOf(c, 'heartbeat').map((d) => d.at);
    expect(beats.length).toBeGreaterThanOrEqual(5);
    expect(beats.length).toBeLessThanOrEqual(9);
    for (let i = 1; i < beats.length; i++) {
      const gap = (beats[i] ?? 0) - (beats[i - 1] ?? 0);
      expect(gap).toBeGreaterThan(120);
      expect(gap).toBeLessThan(400);
    }
    const token = c.storage.peek()?.token ?? '';
    const me = await restOf(server.url).me(token);
    expect(me.presence.isOnline).toBe(true);
    expect((await restOf(server.url).stats()).stats.onlineUsers).toBe(1);
    expect(diagsOf(c, 'disconnected')).toHaveLength(0);
  });

  it('jitters the first beat: clients connected together do not beat together', async () => {
    const server = await startServer({ heartbeatIntervalMs: 1_000, staleTimeoutMs: 60_000 });
    const clients = await Promise.all(Array.from({ length: 20 }, () => connectedClient(server.url)));
    const firstBeatAfterConnect = await Promise.all(
      clients.map(async (c) => {
        const beat = await waitForDiag(c, 'heartbeat', () => true, 0, 3_000);
        const connected = diagsOf(c, 'connected')[0]?.at ?? 0;
        return beat.at - connected;
      }),
    );
    const spread = Math.max(...firstBeatAfterConnect) - Math.min(...firstBeatAfterConnect);
    console.log(`first-beat delays of 20 clients (interval 1000 ms): ${firstBeatAfterConnect.sort((a, b) => a - b).join(', ')}`);
    expect(spread).toBeGreaterThan(300);
    expect(Math.max(...firstBeatAfterConnect)).toBeLessThan(1_300);
  });

  it('pause() stops the beats; a missed ack forces a fresh connection that beats at once', async () => {
    const server = await startServer({ heartbeatIntervalMs: 1_000, staleTimeoutMs: 60_000 });
    const proxy = await startProxy(server);
    const clock = new ManualClock();
    const c = await connectedClient(proxy.url, { clock, random: () => 0, ackTimeoutMs: 300 });
    await waitFor('immediate first beat', () => diagsOf(c, 'heartbeat').length === 1);

    c.client.pause();
    c.client.pause();
    expect(c.client.getSnapshot().connection).toEqual({ status: 'paused' });
    clock.advance(10_000);
    await sleep(100);
    expect(diagsOf(c, 'heartbeat')).toHaveLength(1);
    c.client.resume();
    await waitFor('wake beat', () => diagsOf(c, 'heartbeat').length === 2);
    expect(diagsOf(c, 'socket_opened')).toHaveLength(2);

    proxy.freeze(); // the live connection dies silently
    clock.advance(1_000); // next beat goes into the dead connection
    const timeout = await waitForDiag(c, 'ack_timeout', (d) => d.event === 'presence:heartbeat');
    expect(timeout).toBeDefined();
    const wakeBeat = await waitForDiag(c, 'heartbeat', (d) => d.wakeStartedAt !== null && d.at >= timeout.at);
    expect(wakeBeat).toBeDefined();
    expect(diagsOf(c, 'socket_opened')).toHaveLength(3);
    expect(c.client.getSnapshot().connection.status).toBe('connected');
  });
});
