/**
 * Figure 8: RedisStore on a local 3-master Redis Cluster, 16 buckets against 1. Store-level
 * (RedisStore called from the bench over one node-redis Cluster client; no server, no HTTP, no
 * Socket.IO): where user state lands (user hashes, keys, memory per master), heartbeat (touch)
 * throughput and latency and which masters serve it, stats() latency, and matching pairs/s with
 * its round trips per pair. The figure starts and stops its own cluster.
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import calculateSlot from 'cluster-key-slot';
import { createClient } from 'redis';
import { loadConfig } from '../../server/config.js';
import { storeTimings } from '../../server/store/open.js';
import { connectRedis } from '../../server/store/redis/connect.js';
import { storeKeys } from '../../server/store/redis/keys.js';
import { RedisStore } from '../../server/store/redis/store.js';
import { CpuMeter } from '../lib/procs.js';
import { type RedisClusterProcess, clusterMasters, commandStats, flush, info, redisCli, serverInfo, startRedisCluster } from '../lib/redis.js';
import { pool } from '../lib/sessions.js';
import { fmt, round, roundSummary, summarize, type Summary } from '../lib/stats.js';
import { type FigureResult, emptyFigure } from '../types.js';
import type { BenchContext } from './context.js';

const MASTERS = 3;
const BUCKETS = 16;
/** Every master must hold at least this share of the user hashes with 16 buckets. */
const TARGET_SHARE = 0.25;
const CREATE_CONCURRENCY = 500;
const TOUCH_CONCURRENCY = 256;
const NODE_ID = 'bench-f8';

interface Master {
  port: number;
  pid: number;
  /** slot ranges it serves, inclusive */
  ranges: [number, number][];
  label: string;
}

interface MasterRow {
  port: number;
  slots: string;
  /** buckets of the store whose tag slot this master serves */
  buckets: number;
  /** serves the central tag `{prefix}` (match queue, pending pairs) */
  central: boolean;
  userHashes: number;
  share: number;
  keys: number;
  usedMemoryMiB: number;
  memoryDeltaMiB: number;
  heartbeatScriptCalls: number;
  heartbeatShare: number;
  statsScriptCalls: number;
  matchScriptCalls: number;
  matchShare: number;
  /** % of one core while the touch() calls ran */
  heartbeatCpuPct: number;
}

interface LayoutResult {
  buckets: number;
  prefix: string;
  sessions: number;
  createMs: number;
  masters: MasterRow[];
  heartbeat: { calls: number; ms: number; perSecond: number; latency: Summary; scriptCallsPerTouch: number; benchCpuPct: number };
  stats: { reads: number; latency: Summary; totalUsers: number; scriptCallsPerRead: number };
  match: { pairs: number; matched: number; ms: number; perSecond: number; roundTripsPerPair: number; pairLatency: Summary };
}

/** The masters, ordered by their first slot, from CLUSTER NODES. */
async function masterList(cluster: RedisClusterProcess): Promise<Master[]> {
  const seed = cluster.nodes[0];
  if (!seed) throw new Error('cluster has no nodes');
  const found = await clusterMasters(seed.port);
  if (found.length !== MASTERS) throw new Error(`expected ${MASTERS} masters, CLUSTER NODES shows ${found.length}`);
  return Promise.all(
    found.map(async (m, i) => ({ port: m.port, pid: (await serverInfo(m.port)).pid, ranges: m.ranges, label: `m${i + 1} :${m.port}` })),
  );
}

const owns = (m: Master, slot: number) => m.ranges.some(([lo, hi]) => slot >= lo && slot <= hi);

/** evalsha + eval calls (a NOSCRIPT retry is an eval): the store's round trips to that master. */
async function scriptCalls(port: number): Promise<number> {
  const s = await commandStats(port);
  return (s.get('evalsha')?.calls ?? 0) + (s.get('eval')?.calls ?? 0);
}

async function usedMemory(port: number): Promise<number> {
  return Number((await info(port, 'memory')).used_memory ?? Number.NaN);
}

/** Keys matching `pattern` on one node (SCAN on a plain connection to it). */
async function countKeys(port: number, pattern: string): Promise<number> {
  const client = createClient({ socket: { host: '127.0.0.1', port } });
  client.on('error', () => undefined);
  await client.connect();
  try {
    let n = 0;
    for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 1_000 })) n += keys.length;
    return n;
  } finally {
    client.destroy();
  }
}

async function perMaster(masters: Master[], read: (port: number) => Promise<number>): Promise<number[]> {
  return Promise.all(masters.map((m) => read(m.port)));
}

const deltas = (a: number[], b: number[]) => b.map((v, i) => v - (a[i] ?? 0));
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
const username = (i: number) => `f${i.toString(36).padStart(6, '0')}`;
const mib = (bytes: number) => bytes / 2 ** 20;
const pct = (share: number) => `${fmt(100 * share, 1)} %`;

interface Sizes {
  sessions: number;
  touches: number;
  reads: number;
  pairs: number;
}

async function runLayout(ctx: BenchContext, cluster: RedisClusterProcess, masters: Master[], buckets: number, size: Sizes): Promise<LayoutResult> {
  const prefix = `f8b${buckets}`;
  const log = (msg: string) => ctx.log(`figure 8 [${buckets} bucket${buckets === 1 ? '' : 's'}]: ${msg}`);
  for (const m of masters) await flush(m.port);
  const mem0 = await perMaster(masters, usedMemory);
  const keys = storeKeys(prefix, buckets);
  const bucketSlots = keys.buckets.map((b) => calculateSlot(b.base));
  const centralSlot = calculateSlot(keys.central.base);

  const client = await connectRedis({ clusterNodes: cluster.nodes, connectTimeoutMs: 10_000 });
  const store = new RedisStore(client, prefix, storeTimings(loadConfig({})), { buckets });
  try {
    await store.checkLayout();
    const n = size.sessions;

    // 1. Spread: n sessions, each connected once.
    log(`creating and connecting ${n} sessions`);
    const ids = Array.from({ length: n }, () => randomUUID());
    let t0 = performance.now();
    await pool(n, CREATE_CONCURRENCY, async (i) => {
      const id = ids[i] as string;
      await store.createSession({ id, username: username(i), now: Date.now() });
      await store.connect({ userId: id, connId: `c${i}`, nodeId: NODE_ID, now: Date.now() });
    });
    const createMs = performance.now() - t0;
    const userHashes = await perMaster(masters, (port) => countKeys(port, `{${prefix}#*}:u:*`));
    const dbsize = await perMaster(masters, async (port) => Number(await redisCli(port, 'DBSIZE')));
    const mem1 = await perMaster(masters, usedMemory);

    // 2. Heartbeats: touch() over the n users, TOUCH_CONCURRENCY in flight on the one client.
    log(`${size.touches} touch() calls, ${TOUCH_CONCURRENCY} in flight`);
    const touch = (i: number) => store.touch(ids[i % n] as string, `c${i % n}`, Date.now());
    await pool(Math.min(n, 2_000), TOUCH_CONCURRENCY, async (i) => void (await touch(i)));
    const hb0 = await perMaster(masters, scriptCalls);
    const meter = new CpuMeter(Object.fromEntries(masters.map((m) => [m.label, m.pid])));
    const hbLat = new Float64Array(size.touches);
    meter.begin();
    t0 = performance.now();
    await pool(size.touches, TOUCH_CONCURRENCY, async (i) => {
      const s = performance.now();
      await touch(i);
      hbLat[i] = performance.now() - s;
    });
    const hbMs = performance.now() - t0;
    const cpu = meter.end();
    const hbCalls = deltas(hb0, await perMaster(masters, scriptCalls));

    // 3. Stats reads, one at a time.
    log(`${size.reads} stats() reads`);
    for (let i = 0; i < 20; i++) await store.stats(Date.now());
    const st0 = await perMaster(masters, scriptCalls);
    const stLat: number[] = [];
    let totalUsers = 0;
    for (let i = 0; i < size.reads; i++) {
      const s = performance.now();
      const snap = await store.stats(Date.now());
      stLat.push(performance.now() - s);
      totalUsers = snap.stats.totalUsers;
    }
    const stCalls = deltas(st0, await perMaster(masters, scriptCalls));

    // 4. Matching: fresh connected users, a then b, pair after pair.
    log(`${size.pairs} pairs: setSearching(a) then setSearching(b)`);
    const pairIds = Array.from({ length: 2 * size.pairs }, () => randomUUID());
    await pool(pairIds.length, CREATE_CONCURRENCY, async (i) => {
      const id = pairIds[i] as string;
      await store.createSession({ id, username: username(n + i), now: Date.now() });
      await store.connect({ userId: id, connId: `p${i}`, nodeId: NODE_ID, now: Date.now() });
    });
    const m0 = await perMaster(masters, scriptCalls);
    const pairLat: number[] = [];
    let matched = 0;
    t0 = performance.now();
    for (let p = 0; p < size.pairs; p++) {
      const s = performance.now();
      await store.setSearching(pairIds[2 * p] as string, true, Date.now());
      const r = await store.setSearching(pairIds[2 * p + 1] as string, true, Date.now());
      pairLat.push(performance.now() - s);
      if (r.events.some((e) => e.type === 'matched') && r.presence.chatId !== null) matched++;
    }
    const matchMs = performance.now() - t0;
    const mCalls = deltas(m0, await perMaster(masters, scriptCalls));

    const hashTotal = sum(userHashes);
    const hbTotal = sum(hbCalls);
    const mTotal = sum(mCalls);
    const rows: MasterRow[] = masters.map((m, i) => ({
      port: m.port,
      slots: m.ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}–${hi}`)).join(', '),
      buckets: bucketSlots.filter((s) => owns(m, s)).length,
      central: owns(m, centralSlot),
      userHashes: userHashes[i] ?? 0,
      share: hashTotal ? (userHashes[i] ?? 0) / hashTotal : 0,
      keys: dbsize[i] ?? 0,
      usedMemoryMiB: mib(mem1[i] ?? Number.NaN),
      memoryDeltaMiB: mib((mem1[i] ?? Number.NaN) - (mem0[i] ?? Number.NaN)),
      heartbeatScriptCalls: hbCalls[i] ?? 0,
      heartbeatShare: hbTotal ? (hbCalls[i] ?? 0) / hbTotal : 0,
      statsScriptCalls: stCalls[i] ?? 0,
      matchScriptCalls: mCalls[i] ?? 0,
      matchShare: mTotal ? (mCalls[i] ?? 0) / mTotal : 0,
      heartbeatCpuPct: cpu[m.label] ?? Number.NaN,
    }));
    const result: LayoutResult = {
      buckets,
      prefix,
      sessions: n,
      createMs,
      masters: rows,
      heartbeat: {
        calls: size.touches,
        ms: hbMs,
        perSecond: size.touches / (hbMs / 1000),
        latency: summarize(hbLat),
        scriptCallsPerTouch: hbTotal / size.touches,
        benchCpuPct: cpu.bench ?? Number.NaN,
      },
      stats: { reads: size.reads, latency: summarize(stLat), totalUsers, scriptCallsPerRead: sum(stCalls) / size.reads },
      match: {
        pairs: size.pairs,
        matched,
        ms: matchMs,
        perSecond: size.pairs / (matchMs / 1000),
        roundTripsPerPair: mTotal / size.pairs,
        pairLatency: summarize(pairLat),
      },
    };
    log(
      `hashes ${rows.map((r) => pct(r.share)).join(' / ')}; touch ${fmt(result.heartbeat.perSecond, 0)}/s p99 ${fmt(result.heartbeat.latency.p99)} ms; ` +
        `stats p99 ${fmt(result.stats.latency.p99)} ms; ${fmt(result.match.perSecond, 0)} pairs/s, ${fmt(result.match.roundTripsPerPair, 2)} round trips/pair`,
    );
    return result;
  } finally {
    await store.close();
  }
}

export async function figure8(ctx: BenchContext): Promise<FigureResult> {
  const fig = emptyFigure(
    8,
    'Redis Cluster: user state spread over the masters',
    'share of user hashes per master (%); calls/s; ms per call (bench-observed, loopback)',
    `user state spreads over the cluster’s slots rather than all on one: with ${BUCKETS} buckets every one of ${MASTERS} masters holds >= ${100 * TARGET_SHARE} % of the user hashes`,
  );
  const size: Sizes = ctx.quick
    ? { sessions: 5_000, touches: 20_000, reads: 500, pairs: 500 }
    : { sessions: 100_000, touches: 200_000, reads: 2_000, pairs: 5_000 };
  ctx.log(`figure 8: starting a ${MASTERS}-master Redis Cluster`);
  const cluster = await startRedisCluster(MASTERS);
  const layouts: LayoutResult[] = [];
  let version: string;
  let masters: Master[] = [];
  try {
    masters = await masterList(cluster);
    version = (await serverInfo(masters[0]?.port ?? 0)).version;
    for (const buckets of [BUCKETS, 1]) layouts.push(await runLayout(ctx, cluster, masters, buckets, size));
  } finally {
    await cluster.stop();
  }
  const [spread, single] = layouts as [LayoutResult, LayoutResult];
  const name = (l: LayoutResult) => `${l.buckets} bucket${l.buckets === 1 ? '' : 's'}`;
  const n = (v: number) => v.toLocaleString('en-US');

  fig.method = [
    `A local Redis Cluster of ${MASTERS} masters (redis-server ${version}, no replicas, no persistence, \`redis-cli --cluster create\`) started by the figure on loopback; the bench process and the ${MASTERS} masters share the machine’s ${cpus().length} cores, so the masters compete with the client for CPU.`,
    'Store-level: RedisStore called directly in the bench process over ONE node-redis Cluster client (`connectRedis({ clusterNodes })`: one connection per master); no server process, no HTTP, no Socket.IO. Timings: `storeTimings(loadConfig({}))` (the server’s defaults).',
    `Two layouts, one after the other on the same cluster: ${BUCKETS} buckets (prefix \`f8b${BUCKETS}\`) and 1 bucket (prefix \`f8b1\`); every master is emptied (FLUSHALL, CONFIG RESETSTAT) before each.`,
    `Spread: ${n(size.sessions)} sessions created and connected (createSession then connect, ${CREATE_CONCURRENCY} in flight). Per master: user hashes counted with SCAN MATCH \`{<prefix>#*}:u:*\`; keys = DBSIZE (user and connection hashes plus the buckets’ indexes); used_memory from INFO memory, Δ against the emptied master.`,
    `Heartbeats: ${n(size.touches)} touch() calls cycling over the ${n(size.sessions)} users, ${TOUCH_CONCURRENCY} in flight on the one client, after a warm-up; latency from call to resolve in the bench (so it includes queueing in the client); script calls per master = EVALSHA (+ EVAL) delta of INFO commandstats over the phase; master CPU from /proc.`,
    `Stats: ${n(size.reads)} stats() reads one at a time after 20 warm-up reads, at ${n(size.sessions)} sessions; each read runs one script per bucket (in parallel) and sums.`,
    `Matching: ${n(size.pairs)} pairs of fresh, connected users; per pair setSearching(a, true) then setSearching(b, true), pairs one after the other (the queue is empty between pairs); round trips per pair = script calls summed over the masters / pairs.`,
    `Verdict: met when with ${BUCKETS} buckets every master holds at least ${100 * TARGET_SHARE} % of the user hashes.`,
  ];

  fig.tables.push({
    caption: `User state per master after ${n(size.sessions)} sessions created and connected, and the script calls each master served`,
    columns: ['layout', 'master', 'slots', 'buckets served', 'central tag', 'user hashes', 'share', 'keys (DBSIZE)', 'used_memory MiB', 'Δ MiB', 'touch script calls', 'touch share', 'master CPU during touches (% of a core)', 'match script calls', 'match share'],
    rows: layouts.flatMap((l) =>
      l.masters.map((r, i) => [
        name(l), masters[i]?.label ?? String(r.port), r.slots, r.buckets, r.central ? 'yes' : '', n(r.userHashes), pct(r.share), n(r.keys),
        fmt(r.usedMemoryMiB, 1), fmt(r.memoryDeltaMiB, 1), n(r.heartbeatScriptCalls), pct(r.heartbeatShare), fmt(r.heartbeatCpuPct, 0), n(r.matchScriptCalls), pct(r.matchShare),
      ]),
    ),
  });
  fig.tables.push({
    caption: `Heartbeats: ${n(size.touches)} touch() calls, ${TOUCH_CONCURRENCY} in flight through one client`,
    columns: ['layout', 'create + connect (sessions/s)', 'touch calls/s', 'p50 ms', 'p99 ms', 'max ms', 'script calls per touch', 'bench process CPU (% of a core)'],
    rows: layouts.map((l) => [
      name(l), fmt(l.sessions / (l.createMs / 1000), 0), fmt(l.heartbeat.perSecond, 0), fmt(l.heartbeat.latency.p50), fmt(l.heartbeat.latency.p99),
      fmt(l.heartbeat.latency.max), fmt(l.heartbeat.scriptCallsPerTouch, 2), fmt(l.heartbeat.benchCpuPct, 0),
    ]),
  });
  fig.tables.push({
    caption: `Stats read: stats() one at a time at ${n(size.sessions)} sessions`,
    columns: ['layout', 'reads', 'totalUsers seen', 'script calls per read', 'p50 ms', 'p99 ms', 'mean ms'],
    rows: layouts.map((l) => [name(l), n(l.stats.reads), n(l.stats.totalUsers), fmt(l.stats.scriptCallsPerRead, 1), fmt(l.stats.latency.p50), fmt(l.stats.latency.p99), fmt(l.stats.latency.mean)]),
  });
  fig.tables.push({
    caption: `Matching: ${n(size.pairs)} pairs, setSearching(a) then setSearching(b), one pair at a time`,
    columns: ['layout', 'pairs', 'matched', 'pairs/s', 'round trips per pair', 'per pair p50 ms', 'per pair p99 ms'],
    rows: layouts.map((l) => [name(l), n(l.match.pairs), n(l.match.matched), fmt(l.match.perSecond, 0), fmt(l.match.roundTripsPerPair, 2), fmt(l.match.pairLatency.p50), fmt(l.match.pairLatency.p99)]),
  });

  for (const l of layouts) {
    if (l.stats.totalUsers < l.sessions) fig.notes.push(`${name(l)}: stats() saw ${n(l.stats.totalUsers)} users, fewer than the ${n(l.sessions)} created.`);
    if (l.match.matched < l.match.pairs) fig.notes.push(`${name(l)}: only ${n(l.match.matched)} of ${n(l.match.pairs)} pairs were matched at once.`);
  }
  const ratio = spread.heartbeat.perSecond / single.heartbeat.perSecond;
  const busy = (l: LayoutResult) => `${fmt(l.heartbeat.benchCpuPct, 0)} % + masters ${fmt(sum(l.masters.map((r) => r.heartbeatCpuPct)), 0)} %`;
  fig.notes.push(
    `Heartbeat throughput with ${BUCKETS} buckets is ${fmt(ratio, 2)}× that with 1 bucket. During the touches the one client process and the masters used bench ${busy(spread)} (${BUCKETS} buckets) and bench ${busy(single)} (1 bucket) of a core, out of ${100 * cpus().length} % on this ${cpus().length}-core machine: spreading the script calls over the masters adds no cores here; on separate hosts each master brings its own.`,
    `A stats read runs ${BUCKETS} scripts with ${BUCKETS} buckets against 1 with one bucket: p50 ${fmt(spread.stats.latency.p50)} vs ${fmt(single.stats.latency.p50)} ms.`,
  );

  const shares = spread.masters.map((r) => r.share);
  const minShare = Math.min(...shares);
  fig.verdict = minShare >= TARGET_SHARE ? 'met' : 'missed';
  fig.verdictNote =
    `With ${BUCKETS} buckets the ${MASTERS} masters hold ${spread.masters.map((r) => pct(r.share)).join(' / ')} of ${n(sum(spread.masters.map((r) => r.userHashes)))} user hashes ` +
    `(buckets ${spread.masters.map((r) => r.buckets).join(' / ')}; smallest share ${pct(minShare)}, ${minShare >= TARGET_SHARE ? 'at least' : 'below'} ${100 * TARGET_SHARE} %) ` +
    `and served ${spread.masters.map((r) => pct(r.heartbeatShare)).join(' / ')} of the touch script calls; with 1 bucket: ${single.masters.map((r) => pct(r.share)).join(' / ')}. ` +
    `Touch ${fmt(spread.heartbeat.perSecond, 0)} vs ${fmt(single.heartbeat.perSecond, 0)} calls/s (p99 ${fmt(spread.heartbeat.latency.p99)} vs ${fmt(single.heartbeat.latency.p99)} ms); ` +
    `stats p99 ${fmt(spread.stats.latency.p99)} vs ${fmt(single.stats.latency.p99)} ms; matching ${fmt(spread.match.perSecond, 0)} vs ${fmt(single.match.perSecond, 0)} pairs/s at ${fmt(spread.match.roundTripsPerPair, 2)} vs ${fmt(single.match.roundTripsPerPair, 2)} round trips per pair.`;

  fig.data = {
    masters: masters.map((m) => ({ label: m.label, port: m.port, ranges: m.ranges })),
    redisVersion: version,
    sizes: size,
    concurrency: { create: CREATE_CONCURRENCY, touch: TOUCH_CONCURRENCY },
    targetShare: TARGET_SHARE,
    layouts: layouts.map((l) => ({
      ...l,
      createMs: round(l.createMs, 1),
      masters: l.masters.map((r) => ({ ...r, share: round(r.share, 4), heartbeatShare: round(r.heartbeatShare, 4), matchShare: round(r.matchShare, 4), usedMemoryMiB: round(r.usedMemoryMiB, 2), memoryDeltaMiB: round(r.memoryDeltaMiB, 2) })),
      heartbeat: { ...l.heartbeat, ms: round(l.heartbeat.ms, 1), perSecond: round(l.heartbeat.perSecond, 0), scriptCallsPerTouch: round(l.heartbeat.scriptCallsPerTouch, 3), latency: roundSummary(l.heartbeat.latency) },
      stats: { ...l.stats, scriptCallsPerRead: round(l.stats.scriptCallsPerRead, 2), latency: roundSummary(l.stats.latency) },
      match: { ...l.match, ms: round(l.match.ms, 1), perSecond: round(l.match.perSecond, 1), roundTripsPerPair: round(l.match.roundTripsPerPair, 3), pairLatency: roundSummary(l.match.pairLatency) },
    })),
  };
  return fig;
}
