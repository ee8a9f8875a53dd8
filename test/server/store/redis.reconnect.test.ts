/**
 * RedisStore across a Redis crash: while redis-server is down every operation fails at once with
 * StoreError 'unavailable' (no command waits in an offline queue), and after it comes back on the
 * same port the client reconnects by itself and the store works again (scripts re-sent on
 * NOSCRIPT; the data is gone, since the test server keeps none).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectRedis } from '../../../server/store/redis/connect.js';
import { RedisStore } from '../../../server/store/redis/store.js';
import { type RedisProcess, startRedis } from '../../support/redis.js';
import { CONTRACT_TIMINGS } from './contract.js';

const T0 = 1_700_000_000_000;
let redis: RedisProcess;
let store: RedisStore;
let errors = 0;

beforeAll(async () => {
  redis = await startRedis();
  const client = await connectRedis({ url: redis.url, onError: () => void errors++ });
  store = new RedisStore(client, 'reconnect', CONTRACT_TIMINGS);
});
afterAll(async () => {
  await store?.close();
  await redis?.stop();
});

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out: ${what}`);
}

it('fails with unavailable while Redis is down and works again after it restarts', async () => {
  await store.createSession({ id: 'before', username: 'before', now: T0 });
  await store.connect({ userId: 'before', connId: 'c0', nodeId: 'n1', now: T0 });
  expect(await store.ping()).toBe(true);

  await redis.kill();
  const downAt = Date.now();
  const failures = await Promise.all([
    store.createSession({ id: 'during', username: 'during', now: T0 + 1 }).catch((e: unknown) => e),
    store.touch('before', 'c0', T0 + 1).catch((e: unknown) => e),
    store.stats(T0 + 1).catch((e: unknown) => e),
    store.sweep(T0 + 1).catch((e: unknown) => e),
  ]);
  expect(failures).toEqual(failures.map(() => expect.objectContaining({ name: 'StoreError', code: 'unavailable' })));
  expect(await store.ping()).toBe(false);
  // Still failing fast a little later (the client is reconnecting, not queueing).
  await new Promise((r) => setTimeout(r, 200));
  await expect(store.getSession('before', T0 + 2)).rejects.toMatchObject({ code: 'unavailable' });
  expect(Date.now() - downAt).toBeLessThan(5_000);
  expect(errors).toBeGreaterThan(0);

  await redis.restart();
  await until('the store reconnects', () => store.ping());

  // The restarted server is empty: the old session is gone, new ones work end to end.
  await expect(store.touch('before', 'c0', T0 + 3)).rejects.toMatchObject({ code: 'session_not_found' });
  await store.createSession({ id: 'after', username: 'after', now: T0 + 3 });
  await store.connect({ userId: 'after', connId: 'c1', nodeId: 'n1', now: T0 + 3 });
  expect((await store.stats(T0 + 3)).stats).toMatchObject({ totalUsers: 1, onlineUsers: 1 });
});

it('reconnects after repeated crashes, one of them longer than the 2 s backoff cap', async () => {
  for (const downMs of [100, 3_000]) {
    await redis.kill();
    await new Promise((r) => setTimeout(r, downMs));
    await expect(store.stats(T0)).rejects.toMatchObject({ code: 'unavailable' });
    await redis.restart();
    const back = Date.now();
    await until('the store reconnects', () => store.ping());
    // The backoff caps at 2 s (+ jitter): the client is back within one more attempt.
    expect(Date.now() - back).toBeLessThan(3_000);
    // The restarted server is empty and has no scripts cached: EVALSHA falls back to EVAL.
    await store.createSession({ id: `x${downMs}`, username: 'x', now: T0 });
    expect((await store.stats(T0)).stats.totalUsers).toBe(1);
  }
});
