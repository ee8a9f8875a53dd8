/**
 * Helpers of the FailoverStore tests: a FailoverStore over a RedisStore on a real redis-server
 * (wired as server/store/open.ts wires it), a log that records what it is told, a clock the test
 * moves, and the truth recomputed from the sessions of a second, independent RedisStore.
 */
import { expect } from 'vitest';
import { brokenInvariant } from '../../../server/protocol.js';
import { FailoverStore, type FailoverOptions } from '../../../server/store/failover.js';
import { connectRedis } from '../../../server/store/redis/connect.js';
import { RedisStore } from '../../../server/store/redis/store.js';
import type { Stats } from '../../../server/protocol.js';
import type { PresenceStore } from '../../../server/store/types.js';
import type { RedisProcess } from '../../support/redis.js';
import { CONTRACT_TIMINGS } from './contract.js';

export interface LogLine {
  level: 'warn' | 'info' | 'debug';
  msg: string;
  obj: object;
}

export function recordingLog(): { log: FailoverOptions['log']; lines: LogLine[]; count(level: LogLine['level'], re: RegExp): number } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (obj: object, msg: string) => void lines.push({ level, msg, obj });
  return {
    log: { warn: at('warn'), info: at('info'), debug: at('debug') },
    lines,
    count: (level, re) => lines.filter((l) => l.level === level && re.test(l.msg)).length,
  };
}

export interface FailoverFixture {
  store: FailoverStore;
  primary: RedisStore;
  lines: LogLine[];
  count(level: LogLine['level'], re: RegExp): number;
  /** the test's clock: every operation and the store's reconciliation use it */
  clock: { t: number };
  /** a second store on the same data (another node's view), for checking what Redis holds */
  observer(): Promise<RedisStore>;
  close(): Promise<void>;
}

/** A FailoverStore on `redis` under `prefix`, with the node-redis error hook wired as in open.ts. */
export async function openFailover(redis: RedisProcess, prefix: string, options: Partial<FailoverOptions> = {}): Promise<FailoverFixture> {
  const clock = { t: Date.now() };
  const rec = recordingLog();
  let store: FailoverStore | null = null;
  const client = await connectRedis({ url: redis.url, onError: (err) => store?.primaryFailed(err) });
  const primary = new RedisStore(client, prefix, CONTRACT_TIMINGS);
  store = new FailoverStore(primary, CONTRACT_TIMINGS, { log: rec.log, now: () => clock.t, ...options });
  const observers: RedisStore[] = [];
  const opened = store;
  return {
    store: opened,
    primary,
    lines: rec.lines,
    count: rec.count,
    clock,
    async observer() {
      const o = new RedisStore(await connectRedis({ url: redis.url }), prefix, CONTRACT_TIMINGS);
      observers.push(o);
      return o;
    },
    async close() {
      await opened.close();
      await Promise.all(observers.map((o) => o.close()));
    },
  };
}

/** Polls `check` every `everyMs` until true; fails after `timeoutMs`. Returns the ms it took. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000, everyMs = 20): Promise<number> {
  const start = Date.now();
  for (let i = 0; i < Math.ceil(timeoutMs / everyMs); i++) {
    if (await check()) return Date.now() - start;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The counts recomputed from the sessions of `ids` as `store` holds them, and compared with its stats. */
export async function expectTruth(store: PresenceStore, ids: string[], now: number, expected?: Partial<Stats>): Promise<Stats> {
  const snap = await store.stats(now);
  expect(brokenInvariant(snap.stats)).toBeNull();
  const sessions = (await Promise.all(ids.map((id) => store.getSession(id, now)))).filter((s) => s !== null);
  const truth: Stats = {
    totalUsers: sessions.length,
    onlineUsers: sessions.filter((s) => s.onlineSince !== null).length,
    activeUsers: sessions.filter((s) => s.lastSeen >= now - CONTRACT_TIMINGS.activeWindowMs).length,
    availableUsers: sessions.filter((s) => s.searching).length,
    connectedUsers: sessions.filter((s) => s.partner !== null).length,
  };
  expect(snap.stats).toEqual(truth);
  if (expected) expect(truth).toMatchObject(expected);
  return truth;
}
