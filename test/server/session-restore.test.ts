/**
 * Sessions written back from their token (server/auth/session.ts): a guest token carries `name`,
 * `cat` (createdAt) and `sx` (the session's expiresAt when issued). A verified token whose session
 * the store has lost — neither the session nor its tombstone, while `now < sx` — gets it back
 * (same id, username, createdAt) instead of `session_not_found`; `herenow_sessions_restored_total`
 * counts it. A deleted or naturally expired session is never brought back, nor is one named by a
 * token without those claims.
 *
 * Real servers on port 0, real socket.io-client, real redis-server. "Redis restarted empty" is
 * RedisProcess.kill() (SIGKILL, no SAVE) followed by restart() on the same port: the dump file is
 * removed, so Redis comes back with no data (no FLUSHALL stand-in needed).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { io as connect } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../server/config.js';
import type { ConnectionEstablished, GuestCreated, GuestMe, RestError, StatsResponse, TokenRefreshed } from '../../server/protocol.js';
import { type NodeProcess, spawnNode } from '../support/node-process.js';
import { type RedisProcess, startRedis } from '../support/redis.js';
import { type Harness, type TestSocket, getJson, rawEmit, startHarness, until } from '../support/server.js';
import { harnessOn, storeKinds } from '../support/stores.js';

/** One JWT secret for every server here: a token issued by one node is valid on the others. */
const SECRET = `restore-${randomBytes(16).toString('hex')}`;
const BASE: Partial<ServerConfig> = { jwtSecret: SECRET };

async function post<T>(url: string, path: string, token?: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: '{}',
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

async function createGuest(url: string, username: string): Promise<GuestCreated> {
  const res = await fetch(`${url}/api/guest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as GuestCreated;
}

async function deleteMe(url: string, token: string): Promise<number> {
  const res = await fetch(`${url}/api/guest/me`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}

async function stats(url: string): Promise<StatsResponse> {
  const { status, body } = await getJson<StatsResponse>(url, '/api/stats');
  expect(status).toBe(200);
  return body;
}

/** The value of herenow_sessions_restored_total on one node (its own registry). */
async function restoredTotal(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^herenow_sessions_restored_total (\d+)$/m.exec(text);
  if (!m) throw new Error('herenow_sessions_restored_total missing from /metrics');
  return Number(m[1]);
}

/** The session is gone: REST and handshake both answer session_not_found (401 per errors.ts). */
async function expectGone(h: Harness, token: string): Promise<void> {
  const me = await getJson<RestError>(h.url, '/api/guest/me', token);
  expect(me).toMatchObject({ status: 401, body: { error: { code: 'session_not_found' } } });
  await expect(h.client(token)).rejects.toMatchObject({ message: 'session_not_found', data: { code: 'session_not_found' } });
}

/** The guest's session as GET /api/guest/me returns it: same id, username, createdAt as created. */
async function expectSameSession(url: string, guest: GuestCreated): Promise<GuestMe> {
  const me = await getJson<GuestMe>(url, '/api/guest/me', guest.token);
  expect(me.status).toBe(200);
  expect(me.body.user).toMatchObject({ id: guest.user.id, username: guest.user.username, createdAt: guest.user.createdAt });
  return me.body;
}

/** A token signed like the server's but with only sub/iat/exp (issued before the new claims). */
function legacyToken(userId: string, nowMs = Date.now(), ttlMs = 3_600_000): string {
  const iat = Math.floor(nowMs / 1000);
  return jwt.sign({ sub: userId, iat, exp: Math.floor((nowMs + ttlMs) / 1000) }, SECRET, { algorithm: 'HS256' });
}

describe('guest token claims', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it('vouch for the session: name = username, cat = createdAt, sx = expiresAt (also after a refresh)', async () => {
    let clock = Date.now();
    // A long stale timeout: the clock jump below must not make the liveness sweep drop the socket.
    const cfg = { ...BASE, sessionTtlMs: 600_000, tokenTtlMs: 60_000, staleTimeoutMs: 60_000, activeWindowMs: 120_000 };
    h = await startHarness(cfg, { now: () => clock });
    const g = await h.guest('claim_holder');
    const claims = jwt.decode(g.token) as jwt.JwtPayload;
    expect(claims).toMatchObject({ sub: g.user.id, name: 'claim_holder', cat: g.user.createdAt, sx: g.user.expiresAt });
    expect(claims.name).toBe(g.user.username);
    expect(claims.exp).toBe(Math.floor(g.tokenExpiresAt / 1000));
    // And it is a real HS256 token of this secret.
    expect(() => jwt.verify(g.token, SECRET, { algorithms: ['HS256'] })).not.toThrow();

    // A refreshed token vouches for the session as it is now (activity slid its expiry forward).
    const { socket } = await h.client(g.token);
    clock += 5_000;
    expect(await rawEmit(socket, 'presence:heartbeat', {})).toMatchObject({ ok: true });
    const me = await getJson<GuestMe>(h.url, '/api/guest/me', g.token);
    expect(me.body.user.expiresAt).toBe(clock + 600_000);
    const refreshed = await post<TokenRefreshed>(h.url, '/api/guest/refresh', g.token);
    expect(refreshed.status).toBe(200);
    expect(jwt.decode(refreshed.body.token)).toMatchObject({
      sub: g.user.id,
      name: 'claim_holder',
      cat: g.user.createdAt,
      sx: me.body.user.expiresAt,
    });
    socket.disconnect();
  });
});

describe('memory store replaced (the embedded server restarted)', () => {
  const harnesses: Harness[] = [];
  afterEach(async () => {
    for (const x of harnesses.splice(0)) await x.close();
  });
  const start = async (overrides: Partial<ServerConfig> = {}, now?: () => number) => {
    const x = await startHarness({ ...BASE, ...overrides }, now ? { now } : {});
    harnesses.push(x);
    return x;
  };

  it('writes a live session back from its token: same id, name, createdAt; online again; counted once', async () => {
    const before = await start();
    const g = await createGuest(before.url, 'survives_restart');
    const { socket } = await before.client(g.token);
    socket.disconnect();
    await before.close();

    const after = await start();
    expect((await stats(after.url)).stats.totalUsers).toBe(0);
    // A token without the new claims for the very same lost session cannot bring it back.
    const legacy = await getJson<RestError>(after.url, '/api/guest/me', legacyToken(g.user.id));
    expect(legacy).toMatchObject({ status: 401, body: { error: { code: 'session_not_found' } } });
    expect(await restoredTotal(after.url)).toBe(0);

    const me = await expectSameSession(after.url, g);
    expect(me.user.expiresAt).toBe(g.user.expiresAt);
    expect(me.presence).toMatchObject({ isOnline: false, isSearching: false, partner: null });
    expect(await restoredTotal(after.url)).toBe(1);
    expect((await stats(after.url)).stats).toMatchObject({ totalUsers: 1, onlineUsers: 0 });

    const { established } = await after.client(g.token);
    expect(established.user).toEqual({ id: g.user.id, username: 'survives_restart' });
    await until(async () => (await stats(after.url)).stats.onlineUsers === 1, 3_000);
    expect((await stats(after.url)).stats).toMatchObject({ totalUsers: 1, onlineUsers: 1 });
    // It exists again: later requests find it, nothing more is restored.
    await expectSameSession(after.url, g);
    expect(await restoredTotal(after.url)).toBe(1);
    // The legacy token works now that the session exists (only the restore needs the claims).
    expect((await getJson<GuestMe>(after.url, '/api/guest/me', legacyToken(g.user.id))).status).toBe(200);
    expect(after.violations).toEqual([]);
  });

  it('restores only while now < sx (the session could not have expired yet)', async () => {
    let clock = Date.now();
    const cfg = { sessionTtlMs: 60_000, tokenTtlMs: 120_000 };
    const before = await start(cfg, () => clock);
    const early = await createGuest(before.url, 'just_in_time');
    const late = await createGuest(before.url, 'one_ms_late');
    expect(early.user.expiresAt).toBe(late.user.expiresAt);
    const sx = early.user.expiresAt;
    await before.close();

    const after = await start(cfg, () => clock);
    clock = sx - 1;
    await expectSameSession(after.url, early);
    clock = sx;
    // The token itself is still valid (tokenTtl > sessionTtl), but the session must have ended.
    expect((jwt.decode(late.token) as jwt.JwtPayload).exp as number).toBeGreaterThan(sx / 1000);
    await expectGone(after, late.token);
    const refresh = await post<RestError>(after.url, '/api/guest/refresh', late.token);
    expect(refresh).toMatchObject({ status: 401, body: { error: { code: 'session_not_found' } } });
    expect(await restoredTotal(after.url)).toBe(1);
  });

  // KNOWN LIMITATION (README, "Redis outages"), as with Redis below: the memory store's
  // tombstones die with it, so a DELETEd session's still-valid token writes it back.
  it.fails('a session DELETEd before the restart stays gone', async () => {
    const before = await start();
    const g = await createGuest(before.url, 'deleted_before');
    expect(await deleteMe(before.url, g.token)).toBe(204);
    await expectGone(before, g.token);
    await before.close();
    const after = await start();
    await expectGone(after, g.token);
    expect(await restoredTotal(after.url)).toBe(0);
  });

  it('ignores tokens whose claims are incomplete: no restore without name, cat and sx', async () => {
    const before = await start();
    const g = await createGuest(before.url, 'partial_claims');
    await before.close();
    const after = await start();
    const now = Date.now();
    const sign = (extra: object) =>
      jwt.sign({ sub: g.user.id, iat: Math.floor(now / 1000), exp: Math.floor(now / 1000) + 3_600, ...extra }, SECRET, { algorithm: 'HS256' });
    const partial = [
      sign({ name: g.user.username, cat: g.user.createdAt }),
      sign({ name: g.user.username, sx: g.user.expiresAt }),
      sign({ cat: g.user.createdAt, sx: g.user.expiresAt }),
      sign({ name: '', cat: g.user.createdAt, sx: g.user.expiresAt }),
      sign({ name: g.user.username, cat: String(g.user.createdAt), sx: g.user.expiresAt }),
      sign({ name: g.user.username, cat: g.user.createdAt, sx: g.user.expiresAt + 0.5 }),
    ];
    for (const token of partial) {
      const me = await getJson<RestError>(after.url, '/api/guest/me', token);
      expect(me).toMatchObject({ status: 401, body: { error: { code: 'session_not_found' } } });
    }
    // Full claims signed with another secret are not even a valid token.
    const forged = jwt.sign(
      { sub: g.user.id, name: g.user.username, cat: g.user.createdAt, sx: g.user.expiresAt, exp: Math.floor(now / 1000) + 3_600 },
      'another-secret-of-enough-length',
      { algorithm: 'HS256' },
    );
    expect(await getJson<RestError>(after.url, '/api/guest/me', forged)).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect(await restoredTotal(after.url)).toBe(0);
    expect((await stats(after.url)).stats.totalUsers).toBe(0);
  });
});

for (const kind of storeKinds()) {
  describe(`an ended session is not brought back (${kind.name} store)`, () => {
    let h: Harness | null = null;
    afterAll(() => kind.teardown());
    afterEach(async () => {
      if (h) expect(h.violations).toEqual([]);
      await h?.close();
      h = null;
    });

    it('DELETE /api/guest/me: the old token finds session_not_found, on REST and on the handshake', async () => {
      h = await harnessOn(kind, BASE);
      const a = await h.user('deleted_user');
      const closed = new Promise((resolve) => a.socket.once('disconnect', resolve));
      expect(await deleteMe(h.url, a.guest.token)).toBe(204);
      await closed;
      await expectGone(h, a.guest.token);
      const refresh = await post<RestError>(h.url, '/api/guest/refresh', a.guest.token);
      expect(refresh).toMatchObject({ status: 401, body: { error: { code: 'session_not_found' } } });
      // Asked again and again: still gone, nothing restored, nothing counted.
      await expectGone(h, a.guest.token);
      expect(await restoredTotal(h.url)).toBe(0);
      expect((await stats(h.url)).stats).toMatchObject({ totalUsers: 0, onlineUsers: 0 });
    });

    it('natural expiry: once now >= sx neither refresh nor /me nor the handshake brings it back', async () => {
      let clock = Date.now();
      h = await harnessOn(kind, { ...BASE, sessionTtlMs: 1_000, tokenTtlMs: 60_000, tokenRefreshGraceMs: 60_000 }, { now: () => clock });
      const g = await h.guest('expiring_user');
      expect(g.user.expiresAt).toBe(g.user.createdAt + 1_000);
      expect((jwt.decode(g.token) as jwt.JwtPayload).sx).toBe(g.user.expiresAt);
      await expectSameSession(h.url, g);
      clock = g.user.expiresAt + 500;
      await h.server.tick();
      expect((await stats(h.url)).stats.totalUsers).toBe(0);
      const refresh = await post<RestError>(h.url, '/api/guest/refresh', g.token);
      expect(refresh).toMatchObject({ status: 401, body: { error: { code: 'session_not_found' } } });
      await expectGone(h, g.token);
      // Past the token's own expiry but inside the refresh grace: still no way back.
      clock = g.tokenExpiresAt + 1_000;
      const late = await post<RestError>(h.url, '/api/guest/refresh', g.token);
      expect(late).toMatchObject({ status: 401, body: { error: { code: 'session_not_found' } } });
      expect(await restoredTotal(h.url)).toBe(0);
      expect((await stats(h.url)).stats.totalUsers).toBe(0);
    });

    it('a token without the new claims (sub/iat/exp only) for a missing session: session_not_found', async () => {
      h = await harnessOn(kind, BASE);
      const existing = await h.guest('legacy_holder');
      // Still accepted for a session that exists.
      const ok = await getJson<GuestMe>(h.url, '/api/guest/me', legacyToken(existing.user.id));
      expect(ok.status).toBe(200);
      expect(ok.body.user.id).toBe(existing.user.id);
      // For one the store does not have: not restored (it vouches for nothing).
      const missing = randomUUID();
      await expectGone(h, legacyToken(missing));
      const refresh = await post<RestError>(h.url, '/api/guest/refresh', legacyToken(missing));
      expect(refresh).toMatchObject({ status: 401, body: { error: { code: 'session_not_found' } } });
      expect(await restoredTotal(h.url)).toBe(0);
      expect((await stats(h.url)).stats.totalUsers).toBe(1);
    });
  });
}

describe('Redis restarted empty', () => {
  let redis: RedisProcess;
  const harnesses: Harness[] = [];
  const nodes: NodeProcess[] = [];
  const sockets: TestSocket[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    for (const n of nodes.splice(0)) await n.kill('SIGKILL');
    for (const x of harnesses.splice(0)) await x.close();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  const shared = () => ({ ...BASE, redisUrl: redis.url, redisPrefix: `r${randomBytes(4).toString('hex')}` });
  const start = async (cfg: Partial<ServerConfig>) => {
    const x = await startHarness(cfg);
    harnesses.push(x);
    return x;
  };
  /** Kills Redis (SIGKILL, no SAVE) and starts it again on the same port with no data. */
  const restartEmpty = async (watching: Harness[] = []) => {
    await redis.kill();
    for (const x of watching) await until(async () => (await stats(x.url)).degraded, 5_000, 25);
    await redis.restart();
    for (const x of watching) await until(async () => !(await stats(x.url)).degraded, 15_000, 50);
  };

  it('server and Redis both restarted: /me, the handshake and the counts find the session again', async () => {
    const cfg = shared();
    const before = await start(cfg);
    const a = await before.user('before_restart');
    const b = await before.user('other_user');
    expect((await stats(before.url)).stats).toMatchObject({ totalUsers: 2, onlineUsers: 2 });
    await before.close();
    await restartEmpty();

    const after = await start(cfg);
    expect((await stats(after.url)).stats).toMatchObject({ totalUsers: 0, onlineUsers: 0 });
    const me = await expectSameSession(after.url, a.guest);
    expect(me.user.expiresAt).toBe(a.guest.user.expiresAt);
    expect(me.presence.isOnline).toBe(false);
    expect(await restoredTotal(after.url)).toBe(1);
    expect((await stats(after.url)).stats).toMatchObject({ totalUsers: 1, onlineUsers: 0 });

    const { established } = await after.client(a.guest.token);
    expect(established.user).toEqual({ id: a.guest.user.id, username: 'before_restart' });
    expect(established.presence.isOnline).toBe(true);
    await until(async () => (await stats(after.url)).stats.onlineUsers === 1, 3_000);
    expect((await stats(after.url)).stats).toMatchObject({ totalUsers: 1, onlineUsers: 1 });
    expect(await restoredTotal(after.url)).toBe(1);

    // The second user comes back through the handshake alone.
    const second = await after.client(b.guest.token);
    expect(second.established.user).toEqual({ id: b.guest.user.id, username: 'other_user' });
    await until(async () => (await stats(after.url)).stats.onlineUsers === 2, 3_000);
    expect((await stats(after.url)).stats).toMatchObject({ totalUsers: 2, onlineUsers: 2 });
    expect(await restoredTotal(after.url)).toBe(2);
    await expectSameSession(after.url, b.guest);
    expect(after.violations).toEqual([]);
  });

  it('a node living through the restart keeps its user: same session, online again', async () => {
    const h = await start(shared());
    const a = await h.user('lives_through');
    const idle = await h.guest('idle_guest');
    expect((await stats(h.url)).stats).toMatchObject({ totalUsers: 2, onlineUsers: 1 });
    await restartEmpty([h]);
    await expectSameSession(h.url, a.guest);
    await expectSameSession(h.url, idle);
    await until(async () => (await stats(h.url)).stats.onlineUsers === 1, 5_000);
    expect((await stats(h.url)).stats).toMatchObject({ totalUsers: 2, onlineUsers: 1 });
    const again = await h.client(a.guest.token);
    expect(again.established.user.id).toBe(a.guest.user.id);
    // The connected user came back through the node's failover write-back; the idle guest, whom
    // the node does not write back (another node might have deleted it), through its token.
    expect(await restoredTotal(h.url)).toBe(1);
    expect(h.violations).toEqual([]);
  });

  it('acceptance: created on a node that is SIGKILLed, Redis restarted empty, the client goes to another node', async () => {
    const cfg = shared();
    const other = await start(cfg);
    const node = await spawnNode({
      REDIS_URL: redis.url,
      REDIS_PREFIX: cfg.redisPrefix,
      JWT_SECRET: SECRET,
      HEARTBEAT_INTERVAL_MS: '200',
      STALE_TIMEOUT_MS: '600',
      ACTIVE_WINDOW_MS: '60000',
    });
    nodes.push(node);
    const g = await createGuest(node.url, 'first_node_user');
    const s = connect(node.url, { auth: { token: g.token }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(s);
    const established = await new Promise<ConnectionEstablished>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no connection:established from the spawned node')), 5_000);
      s.once('connection:established', (p: ConnectionEstablished) => {
        clearTimeout(timer);
        resolve(p);
      });
      s.once('connect_error', (err: Error) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    expect(established.user.id).toBe(g.user.id);
    await until(async () => (await stats(other.url)).stats.onlineUsers === 1, 5_000);

    expect(await node.kill('SIGKILL')).toBeNull();
    s.close();
    await restartEmpty([other]);
    expect((await stats(other.url)).stats).toMatchObject({ totalUsers: 0, onlineUsers: 0 });

    const { established: back } = await other.client(g.token);
    expect(back.user).toEqual({ id: g.user.id, username: 'first_node_user' });
    await expectSameSession(other.url, g);
    await until(async () => (await stats(other.url)).stats.onlineUsers === 1, 3_000);
    expect((await stats(other.url)).stats).toMatchObject({ totalUsers: 1, onlineUsers: 1 });
    expect(await restoredTotal(other.url)).toBe(1);
    expect(other.violations).toEqual([]);
  });

  it('a session deleted on one node stays gone on another that never knew it', async () => {
    const cfg = shared();
    const n1 = await start(cfg);
    const n2 = await start(cfg);
    const g = await createGuest(n1.url, 'deleted_there');
    expect(await deleteMe(n1.url, g.token)).toBe(204);
    await expectGone(n2, g.token);
    await expectGone(n1, g.token);
    expect(await restoredTotal(n2.url)).toBe(0);
    expect((await stats(n2.url)).stats.totalUsers).toBe(0);
  });

  // KNOWN LIMITATION (README, "Redis outages"): the tombstone lives in Redis, so a Redis
  // restarted empty loses it together with the session, and the still-valid token of a DELETEd
  // session writes it back. it.fails passes while that holds; make it it() once deletes survive.
  it.fails('a session deleted before Redis restarted empty stays gone', async () => {
    const cfg = shared();
    const before = await start(cfg);
    const g = await createGuest(before.url, 'deleted_then_restart');
    expect(await deleteMe(before.url, g.token)).toBe(204);
    await expectGone(before, g.token);
    await before.close();
    await restartEmpty();
    const after = await start(cfg);
    await expectGone(after, g.token);
    expect(await restoredTotal(after.url)).toBe(0);
  });
});
