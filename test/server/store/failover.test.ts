/**
 * FailoverStore over a real redis-server that the tests kill and restart: while Redis is down the
 * node keeps serving from memory (degraded, logged once); when it comes back (empty, or with its
 * data) the node writes the outage back within seconds and the counts equal the truth.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Recovery } from '../../../server/store/failover.js';
import type { PresenceEvent } from '../../../server/store/types.js';
import { type RedisProcess, startRedis } from '../../support/redis.js';
import { CONTRACT_TIMINGS } from './contract.js';
import { type FailoverFixture, expectTruth, openFailover, sleep, until } from './failover-support.js';

let redis: RedisProcess;
let fx: FailoverFixture | null = null;
let prefixes = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await fx?.close();
  fx = null;
});
afterAll(async () => {
  await redis?.stop();
});

async function open() {
  fx = await openFailover(redis, `fo${++prefixes}`);
  return fx;
}

const DEGRADED = /degraded/;
const BACK = /is back/;

describe('FailoverStore while Redis is down', () => {
  it('keeps creation, auth, presence, matching and stats working from memory; logs once', async () => {
    const { store, clock, count } = await open();
    const t = () => clock.t;
    for (const id of ['a', 'b']) {
      await store.createSession({ id, username: `name-${id}`, now: t() });
      await store.connect({ userId: id, connId: `c-${id}`, nodeId: 'n1', now: t() });
    }
    const before = await store.stats(t());
    expect(store.degraded).toBe(false);

    await redis.kill();
    clock.t += 10;
    // The first call after the crash is served, from memory.
    const c = await store.createSession({ id: 'c', username: 'name-c', now: t() });
    expect(c.id).toBe('c');
    expect(store.degraded).toBe(true);
    // Auth of a session created before the outage, and of one created during it.
    expect((await store.getSession('a', t()))?.username).toBe('name-a');
    expect((await store.getSession('c', t()))?.username).toBe('name-c');
    // A session this node never saw cannot be judged: unavailable (the client retries), not "gone".
    await expect(store.getSession('stranger', t())).rejects.toMatchObject({ code: 'unavailable' });
    await expect(store.endSession('stranger', t(), 'deleted')).rejects.toMatchObject({ code: 'unavailable' });

    await store.connect({ userId: 'c', connId: 'c-c', nodeId: 'n1', now: t() });
    expect((await store.setSearching('a', true, t())).presence.isSearching).toBe(true);
    const matched = await store.setSearching('c', true, t());
    expect(matched.events).toEqual([expect.objectContaining({ type: 'matched' })]);
    expect(await store.touch('a', 'c-a', t())).toEqual({ partner: { id: 'c', username: 'name-c' }, chatId: matched.presence.chatId });
    const during = await store.stats(t());
    expect(during.stats).toEqual({ totalUsers: 3, onlineUsers: 3, activeUsers: 3, availableUsers: 0, connectedUsers: 2 });
    expect(during.seq).toBeGreaterThan(before.seq);
    await expectTruth(store, ['a', 'b', 'c'], t());
    // Many more calls, background loops included: still one log line for the outage.
    for (let i = 0; i < 20; i++) {
      await store.sweep(t());
      await store.touch('b', 'c-b', t());
    }
    expect(count('warn', DEGRADED)).toBe(1);
    expect(await store.ping()).toBe(false);
    await redis.restart();
  });
});

describe('FailoverStore recovery', () => {
  it('after a restart with empty data: sessions restored, connections re-registered, counts true', async () => {
    const { store, clock, count, observer } = await open();
    const t = () => clock.t;
    const recoveries: Recovery[] = [];
    const reasserted: string[] = [];
    const live = new Map<string, string>(); // connId -> userId: the "server's" live sockets
    store.onRecovered(async (r) => {
      recoveries.push(r);
      // What the server does: re-assert every live socket (connect is idempotent).
      for (const [connId, userId] of live) {
        await store.connect({ userId, connId, nodeId: 'n1', now: t() });
        reasserted.push(connId);
      }
    });
    const join = async (id: string) => {
      await store.createSession({ id, username: `name-${id}`, now: t() });
      await store.connect({ userId: id, connId: `c-${id}`, nodeId: 'n1', now: t() });
      live.set(`c-${id}`, id);
    };
    await store.renewNode('n1', t(), 15_000);
    await join('a');
    await join('b');
    await store.setSearching('a', true, t());
    const seqBefore = (await store.stats(t())).seq;

    await redis.kill();
    clock.t += 100;
    await join('c'); // created during the outage
    await store.createSession({ id: 'd', username: 'name-d', now: t() }); // never connected
    const m = await store.setSearching('c', true, t()); // pairs with a (seeded as searching)
    expect(m.presence.partner?.id).toBe('a');
    await store.setSearching('b', true, t());
    await store.setOnline('b', false, t()); // b hides
    await store.setOnline('b', true, t());
    await store.setSearching('b', true, t());
    const seqDuring = (await store.stats(t())).seq;
    expect(seqDuring).toBeGreaterThan(seqBefore);

    await redis.restart();
    const tookMs = await until('recovered', () => !store.degraded);
    expect(tookMs).toBeLessThan(10_000);
    expect(recoveries).toHaveLength(1);
    const r = recoveries[0] as Recovery;
    expect(r.restored).toBe(4);
    expect(r.reasserted).toBe(3);
    expect(reasserted.sort()).toEqual(['c-a', 'c-b', 'c-c']);
    // The chat made in memory cannot live on: both users are told it ended, once.
    const ended = r.events.filter((e): e is Extract<PresenceEvent, { type: 'chat_ended' }> => e.type === 'chat_ended');
    expect(ended.map((e) => [e.userId, e.chatId]).sort()).toEqual([
      ['a', m.presence.chatId],
      ['c', m.presence.chatId],
    ]);

    // Another node's view of Redis: every session is there, nobody counted twice.
    const other = await observer();
    for (const id of ['a', 'b', 'c', 'd']) expect(await other.getSession(id, t()), id).not.toBeNull();
    await expectTruth(other, ['a', 'b', 'c', 'd'], t(), { totalUsers: 4, onlineUsers: 3, availableUsers: 1, connectedUsers: 0 });
    expect((await other.getSession('b', t()))?.searching).toBe(true);
    expect(await other.getSession('d', t())).toMatchObject({ username: 'name-d', connections: 0 });
    expect((await other.nodeConnections('n1')).map((c) => c.connId).sort()).toEqual(['c-a', 'c-b', 'c-c']);
    expect(await other.expiredNodes(t() + 1_000)).toEqual([]);
    // The store serves from Redis again; seq never went back.
    expect((await store.stats(t())).seq).toBeGreaterThan(seqDuring);
    await store.createSession({ id: 'e', username: 'name-e', now: t() });
    expect(await other.getSession('e', t())).not.toBeNull();
    expect(count('warn', DEGRADED)).toBe(1);
    expect(count('info', BACK)).toBe(1);
  });

  it('after a brief outage with the same data: changes written back, untouched chats survive', async () => {
    const { store, clock, count, observer } = await open();
    const t = () => clock.t;
    for (const id of ['a', 'b', 'e', 'f']) {
      await store.createSession({ id, username: `name-${id}`, now: t() });
      await store.connect({ userId: id, connId: `c-${id}`, nodeId: 'n1', now: t() });
    }
    await store.setSearching('a', true, t());
    const chat = await store.setSearching('b', true, t());

    await redis.kill({ keepData: true });
    clock.t += 100;
    await store.disconnect('f', 'c-f', t()); // f's socket closed during the outage
    await store.setOnline('e', false, t()); // e hid
    await store.createSession({ id: 'g', username: 'name-g', now: t() });
    await store.connect({ userId: 'g', connId: 'c-g', nodeId: 'n1', now: t() });
    expect(store.degraded).toBe(true);

    await redis.restart();
    await until('recovered', () => !store.degraded);
    const other = await observer();
    // a and b's chat began before the outage and neither touched it: it goes on.
    expect((await other.getSession('a', t()))?.chatId).toBe(chat.presence.chatId);
    expect((await other.getSession('e', t()))).toMatchObject({ hidden: true, onlineSince: null });
    expect((await other.getSession('f', t()))?.connections).toBe(0);
    expect((await other.getSession('g', t()))?.onlineSince).not.toBeNull();
    await expectTruth(other, ['a', 'b', 'e', 'f', 'g'], t(), { totalUsers: 5, onlineUsers: 4, connectedUsers: 2 });
    // f goes offline when its leave grace passes, as if Redis had been there all along.
    clock.t += CONTRACT_TIMINGS.leaveGraceMs;
    await store.sweep(t());
    await expectTruth(other, ['a', 'b', 'e', 'f', 'g'], t(), { onlineUsers: 3, connectedUsers: 2 });
    expect(count('warn', DEGRADED)).toBe(1);

    // A second outage is a second log line each way.
    await redis.kill({ keepData: true });
    await store.touch('a', 'c-a', t());
    await redis.restart();
    await until('recovered again', () => !store.degraded);
    expect(count('warn', DEGRADED)).toBe(2);
    expect(count('info', BACK)).toBe(2);
  });

  it('probes one at a time, about every 500 ms, and stops on close()', async () => {
    const { store, primary, clock } = await open();
    let calls = 0;
    let active = 0;
    let maxActive = 0;
    const ping = primary.ping.bind(primary);
    primary.ping = async () => {
      calls++;
      maxActive = Math.max(maxActive, ++active);
      try {
        return await ping();
      } finally {
        active--;
      }
    };
    await store.createSession({ id: 'p', username: 'probe', now: clock.t });
    await redis.kill();
    await store.touch('p', 'x', clock.t);
    expect(store.degraded).toBe(true);
    await sleep(2_100);
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(calls).toBeLessThanOrEqual(5);
    expect(maxActive).toBe(1);
    await store.close();
    const atClose = calls;
    await sleep(1_200);
    expect(calls).toBe(atClose);
    await redis.restart();
  });
});
