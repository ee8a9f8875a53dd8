/**
 * Opens the store the configuration asks for: Redis (Cluster when REDIS_CLUSTER_NODES is set,
 * else single when REDIS_URL is set) behind a FailoverStore (memory while Redis is down), or
 * memory alone. The Redis connection is returned too, for the Socket.IO adapter.
 */
import type { ServerConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { FailoverStore } from './failover.js';
import { MemoryStore } from './memory.js';
import { connectRedis, type RedisConnection } from './redis/connect.js';
import { RedisStore } from './redis/store.js';
import type { PresenceStore, StoreTimings } from './types.js';

/** The store timings derived from the server configuration. */
export function storeTimings(config: ServerConfig): StoreTimings {
  return {
    sessionTtlMs: config.sessionTtlMs,
    activeWindowMs: config.activeWindowMs,
    leaveGraceMs: config.leaveGraceMs,
    changeLogMax: 10_000,
    historyMax: Math.ceil(86_400_000 / config.historySampleMs),
  };
}

export interface OpenedStore {
  store: PresenceStore;
  /** the same object as `store` when it is a FailoverStore (Redis configured), for onRecovered */
  failover: FailoverStore | null;
  /** the Redis connection the store uses, or null for memory */
  redis: RedisConnection | null;
}

/** Opens and returns the configured store. */
export async function openStore(config: ServerConfig, log: Logger): Promise<OpenedStore> {
  if (!config.redisUrl && !config.redisClusterNodes) {
    log.debug('using the in-memory store');
    return { store: new MemoryStore(storeTimings(config)), failover: null, redis: null };
  }
  let reported = false;
  // Set right after connecting; errors before that fail the connect itself.
  let failover: FailoverStore | null = null;
  const redis = await connectRedis({
    url: config.redisUrl ?? undefined,
    clusterNodes: config.redisClusterNodes ?? undefined,
    connectTimeoutMs: 10_000,
    onError: (err) => {
      // A lost connection degrades the store at once, even between two calls (FailoverStore).
      failover?.primaryFailed(err);
      // FailoverStore logs the outage and its end (warn / info, once each); the connection's
      // own story is detail, said once per outage, not per retry.
      if (reported) return;
      reported = true;
      log.debug({ err: err.message }, 'Redis connection error; retrying');
    },
  });
  redis.on('ready', () => {
    if (reported) log.debug('Redis connection is back');
    reported = false;
  });
  log.info({ cluster: Boolean(config.redisClusterNodes) }, 'using the Redis store');
  const timings = storeTimings(config);
  const primary = new RedisStore(redis, config.redisPrefix, timings, { buckets: config.redisBuckets });
  try {
    await primary.checkLayout();
  } catch (err) {
    await primary.close();
    throw err;
  }
  failover = new FailoverStore(primary, timings, { log });
  return { store: failover, failover, redis };
}
