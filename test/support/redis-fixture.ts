/**
 * A redis-server for one test file, started before its tests and stopped after, and a fresh
 * RedisStore per call under its own key prefix (an empty store without flushing anything).
 */
import { afterAll, beforeAll } from 'vitest';
import { connectRedis } from '../../server/store/redis/connect.js';
import { RedisStore, type RedisStoreOptions } from '../../server/store/redis/store.js';
import type { StoreTimings } from '../../server/store/types.js';
import { type RedisProcess, startRedis } from './redis.js';

/** Registers the file's redis-server hooks; the returned function opens a fresh RedisStore. */
export function redisStorePerTest(tag: string): (t: StoreTimings, options?: RedisStoreOptions) => Promise<RedisStore> {
  let redis: RedisProcess | undefined;
  let prefixes = 0;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  return async (t, options) => {
    if (!redis) throw new Error('redis-server not started');
    return new RedisStore(await connectRedis({ url: redis.url }), `${tag}${++prefixes}`, t, options);
  };
}
