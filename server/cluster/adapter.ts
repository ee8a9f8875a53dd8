/**
 * Cross-node emits: Socket.IO's Redis adapter on a single Redis, the sharded adapter (Redis 7
 * sharded pub/sub) on a Cluster. Pub and sub are duplicates of the store's connection.
 */
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { Logger } from '../logger.js';
import type { IoServer } from '../presence/dispatch.js';
import { closeRedis, duplicateRedis, isCluster, type RedisConnection } from '../store/redis/connect.js';

/** Installs the adapter; returns a function that closes its connections. */
export async function attachRedisAdapter(io: IoServer, redis: RedisConnection, log: Logger, prefix: string): Promise<() => Promise<void>> {
  const onError = (err: Error) => log.debug({ err: err.message }, 'adapter connection error');
  const pub = await duplicateRedis(redis, { onError, connectTimeoutMs: 10_000 });
  const sub = await duplicateRedis(redis, { onError, connectTimeoutMs: 10_000 });
  guardPublish(pub, log);
  const channelPrefix = `${prefix}:socket.io`;
  // 'static': every broadcast travels on one channel, so an emit and the disconnect that follows
  // it (session:ended, then disconnectSockets) arrive in order; 'dynamic' would also subscribe
  // each node to one channel per user room.
  io.adapter(
    isCluster(redis)
      ? createShardedAdapter(pub, sub, { channelPrefix, subscriptionMode: 'static' })
      : createAdapter(pub, sub, { key: channelPrefix }),
  );
  return async () => {
    await Promise.all([pub, sub].map((c) => closeRedis(c)));
  };
}

/**
 * The adapter fires `publish` without handling its promise; while Redis is unreachable that
 * promise rejects and would crash the process. A cross-node emit lost during an outage is what
 * the outage costs (the store's reconciliation repairs presence); it must not take the node down.
 */
function guardPublish(pub: RedisConnection, log: Logger): void {
  const target = pub as unknown as Record<string, unknown>;
  for (const name of ['publish', 'sPublish']) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    target[name] = (...args: unknown[]) =>
      (original as (...a: unknown[]) => Promise<unknown>).apply(pub, args).catch((err: unknown) => {
        log.debug({ err: err instanceof Error ? err.message : String(err) }, 'cross-node emit lost: Redis unreachable');
        return 0;
      });
  }
}
