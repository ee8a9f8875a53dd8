/** The PresenceStore contract against FailoverStore over a healthy Redis: it is transparent. */
import { afterAll, beforeAll } from 'vitest';
import { FailoverStore } from '../../../server/store/failover.js';
import { connectRedis } from '../../../server/store/redis/connect.js';
import { RedisStore } from '../../../server/store/redis/store.js';
import { type RedisProcess, startRedis } from '../../support/redis.js';
import { storeContract } from './contract.js';
import { recordingLog } from './failover-support.js';

let redis: RedisProcess | undefined;
let prefixes = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

storeContract('failover over redis', async (t) => {
  if (!redis) throw new Error('redis-server not started');
  const primary = new RedisStore(await connectRedis({ url: redis.url }), `fcontract${++prefixes}`, t);
  const store = new FailoverStore(primary, t, { log: recordingLog().log });
  return { store, cleanup: () => store.close() };
});
