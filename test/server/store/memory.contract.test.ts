import { MemoryStore } from '../../../server/store/memory.js';
import { storeContract } from './contract.js';

storeContract('memory', async (t) => ({ store: new MemoryStore(t), cleanup: async () => {} }));
