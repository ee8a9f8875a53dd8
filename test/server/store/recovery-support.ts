/**
 * What the RedisStore recovery tests share: a ScriptClient that fails one chosen script call
 * (as a node dying or a connection dropping between two steps would), a fresh 4-bucket store
 * per test on a file's own redis-server, and helpers to set up users and read the state back.
 */
import { createClient, ErrorReply } from 'redis';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { connectRedis, type RedisConnection } from '../../../server/store/redis/connect.js';
import { type StoreKeys, storeKeys } from '../../../server/store/redis/keys.js';
import { RECOVER_AFTER_MS } from '../../../server/store/redis/match.js';
import type { ScriptClient } from '../../../server/store/redis/runner.js';
import { type LuaScript, SCRIPTS, type ScriptName } from '../../../server/store/redis/scripts.js';
import { RedisStore } from '../../../server/store/redis/store.js';
import { type PresenceEvent, StoreError } from '../../../server/store/types.js';
import { type RedisProcess, startRedis } from '../../support/redis.js';
import { CONTRACT_TIMINGS } from './contract.js';

export const T0 = 1_700_000_000_000;
export const BUCKETS = 4;
/** The first moment a piece of work written at `t` is due for the sweep. */
export const due = (t: number) => t + RECOVER_AFTER_MS + 1;

/**
 * A ScriptClient that forwards to a real connection, except for calls of a script armed with
 * `failNext`: that call throws (as a dropped connection would) instead of reaching Redis. Both
 * EVALSHA and EVAL are checked, so the NOSCRIPT fallback cannot slip past it; an EVAL that is
 * the fallback of an EVALSHA already counted is not counted again.
 */
export class FaultyClient implements ScriptClient {
  private readonly armed = new Map<string, { name: ScriptName; skip: number }>();
  /** per script: EVALSHA calls that got NOSCRIPT, whose EVAL fallback is still to come */
  private readonly owed = new Map<string, number>();
  /** the scripts whose calls were failed, in order */
  readonly failed: ScriptName[] = [];
  /** every script call that reached Redis, by name, in order */
  readonly calls: ScriptName[] = [];

  constructor(private readonly inner: RedisConnection) {}

  /** Fails the next call of `script` after letting `skip` calls of it through. */
  failNext(script: LuaScript, skip = 0): void {
    this.armed.set(script.sha1, { name: script.name, skip });
  }

  /** Counts one call of the script: throws when it is the armed one. */
  private enter(script: LuaScript): void {
    const armed = this.armed.get(script.sha1);
    if (armed) {
      if (armed.skip > 0) {
        armed.skip--;
      } else {
        this.armed.delete(script.sha1);
        this.failed.push(armed.name);
        throw new Error(`injected failure of ${armed.name}`);
      }
    }
    this.calls.push(script.name);
  }

  async evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown> {
    const script = Object.values(SCRIPTS).find((s) => s.sha1 === sha1);
    if (!script) throw new Error(`unknown script ${sha1}`);
    this.enter(script);
    try {
      return await this.inner.evalSha(sha1, options);
    } catch (err) {
      if (err instanceof ErrorReply && err.message.startsWith('NOSCRIPT')) {
        this.owed.set(sha1, (this.owed.get(sha1) ?? 0) + 1);
      }
      throw err;
    }
  }

  async eval(source: string, options: { keys: string[]; arguments: string[] }): Promise<unknown> {
    const script = Object.values(SCRIPTS).find((s) => s.source === source);
    if (!script) throw new Error('unknown script source');
    const owed = this.owed.get(script.sha1) ?? 0;
    if (owed > 0) this.owed.set(script.sha1, owed - 1);
    else this.enter(script);
    return this.inner.eval(source, options);
  }

  async ping(): Promise<unknown> {
    return this.inner.ping();
  }

  async close(): Promise<void> {
    await this.inner.close();
  }
}

/**
 * Registers the file's redis-server hooks; the returned function makes a fresh store (its own
 * key prefix, 4 buckets) on a FaultyClient, with the keys and a plain client to inspect Redis.
 */
export function recoveryStores(): () => Promise<Fixture> {
  let redis: RedisProcess | undefined;
  let inspector: ReturnType<typeof createClient> | undefined;
  const open: RedisStore[] = [];
  let prefixes = 0;
  beforeAll(async () => {
    redis = await startRedis();
    inspector = createClient({ url: redis.url });
    inspector.on('error', () => undefined);
    await inspector.connect();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await inspector?.close();
    await redis?.stop();
  });
  return async () => {
    if (!redis || !inspector) throw new Error('redis-server not started');
    const client = new FaultyClient(await connectRedis({ url: redis.url }));
    const prefix = `rr${++prefixes}-${process.pid}`;
    const store = new RedisStore(client, prefix, CONTRACT_TIMINGS, { buckets: BUCKETS });
    open.push(store);
    return { store, client, keys: storeKeys(prefix, BUCKETS), inspector };
  };
}

export interface Fixture {
  store: RedisStore;
  client: FaultyClient;
  keys: StoreKeys;
  inspector: ReturnType<typeof createClient>;
}


export const name = (id: string) => `name-${id}`;
export const pub = (id: string) => ({ id, username: name(id) });

/** Creates a connected, online user. */
export async function user(store: RedisStore, id: string, now = T0): Promise<void> {
  await store.createSession({ id, username: name(id), now });
  await store.connect({ userId: id, connId: `conn-${id}`, nodeId: 'node1', now });
}

/** `a` searches (and waits), then `b` searches: paired, with no failure. Returns the chat id. */
export async function pair(store: RedisStore, a: string, b: string, now: number): Promise<string> {
  await store.setSearching(a, true, now);
  const r = await store.setSearching(b, true, now + 1);
  const matched = r.events.filter((e) => e.type === 'matched');
  expect(matched).toEqual([{ type: 'matched', chatId: expect.any(String), users: [pub(a), pub(b)] }]);
  return (matched[0] as Extract<PresenceEvent, { type: 'matched' }>).chatId;
}

export async function rejection(p: Promise<unknown>): Promise<StoreError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  return err as StoreError;
}

export const ofType = <T extends PresenceEvent['type']>(events: PresenceEvent[], type: T) =>
  events.filter((e): e is Extract<PresenceEvent, { type: T }> => e.type === type);

export async function counts(store: RedisStore, now: number) {
  const { stats } = await store.stats(now);
  return { available: stats.availableUsers, connected: stats.connectedUsers, online: stats.onlineUsers };
}

/** The user's chat state: partner id, chat id, searching. */
export async function chatState(store: RedisStore, id: string, now: number) {
  const s = await store.getSession(id, now);
  expect(s, `session of ${id}`).not.toBeNull();
  return { partner: s?.partner?.id ?? null, chatId: s?.chatId ?? null, searching: s?.searching ?? null };
}

/** Entries in the central match queue (searchers the central tag knows are waiting). */
export async function centralQueue(fx: Fixture): Promise<string[]> {
  return fx.inspector.zRange(fx.keys.central.queue, 0, -1);
}

export async function pendingPairs(fx: Fixture): Promise<number> {
  return fx.inspector.hLen(fx.keys.central.pairs);
}

/**
 * `a` searches and waits (`others` are made users too); `b` searches at the returned time with
 * the call of `script` after `skip` others of it failing. b's search begins (no error, no match
 * yet): the pairing is left half-done for the sweep.
 */
export async function halfDonePairing(fx: Fixture, script: LuaScript, skip = 0, others: string[] = []): Promise<number> {
  for (const id of ['a', 'b', ...others]) await user(fx.store, id);
  expect((await fx.store.setSearching('a', true, T0 + 10)).events).toEqual([]);
  const t1 = T0 + 1_000;
  fx.client.failNext(script, skip);
  const started = await fx.store.setSearching('b', true, t1);
  expect(started.events).toEqual([]);
  expect(started.presence.isSearching).toBe(true);
  expect(fx.client.failed).toEqual([script.name]);
  return t1;
}
