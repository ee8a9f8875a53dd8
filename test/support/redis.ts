/**
 * Throwaway redis-server processes for tests: a single node on a free loopback port (which the
 * test can kill and restart on the same port) and a local Cluster of N masters. No persistence,
 * a temp dir per process, every wait bounded in attempts and time; anything still running when
 * the test process exits is killed.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REDIS_SERVER = '/usr/bin/redis-server';
const REDIS_CLI = '/usr/bin/redis-cli';
const HOST = '127.0.0.1';

export interface RedisProcess {
  url: string;
  port: number;
  /** graceful shutdown; removes the temp dir */
  stop(): Promise<void>;
  /**
   * SIGKILL, as a crash; the port stays reserved for restart(). With `keepData` the data set is
   * snapshotted first (SAVE), so restart() comes back with it (a Redis with persistence);
   * without, restart() comes back empty.
   */
  kill(opts?: { keepData?: boolean }): Promise<void>;
  /** starts again on the same port: empty, or with the data kill({ keepData: true }) saved */
  restart(): Promise<void>;
}

export interface RedisClusterProcess {
  /** every node, masters first (with replicas, each master's replica follows the masters) */
  nodes: { host: string; port: number }[];
  /** SIGKILLs one node, as a crash (its replica, if any, takes over after the node timeout) */
  killNode(port: number): Promise<void>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port free on loopback now (and, for Cluster, port + 10000 for the cluster bus). */
async function freePort(withBus = false): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await listenOnce(0);
    if (port > 55_000) continue;
    if (!withBus || (await listenOnce(port + 10_000).then(() => true, () => false))) return port;
  }
  throw new Error('no free port found');
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, HOST, () => {
      const addr = srv.address();
      const p = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(p));
    });
  });
}

/** redis-cli with a hard timeout; resolves stdout (errors included, trimmed). */
export function redisCli(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(REDIS_CLI, ['-h', HOST, '-p', String(port), ...args], { timeout: 10_000 }, (_err, stdout, stderr) =>
      resolve(`${stdout}${stderr}`.trim()),
    );
  });
}

/** Polls until `check` is true: at most `attempts` times, `everyMs` apart. */
async function waitFor(what: string, check: () => Promise<boolean>, attempts = 100, everyMs = 50): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function spawnServer(port: number, dir: string, extra: string[] = []): ChildProcess {
  const args = ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir];
  const child = spawn(REDIS_SERVER, [...args, '--protected-mode', 'no', '--loglevel', 'warning', ...extra], {
    stdio: 'ignore',
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function waitForPing(port: number, child: ChildProcess): Promise<void> {
  await waitFor(`redis-server on port ${port}`, async () => {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${child.exitCode}`);
    return (await redisCli(port, 'PING')) === 'PONG';
  });
}

/** Ends a process: SIGTERM, then SIGKILL if it has not exited within 3 s. */
async function terminate(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const done = exited(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await done;
  clearTimeout(timer);
}

/** Starts a redis-server on a free loopback port and waits until it answers PING. */
export async function startRedis(): Promise<RedisProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'herenow-redis-'));
  let port = 0;
  let child: ChildProcess | null = null;
  // The port can be taken between probing and binding: try a few.
  for (let attempt = 0; attempt < 3 && !child; attempt++) {
    port = await freePort();
    const c = spawnServer(port, dir);
    try {
      await waitForPing(port, c);
      child = c;
    } catch (err) {
      await terminate(c, 'SIGKILL');
      if (attempt === 2) throw err;
    }
  }
  let current = child as ChildProcess;
  let keepData = false;
  return {
    url: `redis://${HOST}:${port}`,
    port,
    async stop() {
      await terminate(current);
      rmSync(dir, { recursive: true, force: true });
    },
    async kill(opts = {}) {
      keepData = opts.keepData === true;
      if (keepData) {
        const saved = await redisCli(port, 'SAVE');
        if (saved !== 'OK') throw new Error(`SAVE before kill failed: ${saved}`);
      }
      await terminate(current, 'SIGKILL');
    },
    async restart() {
      await terminate(current);
      // Only a kill({ keepData: true }) right before brings the data back.
      if (!keepData) rmSync(join(dir, 'dump.rdb'), { force: true });
      keepData = false;
      // The old socket may linger briefly; redis-server exits if it cannot bind, so retry.
      for (let attempt = 0; ; attempt++) {
        current = spawnServer(port, dir);
        try {
          await waitForPing(port, current);
          return;
        } catch (err) {
          await terminate(current, 'SIGKILL');
          if (attempt >= 5) throw err;
          await sleep(200);
        }
      }
    },
  };
}

/**
 * Starts `masters` cluster-enabled redis-servers (and `replicas` per master), joins them into one
 * Cluster, waits for ok.
 */
export async function startRedisCluster(masters = 3, opts: { replicas?: number } = {}): Promise<RedisClusterProcess> {
  const replicas = opts.replicas ?? 0;
  const dir = mkdtempSync(join(tmpdir(), 'herenow-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const stop = async () => {
    await Promise.all(children.map((c) => terminate(c)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) {
      const port = await freePort(true);
      const child = spawnServer(port, dir, [
        '--cluster-enabled', 'yes',
        '--cluster-config-file', `nodes-${port}.conf`,
        '--cluster-node-timeout', '2000',
        // Replicas sync at once (the default waits 5 s for more replicas to share one transfer).
        '--repl-diskless-sync-delay', '0',
      ]);
      children.push(child);
      ports.push(port);
      await waitForPing(port, child);
    }
    const create = await redisCli(
      ports[0] as number,
      '--cluster', 'create', ...ports.map((p) => `${HOST}:${p}`),
      '--cluster-replicas', String(replicas), '--cluster-yes',
    );
    if (!create.includes('[OK] All 16384 slots covered')) throw new Error(`cluster create failed:\n${create}`);
    for (const port of ports) {
      await waitFor(`cluster_state:ok on ${port}`, async () =>
        (await redisCli(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'),
      );
    }
    // A replica that never synced is not eligible for failover: wait until every one has.
    for (const port of ports) {
      await waitFor(`replica on ${port} in sync`, async () => {
        const repl = await redisCli(port, 'INFO', 'replication');
        return repl.includes('role:master') || repl.includes('master_link_status:up');
      });
    }
    const killNode = async (port: number) => {
      const child = children[ports.indexOf(port)];
      if (!child) throw new Error(`no cluster node on port ${port}`);
      await terminate(child, 'SIGKILL');
    };
    return { nodes: ports.map((port) => ({ host: HOST, port })), killNode, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A master of a Cluster and the slot ranges it serves (inclusive), from CLUSTER NODES. */
export interface ClusterMaster {
  port: number;
  ranges: [number, number][];
}

/** The masters serving slots, as `port` (any node) sees them, ordered by their first slot. */
export async function clusterMasters(port: number): Promise<ClusterMaster[]> {
  const out = await redisCli(port, 'CLUSTER', 'NODES');
  const masters: ClusterMaster[] = [];
  for (const line of out.split(/\r?\n/)) {
    const f = line.trim().split(/\s+/);
    const flags = (f[2] ?? '').split(',');
    if (f.length < 8 || !flags.includes('master') || flags.includes('fail')) continue;
    const nodePort = Number(/:(\d+)@/.exec(f[1] ?? '')?.[1]);
    const ranges = f.slice(8).filter((r) => /^\d+(-\d+)?$/.test(r)).map((r): [number, number] => {
      const [lo, hi] = r.split('-').map(Number) as [number, number | undefined];
      return [lo, hi ?? lo];
    });
    if (Number.isFinite(nodePort) && ranges.length > 0) masters.push({ port: nodePort, ranges });
  }
  return masters.sort((a, b) => (a.ranges[0]?.[0] ?? 0) - (b.ranges[0]?.[0] ?? 0));
}
