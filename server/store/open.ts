/** Opens the store the configuration asks for: Redis (single or Cluster) or memory. */
import type { ServerConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { MemoryStore } from './memory.js';
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

/** Opens and returns the configured store. */
export async function openStore(config: ServerConfig, log: Logger): Promise<PresenceStore> {
  if (config.redisUrl || config.redisClusterNodes) {
    throw new Error('the Redis store is not wired yet');
  }
  log.debug('using the in-memory store');
  return new MemoryStore(storeTimings(config));
}
