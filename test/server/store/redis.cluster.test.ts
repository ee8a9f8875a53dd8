/**
 * RedisStore on a local 3-master Redis Cluster: every script's keys share one hash tag, so each
 * runs on one node without CROSSSLOT. A scenario through the main operations, then the whole
 * store contract.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, isCluster } from '../../../server/store/redis/connect.js';
import { storeKeys } from '../../../server/store/redis/keys.js';
import { RedisStore } from '../../../server/store/redis/store.js';
import { type RedisClusterProcess, redisCli, startRedisCluster } from '../../support/redis.js';
import { CONTRACT_TIMINGS, storeContract } from './contract.js';

const T0 = 1_700_000_000_000;
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
  return new RedisStore(client, prefix, CONTRACT_TIMINGS);
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
      expect(swept.events).toContainEqual(expect.objectContaining({ type: 'chat_ended', reason: 'partner_gone' }));
      expect((await store.stats(T0 + 7_000)).stats).toMatchObject({ totalUsers: 3, onlineUsers: 0, connectedUsers: 0 });

      // Every key of the store lives in the one slot of its hash tag.
      const k = storeKeys('scenario');
      const slots = new Set(
        await Promise.all([k.sessions, k.user('a'), k.conns('b'), k.node('node1'), k.log].map((key) =>
          redisCli(cluster?.nodes[0]?.port ?? 0, 'CLUSTER', 'KEYSLOT', key),
        )),
      );
      expect(slots.size).toBe(1);
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
  const store = new RedisStore(await connectRedis({ clusterNodes: cluster.nodes }), `cc${++prefixes}`, t);
  return { store, cleanup: () => store.close() };
});
