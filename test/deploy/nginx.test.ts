/**
 * deploy/nginx.conf for real: Debian's nginx in front of two nodes on one Redis, clients
 * connecting through it, one node SIGTERMed, its clients carried over to the other node without
 * anybody going offline.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuestCreated, StatsResponse } from '../../server/protocol.js';
import { type NodeProcess, spawnNode } from '../support/node-process.js';
import { type RedisProcess, startRedis } from '../support/redis.js';
import { getJson, until } from '../support/server.js';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => {
  try {
    readFileSync(p);
    return true;
  } catch {
    return false;
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

describe.runIf(NGINX)('nginx in front of two nodes (deploy/nginx.conf)', () => {
  let redis: RedisProcess;
  let nodes: NodeProcess[] = [];
  let nginx: ChildProcess;
  let dir: string;
  let front: string;

  beforeAll(async () => {
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, REDIS_PREFIX: 'nginx', JWT_SECRET: 'nginx-test-secret-0123456789', LEAVE_GRACE_MS: '4000', STATS_INTERVAL_MS: '100' };
    nodes = [await spawnNode(env), await spawnNode(env)];
    const port = await freePort();
    dir = mkdtempSync(path.join(tmpdir(), 'herenow-nginx-'));
    const conf = readFileSync(path.resolve(import.meta.dirname, '../../deploy/nginx.conf'), 'utf8')
      .replace('127.0.0.1:3001', `127.0.0.1:${nodes[0]?.port}`)
      .replace('127.0.0.1:3002', `127.0.0.1:${nodes[1]?.port}`)
      .replace('listen 127.0.0.1:8080', `listen 127.0.0.1:${port}`);
    writeFileSync(path.join(dir, 'nginx.conf'), conf);
    nginx = spawn(NGINX as string, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
    front = `http://127.0.0.1:${port}`;
    await until(async () => (await fetch(`${front}/healthz`).then((r) => r.status, () => 0)) === 200, 10_000, 100);
  });

  afterAll(async () => {
    nginx?.kill('SIGTERM');
    for (const n of nodes) await n.kill('SIGKILL');
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('carries clients of a SIGTERMed node over to the other without anyone going offline', async () => {
    const clients: { socket: Socket; established: number }[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${front}/api/guest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(201);
      const g = (await res.json()) as GuestCreated;
      const socket = io(front, { auth: { token: g.token }, transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 500 });
      const c = { socket, established: 0 };
      socket.on('connection:established', () => c.established++);
      clients.push(c);
    }
    await until(() => clients.every((c) => c.established === 1), 10_000).catch((e: unknown) => {
      throw new Error(`not all connected: ${clients.map((c) => c.established).join(',')} ${String(e)}`);
    });
    const online = async () => (await getJson<StatsResponse>(front, '/api/stats')).body.stats.onlineUsers;
    await until(async () => (await online()) === 8);
    const seen: number[] = [];
    const watch = setInterval(() => void online().then((n) => seen.push(n), () => undefined), 100);
    const doomed = nodes[0] as NodeProcess;
    expect(await doomed.kill('SIGTERM')).toBe(0);
    // Those on the drained node reconnect through nginx and land on the survivor.
    await until(() => clients.every((c) => c.socket.connected), 10_000);
    const moved = clients.filter((c) => c.established === 2).length;
    expect(moved, `clients re-established: ${clients.map((c) => c.established).join(',')}`).toBeGreaterThan(0);
    await until(async () => (await online()) === 8, 5_000);
    // A few samples after the move too (a fast move may leave only one or two before).
    const after = seen.length;
    await until(() => seen.length >= after + 3, 3_000);
    clearInterval(watch);
    expect(seen.length).toBeGreaterThan(3);
    expect(Math.min(...seen), `online counts seen during the move: ${seen.join(',')}`).toBe(8);
    const ack = await clients[0]?.socket.timeout(2_000).emitWithAck('presence:heartbeat', {});
    expect(ack).toMatchObject({ ok: true });
    for (const c of clients) c.socket.close();
  });
});
