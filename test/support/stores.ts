/**
 * The stores every integration suite runs against. Each entry gives a fresh store per harness;
 * the Redis entries spawn their own redis-server (see test/support/redis.ts).
 */
import { MemoryStore } from '../../server/store/memory.js';
import { storeTimings } from '../../server/store/open.js';
import { configFor, type ServerConfig } from '../../server/config.js';
import type { PresenceStore } from '../../server/store/types.js';
import type { ServerDeps } from '../../server/app.js';
import { FAST, type Harness, startHarness } from './server.js';

export interface StoreKind {
  name: string;
  /** a store for a server configured with `overrides` */
  make(overrides: Partial<ServerConfig>): Promise<{ store: PresenceStore; dispose(): Promise<void> }>;
  /** called once after the suite */
  teardown(): Promise<void>;
}

export const memoryKind: StoreKind = {
  name: 'memory',
  async make(overrides) {
    const store = new MemoryStore(storeTimings(configFor({ ...FAST, ...overrides })));
    return { store, dispose: () => store.close() };
  },
  async teardown() {},
};

/** The store kinds integration suites iterate over. */
export function storeKinds(): StoreKind[] {
  return [memoryKind];
}

/** A harness whose server uses a fresh store of `kind`; close() disposes the store too. */
export async function harnessOn(kind: StoreKind, overrides: Partial<ServerConfig> = {}, deps: ServerDeps = {}): Promise<Harness> {
  const { store, dispose } = await kind.make(overrides);
  const h = await startHarness(overrides, { ...deps, store });
  const close = h.close;
  h.close = async () => {
    await close();
    await dispose();
  };
  return h;
}
