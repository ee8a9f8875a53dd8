/**
 * Guest sessions for the load: through the store's own API (a RedisStore in this process on the
 * server's Redis and prefix, tokens signed with the server's JWT_SECRET) when the server runs on
 * Redis, else through the REST API (the memory store lives inside the server process). Never by
 * writing keys around the store.
 */
import { randomUUID } from 'node:crypto';
import { createTokenService, type TokenService } from '../../server/auth/tokens.js';
import { loadConfig } from '../../server/config.js';
import type { GuestCreated } from '../../server/protocol.js';
import { connectRedis } from '../../server/store/redis/connect.js';
import { RedisStore } from '../../server/store/redis/store.js';
import { storeTimings } from '../../server/store/open.js';

export interface Session {
  id: string;
  token: string;
}

export interface SessionSource {
  readonly kind: 'store' | 'rest';
  /** Creates `n` sessions and returns them with tokens. */
  create(n: number): Promise<Session[]>;
  /** Creates `n` sessions nobody will use (the population figure 1 reads stats over). */
  bulk(n: number, onProgress?: (done: number) => void): Promise<void>;
  /** The store (Redis mode only): figure 1 also times its stats() directly. */
  readonly store: RedisStore | null;
  close(): Promise<void>;
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` in flight. */
export async function pool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) {
      const i = next++;
      await task(i);
    }
  });
  await Promise.all(lanes);
}

/** Usernames valid for the protocol (3–24 letters/digits/_/-): `b` plus a counter. */
let counter = 0;
const username = () => `b${(counter++).toString(36).padStart(6, '0')}`;

/** Sessions via RedisStore.createSession on the server's Redis and key prefix. */
export async function storeSessions(env: Record<string, string>): Promise<SessionSource> {
  const config = loadConfig(env);
  if (!config.redisUrl) throw new Error('storeSessions needs REDIS_URL');
  const client = await connectRedis({ url: config.redisUrl, connectTimeoutMs: 5_000 });
  const store = new RedisStore(client, config.redisPrefix, storeTimings(config));
  const tokens: TokenService = createTokenService({
    secret: config.jwtSecret,
    ttlMs: config.tokenTtlMs,
    refreshGraceMs: config.tokenRefreshGraceMs,
  });
  const one = async () => store.createSession({ id: randomUUID(), username: username(), now: Date.now() });
  return {
    kind: 'store',
    store,
    async create(n) {
      const out: Session[] = [];
      // node-redis pipelines the concurrent EVALSHAs on its one connection.
      await pool(n, 500, async () => {
        const s = await one();
        out.push({ id: s.id, token: tokens.issue(s, Date.now()).token });
      });
      return out;
    },
    async bulk(n, onProgress) {
      let done = 0;
      await pool(n, 2_000, async () => {
        await one();
        if (++done % 100_000 === 0) onProgress?.(done);
      });
    },
    close: () => store.close(),
  };
}

/** Sessions via POST /api/guest (the server must allow it: GUEST_CREATE_PER_MINUTE high). */
export function restSessions(url: string): SessionSource {
  const one = async (): Promise<Session> => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const res = await fetch(`${url}/api/guest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: username() }),
      });
      if (res.status === 201) {
        const body = (await res.json()) as GuestCreated;
        return { id: body.user.id, token: body.token };
      }
      await res.body?.cancel();
      if (res.status !== 429 && res.status < 500) throw new Error(`POST /api/guest answered ${res.status}`);
    }
    throw new Error('POST /api/guest kept failing');
  };
  return {
    kind: 'rest',
    store: null,
    async create(n) {
      const out: Session[] = [];
      await pool(n, 32, async () => void out.push(await one()));
      return out;
    },
    async bulk(n, onProgress) {
      let done = 0;
      await pool(n, 32, async () => {
        await one();
        if (++done % 100_000 === 0) onProgress?.(done);
      });
    },
    close: async () => {},
  };
}
