/**
 * Figure 2's Redis side: commands and round trips per heartbeat from INFO commandstats deltas
 * (an idle window of the same server subtracted as the background), and the redis-benchmark
 * ceiling for the very script a heartbeat runs (touch.lua, by its SHA1, on a real session).
 */
import { presenceKeys, storeKeys } from '../../server/store/redis/keys.js';
import { SCRIPTS } from '../../server/store/redis/scripts.js';
import { loadConfig } from '../../server/config.js';
import { storeTimings } from '../../server/store/open.js';
import type { LoadPool } from '../load/pool.js';
import { type CommandStat, MEASUREMENT, TOP_LEVEL, commandStats, redisBenchmark, redisCli, statsDelta } from '../lib/redis.js';
import { sleep } from '../lib/procs.js';
import type { BenchContext } from './context.js';
import { REDIS_PREFIX } from './context.js';

export interface HeartbeatCost {
  heartbeats: number;
  commandsPerHeartbeat: number;
  roundTripsPerHeartbeat: number;
  /** per command: calls per heartbeat and µs per call */
  perCommand: { command: string; perHeartbeat: number; usecPerCall: number }[];
  /** Redis CPU per heartbeat (µs of all commands, scripts included) */
  redisUsecPerHeartbeat: number;
}

/** Sends `count` heartbeats at a gentle rate and divides the commandstats delta by the acks. */
export async function heartbeatCost(ctx: BenchContext, pool: LoadPool, count: number): Promise<HeartbeatCost> {
  const port = ctx.redis.port;
  const windowMs = 2_000;
  await redisCli(port, 'CONFIG', 'RESETSTAT');
  // Background: the server's own loops (broadcast, sweep, history) over an idle window.
  const idle0 = await commandStats(port);
  const idleT0 = performance.now();
  await sleep(windowMs);
  const idle = statsDelta(idle0, await commandStats(port));
  const idleMs = performance.now() - idleT0;

  const before = await commandStats(port);
  const t0 = performance.now();
  const parts = await pool.all('rate', { perSecond: count / (windowMs / 1000) / pool.size, durationMs: windowMs, ackTimeoutMs: 5_000 });
  const during = statsDelta(before, await commandStats(port));
  const busyMs = performance.now() - t0;
  const acked = parts.reduce((s, p) => s + p.acked, 0);
  if (acked === 0) throw new Error('no heartbeat acked');

  const scale = busyMs / idleMs;
  const perCommand: HeartbeatCost['perCommand'] = [];
  let commands = 0;
  let roundTrips = 0;
  let usec = 0;
  for (const [cmd, d] of during) {
    if (MEASUREMENT.has(cmd)) continue;
    const bg: CommandStat = idle.get(cmd) ?? { calls: 0, usec: 0 };
    const calls = Math.max(0, d.calls - bg.calls * scale);
    const us = Math.max(0, d.usec - bg.usec * scale);
    if (calls < acked * 0.01) continue; // background noise, not part of a heartbeat
    perCommand.push({ command: cmd, perHeartbeat: calls / acked, usecPerCall: d.calls ? d.usec / d.calls : 0 });
    commands += calls;
    if (TOP_LEVEL.has(cmd)) roundTrips += calls;
    usec += cmd === 'evalsha' || cmd === 'eval' ? us : 0;
  }
  perCommand.sort((a, b) => b.perHeartbeat - a.perHeartbeat);
  return {
    heartbeats: acked,
    commandsPerHeartbeat: commands / acked,
    roundTripsPerHeartbeat: roundTrips / acked,
    perCommand,
    // A script's µs include the commands it runs (Redis counts them again under their own names).
    redisUsecPerHeartbeat: usec / acked,
  };
}

export interface CeilingRow {
  what: string;
  rps: number;
  p50: number;
  p99: number;
}

/**
 * redis-benchmark running touch.lua itself (EVALSHA, the 11 keys and 8 arguments the store
 * passes) on a real session and connection: the rate one Redis core gives this exact script,
 * without pipelining (-P 1, one round trip each) and pipelined 16 deep (what a busy server's
 * client does on its one connection). Beside it a script that only returns, with the same keys
 * and arguments: the floor of any script call, so the rest is the script's own work.
 */
export async function touchCeiling(ctx: BenchContext, env: Record<string, string>, userId: string, requests: number): Promise<CeilingRow[]> {
  const port = ctx.redis.port;
  const k = storeKeys(REDIS_PREFIX).bucketOf(userId);
  const t = storeTimings(loadConfig(env));
  const connId = (await redisCli(port, 'HKEYS', k.conns(userId))).split('\n')[0]?.trim() || 'no-connection';
  // Make sure both scripts are cached under their SHA1 (the server loaded touch already).
  await redisCli(port, 'SCRIPT', 'LOAD', SCRIPTS.touch.source);
  const noop = (await redisCli(port, 'SCRIPT', 'LOAD', 'return 1')).trim();
  const keys = [...presenceKeys(k), k.user(userId), k.conns(userId)];
  const args = [k.base, String(Date.now()), String(t.sessionTtlMs), String(t.leaveGraceMs), String(t.changeLogMax), '3600000', userId, connId];
  const call = (sha: string) => ['EVALSHA', sha, String(keys.length), ...keys, ...args];
  const runs: [string, string, number][] = [
    ['touch.lua, -P 1', SCRIPTS.touch.sha1, 1],
    ['touch.lua, -P 16', SCRIPTS.touch.sha1, 16],
    ['`return 1` with the same keys/args, -P 1', noop, 1],
  ];
  const rows: CeilingRow[] = [];
  for (const [what, sha, pipeline] of runs) {
    const r = await redisBenchmark(port, { requests, clients: 50, pipeline }, call(sha));
    if (!Number.isFinite(r.rps)) throw new Error(`redis-benchmark gave no rate:\n${r.raw}`);
    rows.push({ what: `${what} (-n ${requests} -c 50)`, rps: r.rps, p50: r.p50, p99: r.p99 });
  }
  return rows;
}
