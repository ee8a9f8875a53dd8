/**
 * Soak (bounded: about a minute): random joins, leaves, searches, chats, hides, session ends,
 * node SIGKILLs and Redis restarts against two server processes on one Redis. At the end, once
 * things settle, the stats every node reports equal the truth recomputed from the live sockets.
 */
import { randomInt } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, GuestCreated, GuestMe, ServerToClientEvents, StatsResponse } from '../../server/protocol.js';
import { brokenInvariant } from '../../server/protocol.js';
import { type NodeProcess, spawnNode } from '../support/node-process.js';
import { type RedisProcess, startRedis } from '../support/redis.js';
import { getJson, until } from '../support/server.js';

type Sock = Socket<ServerToClientEvents, ClientToServerEvents>;
interface SimUser {
  guest: GuestCreated;
  sockets: Sock[];
  hidden: boolean;
  deleted: boolean;
}

const STEPS = 500;
const USERS = 24;
const ENV = {
  LEAVE_GRACE_MS: '300',
  NODE_LEASE_MS: '1000',
  HEARTBEAT_INTERVAL_MS: '400',
  STALE_TIMEOUT_MS: '2000',
  ACTIVE_WINDOW_MS: '600000',
  STATS_INTERVAL_MS: '100',
  GUEST_CREATE_PER_MINUTE: '100000',
  EVENTS_PER_SECOND: '1000',
  JWT_SECRET: 'soak-test-secret-0123456789',
  REDIS_PREFIX: 'soak',
  // Spread as on a Cluster: most chats and matches cross buckets (outbox, central queue).
  REDIS_BUCKETS: '4',
};

describe('soak: churn, node kills and Redis restarts', () => {
  let redis: RedisProcess;
  const nodes: (NodeProcess | null)[] = [null, null];
  const users: SimUser[] = [];
  const violations: string[] = [];
  afterAll(async () => {
    for (const u of users) for (const s of u.sockets) s.close();
    for (const n of nodes) await n?.kill('SIGKILL');
    await redis?.stop();
  });

  const crashes: string[] = [];
  /** Spawns a node and records it if it ever exits on its own (a crash is a failure). */
  async function startNode(env: Record<string, string>): Promise<NodeProcess> {
    const n = await spawnNode(env);
    let killed = false;
    const kill = n.kill;
    n.kill = (sig) => {
      killed = true;
      return kill(sig);
    };
    void n.exited.then((code) => {
      if (!killed) crashes.push(`node exited with ${code}:\n${n.output().slice(-3000)}`);
    });
    return n;
  }

  const liveNode = (): NodeProcess => {
    const alive = nodes.filter((n): n is NodeProcess => n !== null);
    return alive[randomInt(alive.length)] as NodeProcess;
  };

  function open(u: SimUser): void {
    const node = liveNode();
    const s: Sock = io(node.url, { auth: { token: u.guest.token }, transports: ['websocket'], reconnection: false, forceNew: true });
    s.on('realtime:stats', (p) => {
      const broken = brokenInvariant(p.stats);
      if (broken) violations.push(`${broken} ${JSON.stringify(p.stats)}`);
    });
    const beat = setInterval(() => s.connected && s.emit('presence:heartbeat', {}, () => undefined), 400);
    s.on('disconnect', () => {
      clearInterval(beat);
      u.sockets = u.sockets.filter((x) => x !== s);
    });
    s.on('connect_error', () => {
      clearInterval(beat);
      u.sockets = u.sockets.filter((x) => x !== s);
    });
    u.sockets.push(s);
  }

  async function newUser(): Promise<void> {
    const res = await fetch(`${liveNode().url}/api/guest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).catch(
      () => null,
    );
    if (res?.status !== 201) return;
    const u: SimUser = { guest: (await res.json()) as GuestCreated, sockets: [], hidden: false, deleted: false };
    users.push(u);
    open(u);
  }

  /** Emits on one of the user's live sockets; a presence in the ack is what the server confirmed. */
  const emit = async (u: SimUser, event: keyof ClientToServerEvents, payload: object) => {
    if (u.sockets.length === 0) return;
    const s = u.sockets[randomInt(u.sockets.length)];
    if (!s?.connected) return;
    const raw = s as unknown as { timeout(ms: number): { emitWithAck(e: string, p: object): Promise<unknown> } };
    const ack = (await raw.timeout(2_000).emitWithAck(event, payload).catch(() => null)) as { ok?: boolean; presence?: { isOnline: boolean } } | null;
    if (ack?.ok && ack.presence) u.hidden = !ack.presence.isOnline;
  };

  /** One random action of a user. */
  async function act(u: SimUser, roll: number, step: number): Promise<void> {
    if (roll < 12) open(u);
    else if (roll < 24) u.sockets[0]?.disconnect();
    else if (roll < 44) await emit(u, 'presence:searching', { isSearching: true });
    else if (roll < 50) await emit(u, 'presence:searching', { isSearching: false });
    else if (roll < 62) await emit(u, 'chat:message', { text: `step ${step}` });
    else if (roll < 68) await emit(u, 'chat:leave', {});
    else if (roll < 72) await emit(u, 'presence:online', { isOnline: u.hidden });
    else if (roll < 74) {
      const res = await fetch(`${liveNode().url}/api/guest/me`, { method: 'DELETE', headers: { authorization: `Bearer ${u.guest.token}` } }).catch(
        () => null,
      );
      if (res?.status === 204) u.deleted = true;
    } else if (roll < 80) await newUser();
  }

  it('ends with stats equal to the truth from the live sockets', { timeout: 240_000 }, async () => {
    redis = await startRedis();
    const env = { ...ENV, REDIS_URL: redis.url };
    nodes[0] = await startNode(env);
    nodes[1] = await startNode(env);
    for (let i = 0; i < USERS; i++) await newUser();
    let kills = 0;
    let redisRestarts = 0;
    for (let step = 0; step < STEPS; step++) {
      const u = users[randomInt(users.length)] as SimUser;
      // A deleted user does nothing (the node kills and Redis restarts below happen regardless).
      if (!u.deleted) await act(u, randomInt(100), step);
      if (step % 150 === 75) {
        const i = randomInt(2);
        await nodes[i]?.kill('SIGKILL');
        nodes[i] = null;
        kills++;
        nodes[i] = await startNode(env);
      }
      if (step % 200 === 150) {
        // Every other restart comes back EMPTY (a Redis without persistence): the nodes write
        // back what they hold and every other session comes back from its owner's token.
        await redis.kill({ keepData: redisRestarts % 2 === 1 });
        await new Promise((r) => setTimeout(r, 500));
        await redis.restart();
        redisRestarts++;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(crashes).toEqual([]);
    expect(kills).toBeGreaterThan(0);
    expect(redisRestarts).toBeGreaterThan(0);

    // Settle: no more actions; leases lapse, graces pass, nodes reconcile.
    const live = () => users.filter((u) => !u.deleted);
    const truth = async () => {
      const present = live();
      const me = await Promise.all(
        present.map((u) => getJson<GuestMe>(nodes[0]?.url as string, '/api/guest/me', u.guest.token).then((r) => r.body)),
      );
      const online = present.filter((u) => u.sockets.some((s) => s.connected) && !u.hidden).length;
      return {
        totalUsers: present.length,
        onlineUsers: online,
        activeUsers: present.length,
        availableUsers: me.filter((m) => m?.presence?.isSearching).length,
        connectedUsers: me.filter((m) => m?.presence?.partner).length,
      };
    };
    let last: unknown = null;
    await until(
      async () => {
        const want = await truth();
        const got = await Promise.all(nodes.map(async (n) => (await getJson<StatsResponse>(n?.url as string, '/api/stats')).body));
        last = { want, got: got.map((g) => g.stats), degraded: got.map((g) => g.degraded) };
        return got.every((g) => !g.degraded && JSON.stringify(g.stats) === JSON.stringify(want));
      },
      30_000,
      250,
    ).catch(async (err: unknown) => {
      const resurrected = [];
      for (const u of users.filter((x) => x.deleted)) {
        const r = await getJson<GuestMe>(nodes[0]?.url as string, '/api/guest/me', u.guest.token);
        if (r.status === 200) resurrected.push(u.guest.user.id);
      }
      throw new Error(`stats never equalled the truth: ${JSON.stringify(last)}; deleted but alive: ${resurrected.length} (${String(err)})`);
    });
    expect(violations).toEqual([]);
    expect(crashes).toEqual([]);
  });
});
