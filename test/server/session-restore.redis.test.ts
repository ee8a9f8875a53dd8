/**
 * Sessions written back from their token after Redis restarted EMPTY (see session-restore.test.ts
 * for the rule): RedisProcess.kill() (SIGKILL, no SAVE) then restart() on the same port, which
 * removes the dump file, so Redis comes back with no data. Real servers on port 0, spawned node
 * processes, real socket.io-client and redis-server.
 */
import { randomBytes } from 'node:crypto';
import { io as connect } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../server/config.js';
import type { ConnectionEstablished } from '../../server/protocol.js';
import { type NodeProcess, spawnNode } from '../support/node-process.js';
import { type RedisProcess, startRedis } from '../support/redis.js';
import { type Harness, type TestSocket, startHarness, until } from '../support/server.js';
import {
  BASE,
  SECRET,
  createGuest,
  deleteMe,
  expectGone,
  expectSameSession,
  restoredTotal,
  stats,
} from './session-restore-support.js';

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
