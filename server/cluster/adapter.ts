/**
 * Cross-node emits: Socket.IO's Redis adapter on a single Redis, the sharded adapter (Redis 7
 * sharded pub/sub) on a Cluster. Pub and sub are duplicates of the store's connection.
 */
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { Logger } from '../logger.js';
import type { IoServer } from '../presence/dispatch.js';
import { duplicateRedis, isCluster, type RedisConnection } from '../store/redis/connect.js';

/** Installs the adapter; returns a function that closes its connections. */
export async function attachRedisAdapter(io: IoServer, redis: RedisConnection, log: Logger, prefix: string): Promise<() => Promise<void>> {
  const onError = (err: Error) => log.debug({ err: err.message }, 'adapter connection error');
  const pub = await duplicateRedis(redis, { onError, connectTimeoutMs: 10_000 });
  const sub = await duplicateRedis(redis, { onError, connectTimeoutMs: 10_000 });
  const channelPrefix = `${prefix}:socket.io`;
  io.adapter(isCluster(redis) ? createShardedAdapter(pub, sub, { channelPrefix }) : createAdapter(pub, sub, { key: channelPrefix }));
  return async () => {
    for (const c of [pub, sub]) await c.close().catch(() => undefined);
  };
}
