/** The PresenceStore contract against RedisStore on a real redis-server spawned for this file. */
import { afterAll, beforeAll } from 'vitest';
import { connectRedis } from '../../../server/store/redis/connect.js';
import { RedisStore } from '../../../server/store/redis/store.js';
import { type RedisProcess, startRedis } from '../../support/redis.js';
import { storeContract } from './contract.js';

let redis: RedisProcess | undefined;
let prefixes = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

// Each test gets its own key prefix, which is an empty store without flushing anything.
storeContract('redis', async (t) => {
  if (!redis) throw new Error('redis-server not started');
  const store = new RedisStore(await connectRedis({ url: redis.url }), `contract${++prefixes}`, t);
  return { store, cleanup: () => store.close() };
});
