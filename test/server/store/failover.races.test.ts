/**
 * FailoverStore races against a real redis-server: calls in flight while the store switches to
 * memory, a session that exists only in memory used while the node reconciles, and the wiring of
 * server/store/open.ts (a lost connection degrades the store even when no call is made).
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configFor } from '../../../server/config.js';
import { FailoverStore } from '../../../server/store/failover.js';
import { openStore, type OpenedStore } from '../../../server/store/open.js';
import { StoreError } from '../../../server/store/types.js';
import { type RedisProcess, startRedis } from '../../support/redis.js';
import { type FailoverFixture, expectTruth, openFailover, sleep, until } from './failover-support.js';

let redis: RedisProcess;
let fx: FailoverFixture | null = null;
let prefixes = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await fx?.close();
  fx = null;
});
afterAll(async () => {
  await redis?.stop();
});

describe('FailoverStore races', () => {
  it('calls in flight when Redis dies all succeed, and all of them are in Redis after it returns', async () => {
    fx = await openFailover(redis, `race${++prefixes}`);
    const { store, clock, observer } = fx;
    const ids = Array.from({ length: 40 }, (_, i) => `u${i}`);
    const joins = ids.map(async (id, i) => {
      // Spread the calls around the moment of the crash.
      await sleep(i % 10);
      await store.createSession({ id, username: `name-${id}`, now: clock.t });
      await store.connect({ userId: id, connId: `c-${id}`, nodeId: 'n1', now: clock.t });
      await store.touch(id, `c-${id}`, clock.t);
    });
    const results = await Promise.allSettled([redis.kill(), ...joins]);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(store.degraded).toBe(true);
    await expectTruth(store, ids, clock.t, { totalUsers: 40, onlineUsers: 40 });

    await redis.restart();
    await until('recovered', () => !store.degraded);
    const other = await observer();
    await expectTruth(other, ids, clock.t, { totalUsers: 40, onlineUsers: 40 });
    expect(await other.nodeConnections('n1')).toHaveLength(40);
  });

  it('a session that exists only in memory keeps working through the reconciliation', async () => {
    fx = await openFailover(redis, `race${++prefixes}`);
    const { store, primary, clock, observer } = fx;
    // A slow write-back (as with many sessions): the window in which a call could reach Redis
    // before the session is there is 300 ms wide, not a few microseconds.
    const restore = primary.restoreSessions.bind(primary);
    primary.restoreSessions = async (records, now) => {
      await sleep(300);
      return restore(records, now);
    };
    await store.createSession({ id: 'old', username: 'old', now: clock.t });
    await redis.kill();
    await store.createSession({ id: 'new', username: 'new', now: clock.t });
    await store.connect({ userId: 'new', connId: 'c-new', nodeId: 'n1', now: clock.t });
    expect(store.degraded).toBe(true);

    // A client hammering the memory-only session while Redis returns and the node reconciles.
    const failures: unknown[] = [];
    let calls = 0;
    let stop = false;
    const hammer = (async () => {
      for (let i = 0; i < 5_000 && !stop; i++) {
        await Promise.all([
          store.touch('new', 'c-new', clock.t).catch((e: unknown) => failures.push(e)),
          store.getSession('new', clock.t).then((s) => (s ? undefined : failures.push('getSession: null'))),
        ]).catch((e: unknown) => failures.push(e));
        calls++;
        await sleep(2);
      }
    })();
    await redis.restart();
    await until('recovered', () => !store.degraded);
    await sleep(100);
    stop = true;
    await hammer;
    expect(calls).toBeGreaterThan(20);
    expect(failures).toEqual([]);
    const other = await observer();
    expect(await other.getSession('new', clock.t)).toMatchObject({ id: 'new', connections: 1 });
    // 'old' was idle (no connection here, not used during the outage): the node does not write
    // it back, as it cannot tell it from a session another node deleted; its owner's token
    // brings it back when they return (test/server/session-restore.test.ts).
    expect(await other.getSession('old', clock.t)).toBeNull();
    await expectTruth(other, ['new'], clock.t, { totalUsers: 1, onlineUsers: 1 });
  });

  it('after an empty restart, does not write back an idle session another node deleted', async () => {
    const prefix = `race${++prefixes}`;
    fx = await openFailover(redis, prefix);
    const other = await openFailover(redis, prefix);
    try {
      const { store, clock } = fx;
      // This node knows both sessions (it made them); only `live` has a connection here.
      await store.createSession({ id: 'gone', username: 'gone', now: clock.t });
      await store.createSession({ id: 'live', username: 'live', now: clock.t });
      await store.connect({ userId: 'live', connId: 'c-live', nodeId: 'n1', now: clock.t });
      // The other node deletes `gone`; this one never hears of it.
      await other.store.endSession('gone', clock.t, 'deleted');
      await redis.kill(); // no data kept: the tombstone goes too
      await expect(store.touch('live', 'c-live', clock.t)).resolves.toBeDefined();
      expect(store.degraded).toBe(true);
      await redis.restart();
      await until('recovered', () => !store.degraded);
      const observer = await fx.observer();
      expect(await observer.getSession('live', clock.t)).toMatchObject({ id: 'live', connections: 1 });
      expect(await observer.getSession('gone', clock.t)).toBeNull();
      await expectTruth(observer, ['live'], clock.t, { totalUsers: 1, onlineUsers: 1 });
    } finally {
      await other.close();
    }
  });

  it('a call failing for another reason than unavailability is not a failover', async () => {
    fx = await openFailover(redis, `race${++prefixes}`);
    const { store, clock } = fx;
    await expect(store.touch('nobody', 'c', clock.t)).rejects.toBeInstanceOf(StoreError);
    await expect(store.touch('nobody', 'c', clock.t)).rejects.toMatchObject({ code: 'session_not_found' });
    expect(store.degraded).toBe(false);
  });
});

describe('openStore with Redis configured', () => {
  let opened: OpenedStore | null = null;
  afterEach(async () => {
    await opened?.store.close();
    opened = null;
  });

  it('returns a FailoverStore with the raw connection; a lost connection degrades it with no call made', async () => {
    const log = pino({ level: 'silent' });
    opened = await openStore(configFor({ redisUrl: redis.url, redisPrefix: `open${++prefixes}` }), log);
    const { store, failover, redis: conn } = opened;
    expect(store).toBeInstanceOf(FailoverStore);
    expect(failover).toBe(store);
    expect(store.kind).toBe('failover');
    expect(await conn?.ping()).toBe('PONG');
    await redis.kill();
    await until('degraded without any call', () => failover?.degraded === true, 5_000);
    await redis.restart();
    await until('recovered', () => failover?.degraded === false);
    expect(await store.ping()).toBe(true);
  });
});
