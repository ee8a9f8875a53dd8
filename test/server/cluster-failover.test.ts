/**
 * A Redis Cluster master fails over while the server runs: 3 masters with one replica each, the
 * master holding a connected user's bucket SIGKILLed. The node serves from memory meanwhile
 * (degraded), node-redis finds the promoted replica, the node writes back what it did and comes
 * out of degraded mode; the users keep their sessions and the numbers are true again.
 */
import calculateSlot from 'cluster-key-slot';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { StatsResponse } from '../../server/protocol.js';
import { storeKeys } from '../../server/store/redis/keys.js';
import { type RedisClusterProcess, clusterMasters, startRedisCluster } from '../support/redis.js';
import { getJson, rawEmit, startHarness, until } from '../support/server.js';

describe('Redis Cluster master failover', () => {
  let cluster: RedisClusterProcess;
  beforeAll(async () => {
    cluster = await startRedisCluster(3, { replicas: 1 });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('keeps serving through a master failover and comes back to the truth', { timeout: 60_000 }, async () => {
    const prefix = 'fo';
    const node = await startHarness({
      redisClusterNodes: cluster.nodes,
      redisPrefix: prefix,
      redisBuckets: 16,
      statsIntervalMs: 100,
      jwtSecret: 'failover-test-secret-0123456789',
    });
    try {
      const a = await node.user('failover_a');
      const b = await node.user('failover_b');
      // Heartbeats as a client sends them (the harness's stale timeout is 600 ms).
      const beats = setInterval(() => {
        for (const u of [a, b]) u.socket.emit('presence:heartbeat', {}, () => undefined);
      }, 150);
      onTestFinished(() => clearInterval(beats));
      const stats = async () => (await getJson<StatsResponse>(node.url, '/api/stats')).body;
      expect((await stats()).stats).toMatchObject({ totalUsers: 2, onlineUsers: 2 });

      // The master serving a's bucket goes down hard.
      const seed = cluster.nodes[0]?.port ?? 0;
      const slot = calculateSlot(storeKeys(prefix, 16).bucketOf(a.guest.user.id).user(a.guest.user.id));
      const masters = await clusterMasters(seed);
      const victim = masters.find((m) => m.ranges.some(([lo, hi]) => slot >= lo && slot <= hi));
      if (!victim) throw new Error(`no master serves slot ${slot}`);
      await cluster.killNode(victim.port);
      const survivor = cluster.nodes.find((n) => n.port !== victim.port)?.port ?? 0;

      // While the replica is promoted, a's heartbeats still get answers (from memory if need be).
      await until(async () => (await stats()).degraded, 15_000, 100);
      expect(await rawEmit(a.socket, 'presence:heartbeat', {})).toMatchObject({ ok: true });

      // The replica takes over; the node reconciles and leaves degraded mode.
      await until(async () => {
        const now = await clusterMasters(survivor);
        return now.length === 3 && now.every((m) => m.port !== victim.port);
      }, 20_000, 200);
      await until(async () => !(await stats()).degraded, 20_000, 200);
      expect((await fetch(`${node.url}/readyz`)).status).toBe(200);

      for (const u of [a, b]) {
        const me = await getJson<{ user: { id: string } }>(node.url, '/api/guest/me', u.guest.token);
        expect(me.status).toBe(200);
        expect(me.body.user.id).toBe(u.guest.user.id);
        expect(await rawEmit(u.socket, 'presence:heartbeat', {})).toMatchObject({ ok: true });
      }
      await until(async () => {
        const s = (await stats()).stats;
        return s.totalUsers === 2 && s.onlineUsers === 2;
      }, 10_000, 100);
      for (const u of [a, b]) expect(u.socket.connected).toBe(true);
      expect(node.violations).toEqual([]);
    } finally {
      await node.close();
    }
  });
});
