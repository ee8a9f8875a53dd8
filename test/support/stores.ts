/**
 * The stores every integration suite runs against. Memory: a fresh MemoryStore per harness.
 * Redis: one redis-server per suite (spawned on a free port), a fresh key prefix per harness,
 * opened by the server itself from REDIS_URL as in production (adapter included).
 */
import { randomBytes } from 'node:crypto';
import type { ServerDeps } from '../../server/app.js';
import { configFor, type ServerConfig } from '../../server/config.js';
import { MemoryStore } from '../../server/store/memory.js';
import { storeTimings } from '../../server/store/open.js';
import { type RedisProcess, startRedis } from './redis.js';
import { FAST, type Harness, startHarness } from './server.js';

export interface StoreKind {
  name: string;
  /** server overrides and dependencies that select this store for one harness */
  prepare(overrides: Partial<ServerConfig>): Promise<{ overrides: Partial<ServerConfig>; deps: ServerDeps; dispose(): Promise<void> }>;
  /** called once after the suite */
  teardown(): Promise<void>;
}

export const memoryKind: StoreKind = {
  name: 'memory',
  async prepare(overrides) {
    const store = new MemoryStore(storeTimings(configFor({ ...FAST, ...overrides })));
    return { overrides, deps: { store }, dispose: () => store.close() };
  },
  async teardown() {},
};

/** A Redis kind backed by one lazily started redis-server. */
export function redisKind(): StoreKind & { redis(): Promise<RedisProcess> } {
  let proc: Promise<RedisProcess> | null = null;
  const redis = () => (proc ??= startRedis());
  return {
    name: 'redis',
    redis,
    async prepare(overrides) {
      const r = await redis();
      const prefix = `t${randomBytes(4).toString('hex')}`;
      return { overrides: { redisUrl: r.url, redisPrefix: prefix, ...overrides }, deps: {}, dispose: async () => {} };
    },
    async teardown() {
      if (proc) await (await proc).stop();
      proc = null;
    },
  };
}

/** The store kinds integration suites iterate over. */
export function storeKinds(): StoreKind[] {
  return [memoryKind, redisKind()];
}

/** A harness whose server uses a fresh store of `kind`; close() disposes the store too. */
export async function harnessOn(kind: StoreKind, overrides: Partial<ServerConfig> = {}, deps: ServerDeps = {}): Promise<Harness> {
  const prepared = await kind.prepare(overrides);
  const h = await startHarness(prepared.overrides, { ...prepared.deps, ...deps });
  const close = h.close;
  h.close = async () => {
    await close();
    await prepared.dispose();
  };
  return h;
}
