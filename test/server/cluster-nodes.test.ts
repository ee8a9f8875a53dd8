/**
 * Two server nodes on a local 3-master Redis Cluster (REDIS_CLUSTER_NODES): the sharded adapter
 * carries cross-node emits, and matching, chat and the global numbers work as on one Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatsResponse } from '../../server/protocol.js';
import { type RedisClusterProcess, startRedisCluster } from '../support/redis.js';
import { getJson, next, rawEmit, startHarness } from '../support/server.js';

describe('two nodes on a Redis Cluster', () => {
  let cluster: RedisClusterProcess;
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('matches, relays chat and agrees on the numbers across nodes', async () => {
    const cfg = { redisClusterNodes: cluster.nodes, redisPrefix: 'cl', statsIntervalMs: 100, jwtSecret: 'cluster-test-secret-0123456789' };
    const n1 = await startHarness(cfg);
    const n2 = await startHarness(cfg);
    try {
      const a = await n1.user('cluster_a');
      const b = await n2.user('cluster_b');
      const matched = next(b.socket, 'presence:connected');
      await rawEmit(a.socket, 'presence:searching', { isSearching: true });
      await rawEmit(b.socket, 'presence:searching', { isSearching: true });
      expect((await matched).partner?.username).toBe('cluster_a');
      const got = next(a.socket, 'chat:message');
      expect(await rawEmit(b.socket, 'chat:message', { text: 'over the shards' })).toMatchObject({ ok: true });
      expect((await got).text).toBe('over the shards');
      const s1 = (await getJson<StatsResponse>(n1.url, '/api/stats')).body.stats;
      const s2 = (await getJson<StatsResponse>(n2.url, '/api/stats')).body.stats;
      expect(s1).toEqual(s2);
      expect(s1).toMatchObject({ totalUsers: 2, onlineUsers: 2, connectedUsers: 2 });
      const ended = next(a.socket, 'session:ended');
      const del = await fetch(`${n2.url}/api/guest/me`, { method: 'DELETE', headers: { authorization: `Bearer ${a.guest.token}` } });
      expect(del.status).toBe(204);
      expect(await ended).toEqual({ reason: 'deleted' });
      expect([...n1.violations, ...n2.violations]).toEqual([]);
    } finally {
      await n1.close();
      await n2.close();
    }
  });
});
