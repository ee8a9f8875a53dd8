/** Stats ordering, gap recovery, online-user diffs and history, against the real server. */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, connectedClient, diagsOf, restOf, sleep, startServer, waitFor, waitForDiag } from './support/harness.js';

afterEach(cleanup);

const QUIET = { heartbeatIntervalMs: 30_000, staleTimeoutMs: 75_000 };

describe('stats', () => {
  it('a seq gap triggers stats:request, and the client ends on the server stats', async () => {
    // Broadcasts only when the test ticks the server.
    const server = await startServer({ ...QUIET, statsIntervalMs: 3_600_000 });
    const a = await connectedClient(server.url, { statsRequestMinIntervalMs: 0 });
    const base = a.client.getSnapshot().stats?.seq ?? -1;
    const b = await connectedClient(server.url); // B's handshake observes new counts: seq base+1, seen by B only
    await b.client.setVisible(false); // changed again, observed by nobody yet
    await server.tick(); // the broadcast observes it: A goes from base to base+2
    const request = await waitForDiag(a, 'stats_request', (d) => d.cause === 'gap');
    expect(request).toBeDefined();
    const server_ = await restOf(server.url).stats();
    await waitFor('A has the server stats', () => a.client.getSnapshot().stats?.seq === server_.seq);
    expect(server_.seq).toBeGreaterThanOrEqual(base + 2);
    expect(a.client.getSnapshot().stats?.stats).toEqual(server_.stats);
    expect(a.client.getSnapshot().stats?.stats.onlineUsers).toBe(1); // B is hidden
  });

  it('never goes back to an older seq; duplicates of the held seq are ignored', async () => {
    const server = await startServer({ statsIntervalMs: 20 });
    const a = await connectedClient(server.url, { statsRequestMinIntervalMs: 0 });
    const others = await Promise.all(Array.from({ length: 6 }, () => connectedClient(server.url)));
    for (let round = 0; round < 4; round++) {
      await Promise.all(others.map((o, i) => o.client.setVisible((round + i) % 2 === 0)));
      await sleep(30);
    }
    a.client.pause();
    a.client.resume(); // a reconnect asks for the stats too
    await waitForDiag(a, 'stats_request', (d) => d.cause === 'reconnect');
    const seqs = a.snapshots.map((s) => s.stats?.seq ?? -1);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThanOrEqual(seqs[i - 1] ?? -1);
    expect(new Set(seqs).size).toBeGreaterThan(3);
    await waitForDiag(a, 'stats_ignored'); // the stats:request ack and its stats:update carry one seq
    const ignored = diagsOf(a, 'stats_ignored');
    expect(ignored.every((d) => d.seq <= d.heldSeq)).toBe(true);
    const final = await restOf(server.url).stats();
    await waitFor('A catches up', () => a.client.getSnapshot().stats?.seq === final.seq);
  });

  it('loads the history on start and appends live points', async () => {
    const server = await startServer({ historySampleMs: 50 });
    await connectedClient(server.url);
    await sleep(300); // a few samples
    const c = await connectedClient(server.url);
    await waitFor('history loaded', () => c.client.getSnapshot().history.length >= 3);
    const rest = await restOf(server.url).history(60);
    await c.client.refreshHistory(60);
    const history = c.client.getSnapshot().history;
    expect(history.length).toBeGreaterThanOrEqual(rest.points.length);
    expect(history[0]).toEqual(rest.points[0]);
    for (let i = 1; i < history.length; i++) {
      expect(history[i]?.t ?? 0).toBeGreaterThan(history[i - 1]?.t ?? 0);
      expect((history[i]?.t ?? 1) % 50).toBe(0); // aligned server samples
    }
    await sleep(100); // more than a sample period after the last loaded point
    await connectedClient(server.url); // a change, so a realtime:stats goes out
    await waitFor('a live point appended', () => (c.client.getSnapshot().history.at(-1)?.t ?? 0) > (history.at(-1)?.t ?? 0), 3_000);
  });
});

describe('online users', () => {
  it('subscribe: first page, then joined/left diffs merged by id', async () => {
    const server = await startServer();
    const a = await connectedClient(server.url);
    await a.client.subscribeOnline();
    const me = a.client.getSnapshot().me?.user.id;
    expect(a.client.getSnapshot().online).toMatchObject({ subscribed: true, users: [{ id: me, status: 'online' }] });

    const b = await connectedClient(server.url);
    const bId = b.client.getSnapshot().me?.user.id;
    const statusOfB = () => a.client.getSnapshot().online.users.find((u) => u.id === bId)?.status;
    await waitFor('B joined', () => statusOfB() === 'online');
    await b.client.search();
    await waitFor('B searching', () => statusOfB() === 'searching');
    await b.client.stop();
    await waitFor('B left', () => !a.client.getSnapshot().online.users.some((u) => u.id === bId));
    expect(a.client.getSnapshot().online.users.map((u) => u.id)).toEqual([me]);

    await a.client.unsubscribeOnline();
    const c = await connectedClient(server.url);
    await sleep(200);
    expect(a.client.getSnapshot().online.subscribed).toBe(false);
    expect(a.client.getSnapshot().online.users.some((u) => u.id === c.client.getSnapshot().me?.user.id)).toBe(false);
  });

  it('re-subscribes after a reconnect', async () => {
    const server = await startServer();
    const a = await connectedClient(server.url);
    await a.client.subscribeOnline();
    a.client.pause();
    a.client.resume();
    await waitFor('reconnected', () => diagsOf(a, 'connected').length === 2);
    const b = await connectedClient(server.url);
    const bId = b.client.getSnapshot().me?.user.id;
    await waitFor('diffs still arrive', () => a.client.getSnapshot().online.users.some((u) => u.id === bId));
  });

  it('loadMoreOnline pages through everyone, once each', async () => {
    const server = await startServer();
    const clients = await Promise.all(Array.from({ length: 60 }, () => connectedClient(server.url)));
    const a = clients[0];
    if (!a) throw new Error('no client');
    const first = await a.client.loadMoreOnline();
    expect(first.users).toHaveLength(50);
    expect(first.nextCursor).not.toBeNull();
    const second = await a.client.loadMoreOnline();
    expect(second.users).toHaveLength(10);
    expect(second.nextCursor).toBeNull();
    expect(await a.client.loadMoreOnline()).toEqual({ users: [], nextCursor: null });
    const ids = a.client.getSnapshot().online.users.map((u) => u.id);
    expect(new Set(ids).size).toBe(60);
    expect(new Set(ids)).toEqual(new Set(clients.map((c) => c.client.getSnapshot().me?.user.id)));
  });
});
