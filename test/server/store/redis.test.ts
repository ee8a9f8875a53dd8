/**
 * RedisStore on a real redis-server: what the contract cannot see from outside. Key TTLs (nothing
 * per user is left forever), the cost of a heartbeat in round trips, the NOSCRIPT fallback, the
 * key layout shared by keys.ts and the Lua prelude, and error mapping.
 */
import { randomUUID } from 'node:crypto';
import calculateSlot from 'cluster-key-slot';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, duplicateRedis, type RedisConnection } from '../../../server/store/redis/connect.js';
import { presenceKeys, storeKeys } from '../../../server/store/redis/keys.js';
import { RedisStore } from '../../../server/store/redis/store.js';
import { StoreError } from '../../../server/store/types.js';
import { type RedisProcess, startRedis } from '../../support/redis.js';
import { CONTRACT_TIMINGS } from './contract.js';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

let redis: RedisProcess;
let inspector: ReturnType<typeof createClient>;
const open: RedisConnection[] = [];
let prefixes = 0;

beforeAll(async () => {
  redis = await startRedis();
  inspector = createClient({ url: redis.url });
  inspector.on('error', () => undefined);
  await inspector.connect();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => undefined)));
});
afterAll(async () => {
  await inspector?.close();
  await redis?.stop();
});

async function freshStore(): Promise<{ store: RedisStore; prefix: string }> {
  const client = await connectRedis({ url: redis.url });
  open.push(client);
  const prefix = `rt${++prefixes}`;
  return { store: new RedisStore(client, prefix, CONTRACT_TIMINGS, { retainMs: HOUR }), prefix };
}

/** A matched pair, a searcher, a hidden user and a user in the leave grace. */
async function populate(store: RedisStore) {
  for (const id of ['a', 'b', 'c', 'd', 'e']) {
    await store.createSession({ id, username: `name-${id}`, now: T0 });
    await store.connect({ userId: id, connId: `conn-${id}`, nodeId: 'node1', now: T0 });
  }
  await store.setSearching('a', true, T0 + 1);
  await store.setSearching('b', true, T0 + 2);
  await store.setSearching('c', true, T0 + 3);
  await store.setOnline('d', false, T0 + 4);
  await store.disconnect('e', 'conn-e', T0 + 5);
  await store.stats(T0 + 6);
  await store.renewNode('node1', T0 + 6, 15_000);
  await store.appendHistory({ t: T0, onlineUsers: 1, activeUsers: 1, availableUsers: 0, connectedUsers: 0 });
}

describe('RedisStore keys', () => {
  it('gives every per-user and per-node key a TTL a little past expiresAt', async () => {
    const { store, prefix } = await freshStore();
    await populate(store);
    const all = storeKeys(prefix);
    const k = all.bucketOf('a');
    const shared = new Set([...presenceKeys(k), k.statsFingerprint, k.statsSeq, ...Object.values(all.central)]);
    const keys = [...(await inspector.keys(`${k.base}*`)), ...(await inspector.keys(`${all.central.base}*`))];
    // keys.ts and lib/presence.lua agree on names: the keys Lua wrote are the ones keys.ts names.
    expect(keys).toEqual(expect.arrayContaining([k.user('a'), k.conns('a'), k.node('node1'), all.central.nodes]));
    // Every follow-up was done and acknowledged: nothing waits in the outbox.
    expect(keys).not.toContain(k.outbox);
    const perUser = keys.filter((key) => !shared.has(key));
    // 5 session hashes, 4 connection hashes (e's last connection went), 1 node set.
    expect(perUser).toHaveLength(10);
    for (const key of perUser) {
      const ttl = await inspector.pTTL(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(CONTRACT_TIMINGS.sessionTtlMs + HOUR);
    }
    // Shared keys are bounded by construction (indexes of live users, capped log and history).
    expect(await inspector.xLen(k.log)).toBeLessThanOrEqual(CONTRACT_TIMINGS.changeLogMax);
  });

  it('a heartbeat slides the TTL; ending a session leaves no key of it behind', async () => {
    const { store, prefix } = await freshStore();
    const k = storeKeys(prefix).bucketOf('u');
    await store.createSession({ id: 'u', username: 'user', now: T0 });
    await store.connect({ userId: 'u', connId: 'c1', nodeId: 'n1', now: T0 });
    // TTLs are durations from `now` (Redis's clock need not match the caller's): every activity
    // restarts them at sessionTtl + retain.
    await new Promise((r) => setTimeout(r, 30));
    const before = await inspector.pTTL(k.user('u'));
    await store.touch('u', 'c1', T0 + 50_000);
    const after = await inspector.pTTL(k.user('u'));
    expect(after).toBeGreaterThan(before);
    expect(after).toBeGreaterThan(CONTRACT_TIMINGS.sessionTtlMs + HOUR - 1_000);
    await store.endSession('u', T0 + 50_001, 'deleted');
    expect(await inspector.exists([k.user('u'), k.conns('u'), k.node('n1')])).toBe(0);
    expect(await inspector.zCard(k.sessions)).toBe(0);
  });

  it('refuses a prefix that would break the hash tags, and a bucket count out of range', () => {
    expect(() => storeKeys('a}b')).toThrow(/prefix/);
    expect(() => storeKeys('hn', 0)).toThrow(/bucket/);
    expect(() => storeKeys('hn', 257)).toThrow(/bucket/);
    expect(storeKeys('hn').central.base).toBe('{hn}:');
    expect(storeKeys('hn').bucketOf('x').user('x')).toMatch(/^\{hn#\d+\}:u:x$/);
  });

  it('refuses to open data written with another bucket count', async () => {
    const prefix = `layout${++prefixes}`;
    const stores = await Promise.all([4, 4, 2].map(async (buckets) => {
      const client = await connectRedis({ url: redis.url });
      open.push(client);
      return new RedisStore(client, prefix, CONTRACT_TIMINGS, { buckets });
    }));
    const [first, same, other] = stores as [RedisStore, RedisStore, RedisStore];
    await first.checkLayout();
    await expect(same.checkLayout()).resolves.toBeUndefined();
    await expect(other.checkLayout()).rejects.toThrow(/REDIS_BUCKETS is 2 but the data under this REDIS_PREFIX uses 4 buckets/);
  });

  it('spaces the buckets\' slots evenly and spreads users over all of them', () => {
    const k = storeKeys('hn', 16);
    k.buckets.forEach((b, i) => {
      const tag = /^\{(.+)\}:$/.exec(b.base)?.[1] ?? '';
      const slot = calculateSlot(tag);
      expect(slot).toBeGreaterThanOrEqual(i * 1024);
      expect(slot).toBeLessThan((i + 1) * 1024);
    });
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 1_600; i++) counts[k.bucketOf(randomUUID()).index]! += 1;
    // 100 expected per bucket; a binomial(1600, 1/16) is within 50..150 but for ~1e-6.
    for (const n of counts) expect(n).toBeGreaterThan(50);
    for (const n of counts) expect(n).toBeLessThan(150);
  });
});

describe('RedisStore round trips', () => {
  async function commandStats(): Promise<Map<string, number>> {
    const info = await inspector.info('commandstats');
    const calls = new Map<string, number>();
    for (const m of info.matchAll(/^cmdstat_([a-z|_-]+):calls=(\d+)/gm)) calls.set(m[1] as string, Number(m[2]));
    return calls;
  }

  it('a heartbeat (touch) costs exactly one command round trip: one EVALSHA', async () => {
    const { store } = await freshStore();
    await store.createSession({ id: 'h', username: 'hb', now: T0 });
    await store.connect({ userId: 'h', connId: 'c1', nodeId: 'n1', now: T0 });
    await store.touch('h', 'c1', T0 + 1); // warm: the script is cached from here on

    // MONITOR lists every command a client sends (and, marked "lua", what scripts run inside).
    const monitor = inspector.duplicate();
    monitor.on('error', () => undefined);
    await monitor.connect();
    const lines: string[] = [];
    await monitor.monitor((line) => lines.push(String(line)));
    const before = await commandStats();

    const result = await store.touch('h', 'c1', T0 + 2);
    expect(result).toEqual({ partner: null, chatId: null });

    const after = await commandStats();
    // Let MONITOR deliver, then keep only what the store's connection sent.
    for (let i = 0; i < 50 && !lines.some((l) => /"evalsha"/i.test(l)); i++) await new Promise((r) => setTimeout(r, 10));
    await monitor.close();
    const sent = lines.filter((l) => !l.includes('[0 lua]') && !/"info"/i.test(l));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/"evalsha"/i);
    expect((after.get('evalsha') ?? 0) - (before.get('evalsha') ?? 0)).toBe(1);
    expect((after.get('eval') ?? 0) - (before.get('eval') ?? 0)).toBe(0);
  });

  it('recovers from a script cache flush (NOSCRIPT) by sending the source once', async () => {
    const { store } = await freshStore();
    await store.createSession({ id: 'f', username: 'flush', now: T0 });
    await inspector.scriptFlush();
    await expect(store.touch('f', 'c', T0 + 1)).resolves.toEqual({ partner: null, chatId: null });
    await expect(store.touch('f', 'c', T0 + 2)).resolves.toEqual({ partner: null, chatId: null });
  });
});

describe('RedisStore errors and connections', () => {
  it('maps script codes to StoreError codes', async () => {
    const { store } = await freshStore();
    await store.createSession({ id: 'x', username: 'xx', now: T0 });
    const codes = await Promise.all([
      store.touch('nobody', 'c', T0).catch((e: unknown) => e),
      store.leaveChat('x', T0).catch((e: unknown) => e),
      store.setSearching('x', false, T0).catch((e: unknown) => e),
    ]);
    expect(codes.map((e) => (e instanceof StoreError ? e.code : e))).toEqual([
      'session_not_found',
      'not_in_chat',
      'not_searching',
    ]);
  });

  it('a first connection that cannot be made fails with unavailable within the timeout', async () => {
    const started = Date.now();
    // Port 1 on loopback: nothing listens there.
    await expect(connectRedis({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 300 })).rejects.toMatchObject({
      code: 'unavailable',
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('duplicates a connection for pub/sub', async () => {
    const client = await connectRedis({ url: redis.url });
    open.push(client);
    const sub = await duplicateRedis(client);
    const pub = await duplicateRedis(client);
    open.push(sub, pub);
    const got = new Promise<string>((resolve) => {
      void sub.subscribe('herenow-test', (message) => resolve(message));
    });
    // Publish until the subscription is live (bounded).
    let received: string | null = null;
    void got.then((m) => (received = m));
    for (let i = 0; i < 50 && received === null; i++) {
      await pub.publish('herenow-test', 'hello');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(received).toBe('hello');
  });
});
