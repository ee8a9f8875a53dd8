/**
 * RedisStore on a local 3-master Redis Cluster with 16 buckets (as REDIS_CLUSTER_NODES gives by
 * default): every script's keys share one hash tag, so each runs on one node without CROSSSLOT,
 * and user state spreads over all three masters. A scenario through the main operations, the
 * spread measured on the masters, then the whole store contract.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, isCluster } from '../../../server/store/redis/connect.js';
import { storeKeys } from '../../../server/store/redis/keys.js';
import { RedisStore } from '../../../server/store/redis/store.js';
import { type RedisClusterProcess, redisCli, startRedisCluster } from '../../support/redis.js';
import { CONTRACT_TIMINGS, storeContract } from './contract.js';

const T0 = 1_700_000_000_000;
const BUCKETS = 16;
let cluster: RedisClusterProcess | undefined;
let prefixes = 0;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
});
afterAll(async () => {
  await cluster?.stop();
});

async function clusterStore(prefix: string): Promise<RedisStore> {
  if (!cluster) throw new Error('cluster not started');
  const client = await connectRedis({ clusterNodes: cluster.nodes });
  expect(isCluster(client)).toBe(true);
  return new RedisStore(client, prefix, CONTRACT_TIMINGS, { buckets: BUCKETS });
}

describe('RedisStore on Redis Cluster', () => {
  it('runs a session, match and stats scenario', async () => {
    const store = await clusterStore('scenario');
    try {
      for (const id of ['a', 'b', 'c']) {
        await store.createSession({ id, username: `name-${id}`, now: T0 });
        await store.connect({ userId: id, connId: `conn-${id}`, nodeId: 'node1', now: T0 + 1 });
      }
      await store.setSearching('a', true, T0 + 2);
      const matched = await store.setSearching('b', true, T0 + 3);
      expect(matched.events).toEqual([
        {
          type: 'matched',
          chatId: expect.any(String),
          users: [
            { id: 'a', username: 'name-a' },
            { id: 'b', username: 'name-b' },
          ],
        },
      ]);
      await store.setSearching('c', true, T0 + 4);
      const snap = await store.stats(T0 + 4);
      expect(snap.stats).toEqual({ totalUsers: 3, onlineUsers: 3, activeUsers: 3, availableUsers: 1, connectedUsers: 2 });
      expect(snap.recent.map((u) => [u.id, u.status])).toEqual([
        ['c', 'searching'],
        ['b', 'chatting'],
        ['a', 'chatting'],
      ]);
      expect(await store.touch('a', 'conn-a', T0 + 5)).toEqual({ partner: { id: 'b', username: 'name-b' }, chatId: matched.presence.chatId });
      expect((await store.listOnline(null, 2)).nextCursor).not.toBeNull();
      const dropped = await store.dropNode('node1', T0 + 6);
      expect(dropped.events).toEqual([]);
      const swept = await store.sweep(T0 + 6 + CONTRACT_TIMINGS.leaveGraceMs);
      // Both left at once: each one's chat ends (a partner in the same bucket hears partner_gone,
      // one in another bucket has already ended it as 'left' when the release arrives).
      const ended = swept.events.flatMap((e) => (e.type === 'chat_ended' ? [e.userId] : []));
      expect(ended.sort()).toEqual(['a', 'b']);
      expect((await store.stats(T0 + 7_000)).stats).toMatchObject({ totalUsers: 3, onlineUsers: 0, connectedUsers: 0 });

      // Each key lives in the slot of its bucket's tag, the bucket of its user.
      const k = storeKeys('scenario', BUCKETS);
      const slotOf = async (key: string) => Number(await redisCli(cluster?.nodes[0]?.port ?? 0, 'CLUSTER', 'KEYSLOT', key));
      for (const id of ['a', 'b', 'c']) {
        const b = k.bucketOf(id);
        expect(await slotOf(b.user(id))).toBe(await slotOf(b.sessions));
        expect(await slotOf(b.conns(id))).toBe(await slotOf(b.node('node1')));
      }
    } finally {
      await store.close();
    }
  });

  it('spreads user state over every master', async () => {
    if (!cluster) throw new Error('cluster not started');
    const store = await clusterStore('spread');
    const users = 300;
    try {
      for (let i = 0; i < users; i++) {
        await store.createSession({ id: `user-${i}`, username: `u${i}`, now: T0 });
        await store.connect({ userId: `user-${i}`, connId: `c${i}`, nodeId: 'node1', now: T0 });
      }
      // The session hashes each master holds (KEYS is fine on a test cluster of a few keys).
      const perMaster = await Promise.all(
        cluster.nodes.map(async (n) => (await redisCli(n.port, 'KEYS', '{spread#*}:u:*')).split('\n').filter(Boolean).length),
      );
      expect(perMaster.reduce((a, b) => a + b, 0)).toBe(users);
      // 100 expected on each; the bucket slots are spaced evenly over the masters' ranges.
      for (const n of perMaster) expect(n).toBeGreaterThan(users / 6);
      expect((await store.stats(T0)).stats).toMatchObject({ totalUsers: users, onlineUsers: users });
    } finally {
      await store.close();
    }
  });

  it('two stores (as on two server nodes) share the state and the stats seq', async () => {
    const one = await clusterStore('shared');
    const two = await clusterStore('shared');
    try {
      await one.createSession({ id: 'x', username: 'xx', now: T0 });
      await one.connect({ userId: 'x', connId: 'c', nodeId: 'n', now: T0 });
      const s1 = await one.stats(T0);
      const s2 = await two.stats(T0);
      expect(s2.seq).toBe(s1.seq);
      expect(s2.stats.onlineUsers).toBe(1);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});

storeContract('redis cluster', async (t) => {
  if (!cluster) throw new Error('cluster not started');
  const store = new RedisStore(await connectRedis({ clusterNodes: cluster.nodes }), `cc${++prefixes}`, t, { buckets: BUCKETS });
  return { store, cleanup: () => store.close() };
});
