/** The PresenceStore contract against RedisStore on a real redis-server spawned for this file. */
import { redisStorePerTest } from '../../support/redis-fixture.js';
import { storeContract } from './contract.js';

const openRedisStore = redisStorePerTest('contract');

storeContract('redis', async (t) => {
  const store = await openRedisStore(t);
  return { store, cleanup: () => store.close() };
});
