/**
 * The PresenceStore contract against RedisStore on a real redis-server spawned for this file:
 * with one bucket (a single Redis's default) and with 4, where most chats and every match cross
 * buckets (outbox releases, the central queue's claims), as on a Cluster.
 */
import { redisStorePerTest } from '../../support/redis-fixture.js';
import { storeContract } from './contract.js';

const openRedisStore = redisStorePerTest('contract');

for (const buckets of [1, 4]) {
  storeContract(buckets === 1 ? 'redis' : `redis, ${buckets} buckets`, async (t) => {
    const store = await openRedisStore(t, { buckets });
    return { store, cleanup: () => store.close() };
  });
}
