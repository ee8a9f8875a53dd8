/**
 * RedisStore behaviour the contract does not reach: paging when the cursor's user moved (ties on
 * `since`, compared with MemoryStore), change-log truncation, batched sweep / dropNode, and
 * pairing under concurrent searches from several clients (as from several server nodes).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../../server/store/memory.js';
import { connectRedis } from '../../../server/store/redis/connect.js';
import { RedisStore, type RedisStoreOptions } from '../../../server/store/redis/store.js';
import type { PresenceStore, StoreTimings } from '../../../server/store/types.js';
import { type RedisProcess, startRedis } from '../../support/redis.js';
import { CONTRACT_TIMINGS } from './contract.js';

const T0 = 1_700_000_000_000;
let redis: RedisProcess;
const stores: RedisStore[] = [];
let prefixes = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await redis?.stop();
});

async function redisStore(
  timings: StoreTimings = CONTRACT_TIMINGS,
  options: RedisStoreOptions = {},
  prefix = `ops${++prefixes}`,
): Promise<RedisStore> {
  const store = new RedisStore(await connectRedis({ url: redis.url }), prefix, timings, options);
  stores.push(store);
  return store;
}

async function onlineUsers(store: PresenceStore, ids: string[], now: number, node = 'n1') {
  for (const id of ids) {
    await store.createSession({ id, username: `name-${id}`, now });
    await store.connect({ userId: id, connId: `conn-${id}`, nodeId: node, now });
  }
}

describe('listOnline', () => {
  it('pages users sharing one `since` exactly like MemoryStore, also when the cursor user leaves', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const run = async (store: PresenceStore) => {
      await onlineUsers(store, ids, T0);
      const pages: string[][] = [];
      let page = await store.listOnline(null, 2);
      pages.push(page.users.map((u) => u.id));
      // The last user of the page goes offline: the cursor no longer points at a live entry.
      await store.setOnline(page.users.at(-1)?.id ?? '', false, T0 + 1);
      for (let i = 0; i < 10 && page.nextCursor; i++) {
        page = await store.listOnline(page.nextCursor, 2);
        pages.push(page.users.map((u) => u.id));
      }
      return pages;
    };
    const fromRedis = await run(await redisStore());
    const fromMemory = await run(new MemoryStore(CONTRACT_TIMINGS));
    expect(fromRedis).toEqual(fromMemory);
    expect(fromRedis.flat()).toEqual(['g', 'f', 'e', 'd', 'c', 'b', 'a']);
  });

  it('treats a cursor it never issued as the end', async () => {
    const store = await redisStore();
    await onlineUsers(store, ['a'], T0);
    expect(await store.listOnline('garbage', 10)).toEqual({ users: [], nextCursor: null });
  });
});

describe('readChanges', () => {
  it('reports truncation when the log dropped entries after the cursor, or the cursor is unknown', async () => {
    const store = await redisStore({ ...CONTRACT_TIMINGS, changeLogMax: 3 });
    const start = await store.readChanges(null, 100);
    await onlineUsers(store, ['a', 'b', 'c', 'd', 'e'], T0);
    const read = await store.readChanges(start.cursor, 100);
    expect(read.truncated).toBe(true);
    expect(read.changes).toHaveLength(3);
    expect(read.changes.at(-1)).toEqual({
      kind: 'joined',
      user: { id: 'e', username: 'name-e', status: 'online', since: T0 },
    });
    expect(await store.readChanges(read.cursor, 100)).toEqual({ cursor: read.cursor, changes: [], truncated: false });
    expect((await store.readChanges('999999', 100)).truncated).toBe(true);
    expect((await store.readChanges('not-a-cursor', 100)).truncated).toBe(true);
  });

  it('returns at most `max` changes and continues from the returned cursor', async () => {
    const store = await redisStore();
    const start = await store.readChanges(null, 100);
    await onlineUsers(store, ['a', 'b', 'c'], T0);
    expect(await store.readChanges(start.cursor, 0)).toEqual({ cursor: start.cursor, changes: [], truncated: false });
    const first = await store.readChanges(start.cursor, 2);
    const rest = await store.readChanges(first.cursor, 2);
    expect([...first.changes, ...rest.changes].map((c) => (c.kind === 'joined' ? c.user.id : c.userId))).toEqual([
      'a',
      'b',
      'c',
    ]);
  });
});

describe('batched sweep and dropNode', () => {
  it('drops every connection of a node across several script calls', async () => {
    const store = await redisStore({ ...CONTRACT_TIMINGS, leaveGraceMs: 0 }, { batchSize: 2 });
    await onlineUsers(store, ['a', 'b', 'c', 'd', 'e'], T0, 'doomed');
    await store.setSearching('a', true, T0 + 1);
    await store.setSearching('b', true, T0 + 1);
    const r = await store.dropNode('doomed', T0 + 2);
    expect(r.events.filter((e) => e.type === 'chat_ended')).toHaveLength(2);
    expect((await store.stats(T0 + 2)).stats).toMatchObject({ onlineUsers: 0, connectedUsers: 0, totalUsers: 5 });
  });

  it('ends every expired session across several script calls', async () => {
    const store = await redisStore(CONTRACT_TIMINGS, { batchSize: 2 });
    await onlineUsers(store, ['a', 'b', 'c', 'd', 'e'], T0);
    const r = await store.sweep(T0 + CONTRACT_TIMINGS.sessionTtlMs);
    expect(r.events.filter((e) => e.type === 'session_ended').map((e) => e.userId).sort()).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
    ]);
    expect((await store.stats(T0)).stats).toMatchObject({ totalUsers: 0, onlineUsers: 0, activeUsers: 0 });
  });
});

describe('batched node and restore operations', () => {
  it('lists a node\'s connections across several pages, also while connections come and go', async () => {
    const store = await redisStore(CONTRACT_TIMINGS, { batchSize: 2 });
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    await onlineUsers(store, ids, T0, 'big');
    expect((await store.nodeConnections('big')).map((c) => c.userId).sort()).toEqual(ids);
    // A stale member (its user's connections hash says otherwise) is not listed.
    await store.connect({ userId: 'a', connId: 'conn-a', nodeId: 'elsewhere', now: T0 + 1 });
    expect((await store.nodeConnections('big')).map((c) => c.userId).sort()).toEqual(ids.slice(1));
    expect(await store.nodeConnections('elsewhere')).toEqual([{ userId: 'a', connId: 'conn-a' }]);
  });

  it('keeps a node\'s lease until its last batch of connections is dropped', async () => {
    const store = await redisStore({ ...CONTRACT_TIMINGS, leaveGraceMs: 0 }, { batchSize: 2 });
    await store.renewNode('dead', T0, 1_000);
    await onlineUsers(store, ['a', 'b', 'c', 'd', 'e'], T0, 'dead');
    expect(await store.expiredNodes(T0 + 2_000)).toEqual(['dead']);
    await store.dropNode('dead', T0 + 2_000);
    expect(await store.expiredNodes(T0 + 2_000)).toEqual([]);
    expect((await store.stats(T0 + 2_000)).stats.onlineUsers).toBe(0);
  });

  it('restores more sessions than one script call takes', async () => {
    const store = await redisStore();
    const records = Array.from({ length: 250 }, (_, i) => ({
      id: `r${i}`, username: `restored ${i}`, createdAt: T0 - 10, expiresAt: T0 + 50_000, lastSeen: T0 - 5,
      hidden: i % 2 === 0, connections: 0, leavingAt: null, searching: false, partner: null, chatId: null, onlineSince: null,
    }));
    expect(await store.restoreSessions(records, T0)).toBe(250);
    expect(await store.restoreSessions(records, T0)).toBe(0);
    expect((await store.stats(T0)).stats).toMatchObject({ totalUsers: 250, activeUsers: 250, onlineUsers: 0 });
    expect(await store.getSession('r249', T0)).toMatchObject({ username: 'restored 249', hidden: false, lastSeen: T0 - 5 });
  });
});

describe('pairing under concurrency', () => {
  it('pairs 40 searchers arriving at once through 4 clients: 20 chats, nobody twice', async () => {
    const prefix = `race${++prefixes}`;
    const nodes = await Promise.all([0, 1, 2, 3].map(() => redisStore(CONTRACT_TIMINGS, {}, prefix)));
    const ids = Array.from({ length: 40 }, (_, i) => `s${i}`);
    await onlineUsers(nodes[0] as RedisStore, ids, T0);
    const results = await Promise.all(ids.map((id, i) => (nodes[i % 4] as RedisStore).setSearching(id, true, T0 + 1)));
    const matches = results.flatMap((r) => r.events).filter((e) => e.type === 'matched');
    expect(matches).toHaveLength(20);
    const paired = matches.flatMap((m) => m.users.map((u) => u.id));
    expect(new Set(paired).size).toBe(40);
    expect(matches.every((m) => m.users[0].id !== m.users[1].id)).toBe(true);
    for (const m of matches) {
      const [a, b] = await Promise.all(m.users.map((u) => nodes[0]?.getSession(u.id, T0 + 1)));
      expect(a?.partner?.id).toBe(b?.id);
      expect(b?.partner?.id).toBe(a?.id);
      expect(a?.chatId).toBe(m.chatId);
    }
    expect((await nodes[0]?.stats(T0 + 1))?.stats).toMatchObject({ availableUsers: 0, connectedUsers: 40 });
  });
});
