/** The PresenceStore contract against FailoverStore over a healthy Redis: it is transparent. */
import { FailoverStore } from '../../../server/store/failover.js';
import { redisStorePerTest } from '../../support/redis-fixture.js';
import { storeContract } from './contract.js';
import { recordingLog } from './failover-support.js';

const openRedisStore = redisStorePerTest('fcontract');

storeContract('failover over redis', async (t) => {
  const store = new FailoverStore(await openRedisStore(t), t, { log: recordingLog().log });
  return { store, cleanup: () => store.close() };
});
