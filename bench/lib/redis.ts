/**
 * The bench's own redis-server (test/support/redis.ts: free loopback port, `--save ''
 * --appendonly no`, killed when the process exits), the local Cluster figure 8 starts (the
 * tests' starter too), and what the figures read from them: INFO sections, command statistics,
 * and redis-benchmark runs for the ceiling.
 */
import { type RedisClusterProcess, type RedisProcess, clusterMasters, redisCli, startRedis, startRedisCluster } from '../../test/support/redis.js';
import { run } from './procs.js';

export type { RedisClusterProcess, RedisProcess };
export { clusterMasters, startRedis, startRedisCluster, redisCli };

/** One INFO section as key -> value. */
export async function info(port: number, section: string): Promise<Record<string, string>> {
  const out = await redisCli(port, 'INFO', section);
  const fields: Record<string, string> = {};
  for (const line of out.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) fields[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return fields;
}

export interface CommandStat {
  calls: number;
  usec: number;
}

/** `INFO commandstats` as command -> calls and total µs. Commands run by Lua scripts count too. */
export async function commandStats(port: number): Promise<Map<string, CommandStat>> {
  const raw = await info(port, 'commandstats');
  const stats = new Map<string, CommandStat>();
  for (const [key, value] of Object.entries(raw)) {
    if (!key.startsWith('cmdstat_')) continue;
    const calls = /calls=(\d+)/.exec(value);
    const usec = /usec=(\d+)/.exec(value);
    stats.set(key.slice(8), { calls: Number(calls?.[1] ?? 0), usec: Number(usec?.[1] ?? 0) });
  }
  return stats;
}

/** Commands a client sends itself (each one network round trip); everything else ran inside Lua. */
export const TOP_LEVEL = new Set(['evalsha', 'eval', 'evalsha_ro', 'eval_ro', 'fcall', 'ping', 'script', 'hello', 'client', 'select']);
/** Commands the bench itself issues while measuring, left out of every per-operation count. */
export const MEASUREMENT = new Set(['info', 'config', 'dbsize', 'flushall', 'monitor', 'command']);

/** Empties the database and resets INFO counters: each figure starts from a clean Redis. */
export async function flush(port: number): Promise<void> {
  await redisCli(port, 'FLUSHALL');
  await redisCli(port, 'CONFIG', 'RESETSTAT');
}

/** redis_version, process_id and used_memory. */
export async function serverInfo(port: number): Promise<{ version: string; pid: number; usedMemory: number }> {
  const [srv, mem] = await Promise.all([info(port, 'server'), info(port, 'memory')]);
  return { version: srv.redis_version ?? '?', pid: Number(srv.process_id ?? -1), usedMemory: Number(mem.used_memory ?? Number.NaN) };
}

/**
 * redis-benchmark with one custom command (`--csv`): requests per second and p50/p99 latency
 * (ms) as redis-benchmark reports them.
 */
export async function redisBenchmark(
  port: number,
  opts: { requests: number; clients: number; pipeline: number },
  command: string[],
): Promise<{ rps: number; p50: number; p99: number; raw: string }> {
  const args = [
    '-h', '127.0.0.1', '-p', String(port),
    '-n', String(opts.requests), '-c', String(opts.clients), '-P', String(opts.pipeline),
    '--csv', ...command,
  ];
  const { out } = await run('/usr/bin/redis-benchmark', args, 180_000);
  // CSV: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  const rows = out.split(/\r?\n/).filter((l) => l.startsWith('"') && !l.startsWith('"test"'));
  const cells = (rows.at(-1) ?? '').split('","').map((c) => c.replace(/"/g, ''));
  return { rps: Number(cells[1]), p50: Number(cells[4]), p99: Number(cells[6]), raw: out.trim().slice(-600) };
}

/** Difference b - a of two commandstats snapshots (commands absent in a count from zero). */
export function statsDelta(a: Map<string, CommandStat>, b: Map<string, CommandStat>): Map<string, CommandStat> {
  const out = new Map<string, CommandStat>();
  for (const [cmd, s] of b) {
    const before = a.get(cmd) ?? { calls: 0, usec: 0 };
    const d = { calls: s.calls - before.calls, usec: s.usec - before.usec };
    if (d.calls > 0) out.set(cmd, d);
  }
  return out;
}
