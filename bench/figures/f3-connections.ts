/**
 * Figure 3: memory per connection and event-loop lag at 1k, 5k, 10k and 20k concurrent clients
 * heartbeating at the server's interval. One server grows through the sizes; each size is
 * compared with the same server's idle baseline (no client yet).
 */
import { type LoadPool, specsFor } from '../load/pool.js';
import { meanTickMs, scrape } from '../lib/http.js';
import { connectInspector, type Inspector, inspectorUrl } from '../lib/inspector.js';
import { renderHeapSampling, renderProfile, summarizeHeapSampling, summarizeProfile } from '../lib/profile.js';
import { cpus } from 'node:os';
import { CpuMeter, cpuSnapshot, readRss, type ServerProc, sleep } from '../lib/procs.js';
import { serverInfo } from '../lib/redis.js';
import type { Session } from '../lib/sessions.js';
import { fmt, summarize } from '../lib/stats.js';
import { type FigureResult, emptyFigure } from '../types.js';
import { type BenchContext, cleanRedis, clientCap, serverEnv, timeLeft, withPool, withServer, withSessions } from './context.js';

const TARGET_KB = 15;
/** prom-client samples the loop every 10 ms; monitorEventLoopDelay reports that interval plus the lag. */
const RESOLUTION_MS = 10;
const HEARTBEAT_MS = 10_000;

interface Sample {
  rss: number;
  heap: number;
  lagP99Ms: number;
  lagMaxMs: number;
  connections: number;
  /** CPU % of one core over the lag window (before the forced GC) */
  cpu: Record<string, number>;
}

/**
 * Event-loop lag over `seconds` one-second windows (worst window), then RSS and heap used right
 * after a forced full GC (through the inspector), so the memory is what is live, not garbage.
 */
async function sample(url: string, pid: number, inspector: Inspector, seconds: number, meter: CpuMeter, windowEnd: () => Promise<void>): Promise<Sample> {
  await scrape(url); // opens the lag window (prom-client resets its histogram on every scrape)
  const lagP99: number[] = [];
  const lagMax: number[] = [];
  let connections = 0;
  meter.begin();
  for (let i = 0; i < seconds; i++) {
    await sleep(1_000);
    const m = await scrape(url);
    lagP99.push((m.get('nodejs_eventloop_lag_p99_seconds') ?? Number.NaN) * 1000);
    lagMax.push((m.get('nodejs_eventloop_lag_max_seconds') ?? Number.NaN) * 1000);
    connections = m.get('herenow_connections') ?? Number.NaN;
  }
  const cpu = meter.end();
  await windowEnd(); // before the forced GC, whose pause is not the server's own behaviour
  await inspector.collectGarbage();
  await inspector.collectGarbage();
  const m = await scrape(url);
  return {
    rss: readRss(pid),
    heap: m.get('nodejs_heap_size_used_bytes') ?? Number.NaN,
    lagP99Ms: Math.max(...lagP99),
    lagMaxMs: Math.max(...lagMax),
    connections,
    cpu,
  };
}

type Row = {
  size: number;
  s: Sample;
  hbP99: number;
  hbPerSec: number;
  connectSeconds: number;
  /** CPU while this step's clients connected: % of a core per process, machine % of all cores */
  connectCpu: Record<string, number>;
  errors: Record<string, number>;
  broadcastMs: number;
};

interface Profiles {
  heap: string[];
  connect: string[];
  /** share of the connect profile spent in socket writes (writev), % */
  connectWritesPct?: number;
  /** the largest live allocators per connection, for the verdict */
  top: string;
}

const meter = (server: ServerProc, redisPid: number) => new CpuMeter(redisPid > 0 ? { server: server.pid, redis: redisPid } : { server: server.pid });

/**
 * Connects clients up to each size in turn and samples the server at each. The first step also
 * runs the sampling heap profiler: what the first connections keep alive, by allocating code.
 */
async function grow(ctx: BenchContext, pool: LoadPool, server: ServerProc, inspector: Inspector, users: Session[], sizes: number[], seconds: number, rows: Row[]): Promise<Profiles> {
  const out: Profiles = { heap: [], connect: [], top: '' };
  const redisPid = ctx.storeKind === 'redis' ? (await serverInfo(ctx.redis.port)).pid : -1;
  let connected = 0;
  for (const size of sizes) {
    if (size <= connected) continue;
    if (rows.length > 0 && timeLeft(ctx) < 40_000) break;
    const before = await scrape(server.url);
    const profileHeap = rows.length === 0;
    if (profileHeap) await inspector.startHeapSampling();
    // Full mode: a CPU profile of the largest step's connecting, where connects slow down most.
    const profileCpu = !ctx.quick && size === sizes.at(-1) && rows.length > 0;
    if (profileCpu) await inspector.startProfile(2_000);
    const t0 = performance.now();
    const connectMeter = meter(server, redisPid);
    connectMeter.begin();
    const snap0 = cpuSnapshot();
    const c = await pool.connect(specsFor(users.slice(connected, size)), {
      url: server.url, group: 'main', heartbeat: true, reconnect: 'none', concurrency: 100, timeoutMs: 30_000,
    });
    const connectSeconds = (performance.now() - t0) / 1000;
    const connectCpu = connectMeter.end();
    const snap1 = cpuSnapshot();
    connectCpu.machine = Math.round((100 * (snap1.busyMs - snap0.busyMs)) / ((snap1.at - snap0.at) * cpus().length));
    const broadcastMs = meanTickMs(before, await scrape(server.url));
    if (profileCpu) {
      const prof = summarizeProfile(await inspector.stopProfile());
      out.connect = renderProfile(prof);
      out.connectWritesPct = prof.functions.find((f) => f.name.startsWith('writev'))?.pct;
    }
    connected = size;
    ctx.log(`figure 3: ${c.connected} connected (${c.failed} failed) in ${fmt(connectSeconds, 1)} s`);
    await sleep(3_000);
    await pool.all('heartbeats', { reset: true });
    const t1 = performance.now();
    let lat: number[] = [];
    let windowMs = 0;
    const s = await sample(server.url, server.pid, inspector, seconds, meter(server, redisPid), async () => {
      lat = (await pool.all('heartbeats', { reset: true })).flatMap((h) => h.latencies);
      windowMs = performance.now() - t1;
    });
    // sample() ended with a forced GC: what the profile still holds is alive.
    if (profileHeap) {
      const heap = summarizeHeapSampling(await inspector.stopHeapSampling());
      out.heap = renderHeapSampling(heap, c.connected, 'conn');
      out.top = heap.functions.slice(0, 3).map((f) => `${f.name} ${fmt(f.value / c.connected / 1024, 1)} KB`).join(', ');
    }
    rows.push({ size, s, hbP99: summarize(lat).p99, hbPerSec: lat.length / (windowMs / 1000), connectSeconds, connectCpu, errors: c.errors, broadcastMs });
  }
  return out;
}

export async function figure3(ctx: BenchContext): Promise<FigureResult> {
  const fig = emptyFigure(3, 'Connections: memory and event-loop lag', 'KB (1024 bytes) per connection; ms of event-loop lag', `<= ${TARGET_KB} KB per connection`);
  const cap = clientCap(ctx);
  const wanted = ctx.quick ? [1_000] : [1_000, 5_000, 10_000, 20_000];
  const sizes = wanted.map((n) => Math.min(n, cap));
  const seconds = ctx.quick ? 3 : 6;
  const env = serverEnv(ctx, { HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS), STALE_TIMEOUT_MS: String(HEARTBEAT_MS * 2.5) });
  const rows: Row[] = [];
  let base: Sample | null = null;
  let profiles: Profiles = { heap: [], connect: [], top: '' };
  await cleanRedis(ctx);
  // The inspector (loopback, port 0) lets the bench force a full GC before each memory sample.
  const inspect = ['--inspect=127.0.0.1:0'];
  await withServer(ctx, env, (server) =>
    withSessions(ctx, env, server, (sessions) =>
      withPool(ctx, async (pool) => {
        const users = await sessions.create(Math.max(...sizes));
        const debuggerUrl = inspectorUrl(server.tail());
        if (!debuggerUrl) throw new Error('the server printed no inspector URL');
        const inspector = await connectInspector(debuggerUrl);
        try {
          await sleep(ctx.quick ? 1_000 : 2_000);
          base = await sample(server.url, server.pid, inspector, seconds, meter(server, -1), async () => undefined);
          profiles = await grow(ctx, pool, server, inspector, users, sizes, seconds, rows);
        } finally {
          inspector.close();
        }
      }),
    ),
  inspect);

  const b = base as Sample | null;
  if (!b) throw new Error('no baseline');
  const perConn = (bytes: number, n: number) => bytes / n / 1024;
  const table = rows.map((r) => ({
    ...r,
    rssKB: perConn(r.s.rss - b.rss, r.s.connections || r.size),
    heapKB: perConn(r.s.heap - b.heap, r.s.connections || r.size),
  }));
  fig.method = [
    `One server grows from 0 to each size; clients heartbeat every ${HEARTBEAT_MS / 1000} s (HEARTBEAT_INTERVAL_MS), first beat at a random offset. Each size settles 3 s, then ${seconds} one-second samples.`,
    'Per connection = (value at N − value of the same server idle before any client) / live connections (herenow_connections). Both read right after two forced full GCs (HeapProfiler.collectGarbage over the inspector: the server runs with --inspect=127.0.0.1:0), so they count live memory, not garbage the collector has not reached yet: RSS from /proc/<pid>/status, heap = nodejs_heap_size_used_bytes from /metrics.',
    `Event-loop lag = nodejs_eventloop_lag_p99_seconds per one-second scrape window, worst window shown. It includes prom-client’s ${RESOLUTION_MS} ms sampling interval: an idle loop reads ~${RESOLUTION_MS} ms, so the lag proper is the value minus ${RESOLUTION_MS} ms.`,
    cap < Math.max(...wanted) ? `ulimit -n is ${ctx.fdLimit} (hard limit): one process cannot hold 20,000 sockets plus its own fds, so the 20k size runs at ${cap.toLocaleString('en-US')}.` : 'All sizes fit the open-file limit.',
  ];
  const cpuText = (c: Record<string, number>) => `${c.server ?? '–'} / ${c.redis ?? '–'} / ${c.bench ?? '–'}`;
  fig.tables.push({
    caption: 'Memory (after a forced GC)',
    columns: ['clients', 'live connections', 'RSS MiB', 'heap used MiB', 'RSS KB/conn', 'heap KB/conn'],
    rows: [
      ['0 (baseline)', b.connections, fmt(b.rss / 2 ** 20, 1), fmt(b.heap / 2 ** 20, 1), '–', '–'],
      ...table.map((r) => [r.size.toLocaleString('en-US'), r.s.connections, fmt(r.s.rss / 2 ** 20, 1), fmt(r.s.heap / 2 ** 20, 1), fmt(r.rssKB, 1), fmt(r.heapKB, 1)]),
    ],
  });
  fig.tables.push({
    caption: 'Behaviour: while the step’s clients connected, then steady (heartbeating only)',
    columns: [
      'clients', 'connect time s', 'connects/s', 'CPU % server / redis / bench while connecting', 'machine busy %', 'broadcast tick ms while connecting',
      'steady: loop lag p99 ms (raw)', 'loop lag max ms', 'heartbeat ack p99 ms', 'heartbeats/s', 'CPU % server / redis / bench',
    ],
    rows: [
      ['0 (baseline)', '–', '–', '–', '–', '–', fmt(b.lagP99Ms, 1), fmt(b.lagMaxMs, 1), '–', '–', '–'],
      ...table.map((r, i) => [
        r.size.toLocaleString('en-US'), fmt(r.connectSeconds, 1), fmt((r.size - (table[i - 1]?.size ?? 0)) / r.connectSeconds, 0), cpuText(r.connectCpu), r.connectCpu.machine ?? '–',
        fmt(r.broadcastMs, 1), fmt(r.s.lagP99Ms, 1), fmt(r.s.lagMaxMs, 1), fmt(r.hbP99, 1), fmt(r.hbPerSec, 0), cpuText(r.s.cpu),
      ]),
    ],
  });
  if (profiles.heap.length) fig.blocks.push({ caption: `What the first ${sizes[0]?.toLocaleString('en-US')} connections keep alive, by the code that allocated it (V8 sampling heap profiler over the first step, after a forced GC)`, lines: profiles.heap });
  if (profiles.connect.length) fig.blocks.push({ caption: `Server CPU profile while the last ${(sizes.at(-1) ?? 0) - (sizes.at(-2) ?? 0)} clients connected (the slowest step)`, lines: profiles.connect });
  const biggest = table.at(-1);
  if (profiles.connectWritesPct !== undefined && biggest) {
    fig.notes.push(
      `While the last ${biggest.size - (table.at(-2)?.size ?? 0)} clients connected, socket writes (writev) took ${profiles.connectWritesPct.toFixed(0)} % of the server’s CPU and a broadcast tick ${fmt(biggest.broadcastMs, 0)} ms: ` +
        'every connect changes onlineUsers, so each tick sends a realtime:stats (its size: figure 5) to every connected socket; that fan-out grows with N and is what slows connecting at the largest size.',
    );
  }
  for (const r of table) if (Object.keys(r.errors).length) fig.notes.push(`${r.size} clients: connect errors ${JSON.stringify(r.errors)}.`);
  fig.data = { baseline: b, rows: table, heartbeatIntervalMs: HEARTBEAT_MS, fdCap: cap };
  const last = table.at(-1);
  if (!last) throw new Error('no size measured');
  const worst = Math.max(last.rssKB, last.heapKB);
  const at = `at ${last.s.connections.toLocaleString('en-US')} connections`;
  if (last.size < Math.max(...wanted) && ctx.quick) {
    fig.verdict = 'partial';
    fig.verdictNote = `${fmt(last.rssKB, 1)} KB RSS / ${fmt(last.heapKB, 1)} KB heap per connection ${at} (quick mode: smallest size only).`;
  } else if (worst <= TARGET_KB) {
    fig.verdict = 'met';
    fig.verdictNote = `${fmt(last.rssKB, 1)} KB RSS / ${fmt(last.heapKB, 1)} KB heap per connection ${at}; loop lag p99 ${fmt(last.s.lagP99Ms - RESOLUTION_MS, 1)} ms over the ${RESOLUTION_MS} ms sampling interval.`;
  } else {
    fig.verdict = 'missed';
    fig.verdictNote = `${fmt(last.rssKB, 1)} KB RSS / ${fmt(last.heapKB, 1)} KB heap per connection ${at}: ${fmt(worst - TARGET_KB, 1)} KB (${fmt((100 * (worst - TARGET_KB)) / TARGET_KB, 0)} %) over ${TARGET_KB} KB; loop lag p99 ${fmt(last.s.lagP99Ms - RESOLUTION_MS, 1)} ms over the sampling interval.` +
      (profiles.top ? ` Largest live allocators per connection (sampling heap profiler): ${profiles.top}.` : '');
  }
  return fig;
}
