/**
 * RedisStore against MemoryStore, the reference semantics: the same random operations on both,
 * and after each one the same outcome (ok or error code), the same stats and the same session
 * records (chat ids aside: each store makes its own). This is how a Redis script that queued a
 * user with no connection (online forever) was found. With 4 buckets most pairs and chats span
 * buckets, so the cross-bucket steps must end exactly where MemoryStore's one step does.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MemoryStore } from '../../../server/store/memory.js';
import { connectRedis } from '../../../server/store/redis/connect.js';
import { RedisStore } from '../../../server/store/redis/store.js';
import type { PresenceStore } from '../../../server/store/types.js';
import { type RedisProcess, startRedis } from '../../support/redis.js';
import { CONTRACT_TIMINGS } from './contract.js';

let redis: RedisProcess;
let prefixes = 0;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const IDS = ['a', 'b', 'c', 'd', 'e'];
const KINDS = ['connect', 'disconnect', 'touch', 'search', 'cancel', 'leave', 'hide', 'show', 'sweep', 'end', 'drop'] as const;
type Op = { user: number; kind: (typeof KINDS)[number]; dt: number };

async function apply(s: PresenceStore, o: Op, id: string, connId: string, now: number): Promise<string> {
  try {
    if (o.kind === 'connect') await s.connect({ userId: id, connId, nodeId: `n${o.user % 2}`, now });
    else if (o.kind === 'disconnect') await s.disconnect(id, connId, now);
    else if (o.kind === 'touch') await s.touch(id, connId, now);
    else if (o.kind === 'search') await s.setSearching(id, true, now);
    else if (o.kind === 'cancel') await s.setSearching(id, false, now);
    else if (o.kind === 'leave') await s.leaveChat(id, now);
    else if (o.kind === 'hide') await s.setOnline(id, false, now);
    else if (o.kind === 'show') await s.setOnline(id, true, now);
    else if (o.kind === 'sweep') await s.sweep(now);
    else if (o.kind === 'end') await s.endSession(id, now, 'deleted');
    else await s.dropNode('n0', now);
    return 'ok';
  } catch (e) {
    return String((e as { code?: unknown }).code ?? e);
  }
}

async function view(s: PresenceStore, now: number) {
  const sessions = await Promise.all(IDS.map((id) => s.getSession(id, now)));
  return {
    stats: (await s.stats(now)).stats,
    sessions: sessions.map((r) => r && { ...r, chatId: r.chatId ? 'chat' : null }),
  };
}

it.each([1, 4])('behaves exactly like MemoryStore under random operations (%i bucket(s))', async (buckets) => {
  const op = fc.record({
    user: fc.integer({ min: 0, max: IDS.length - 1 }),
    kind: fc.constantFrom(...KINDS),
    dt: fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 60_000 })),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 40 }), async (ops) => {
      const memory = new MemoryStore(CONTRACT_TIMINGS);
      const red = new RedisStore(await connectRedis({ url: redis.url }), `diff${++prefixes}`, CONTRACT_TIMINGS, { buckets });
      try {
        let now = 1_700_000_000_000;
        const conns = new Map<string, string[]>(IDS.map((id) => [id, []]));
        for (const s of [memory, red]) for (const id of IDS) await s.createSession({ id, username: `name-${id}`, now });
        let n = 0;
        for (const o of ops) {
          now += o.dt;
          const id = IDS[o.user] as string;
          const list = conns.get(id) ?? [];
          let connId = list[0] ?? 'none';
          if (o.kind === 'connect') list.push((connId = `c${++n}`));
          if (o.kind === 'disconnect') connId = list.shift() ?? 'none';
          const outcomes = [await apply(memory, o, id, connId, now), await apply(red, o, id, connId, now)];
          expect(outcomes[1], `${o.kind} ${id}`).toBe(outcomes[0]);
          expect(await view(red, now)).toEqual(await view(memory, now));
        }
      } finally {
        await red.close();
      }
    }),
    { numRuns: 200 },
  );
});
