/**
 * Opens the store the configuration asks for: Redis (Cluster when REDIS_CLUSTER_NODES is set,
 * else single when REDIS_URL is set) or memory. The Redis connection is returned too, for the
 * Socket.IO adapter and node leases.
 */
import type { ServerConfig } from '../config.js';
import type { Logger } from '../logger.js';
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
  /** the Redis connection the store uses, or null for memory */
  redis: RedisConnection | null;
}

/** Opens and returns the configured store. */
export async function openStore(config: ServerConfig, log: Logger): Promise<OpenedStore> {
  if (!config.redisUrl && !config.redisClusterNodes) {
    log.debug('using the in-memory store');
    return { store: new MemoryStore(storeTimings(config)), redis: null };
  }
  let reported = false;
  const redis = await connectRedis({
    url: config.redisUrl ?? undefined,
    clusterNodes: config.redisClusterNodes ?? undefined,
    connectTimeoutMs: 10_000,
    // Said once per outage, not per command: the client retries by itself.
    onError: (err) => {
      if (reported) return;
      reported = true;
      log.warn({ err: err.message }, 'Redis connection error; retrying');
    },
  });
  redis.on('ready', () => {
    if (reported) log.info('Redis connection is back');
    reported = false;
  });
  log.info({ cluster: Boolean(config.redisClusterNodes) }, 'using the Redis store');
  return { store: new RedisStore(redis, config.redisPrefix, storeTimings(config)), redis };
}
