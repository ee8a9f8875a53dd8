/**
 * Figure 2: what one heartbeat costs and how many per second one server process sustains with
 * ack p99 <= 50 ms. Open-loop ramp over many connections (each beating far faster than the real
 * 30 s interval: 20k/s of real users would be 600k connections, more than one machine's fds),
 * CPU of server / Redis / load generator per step, the redis-benchmark ceiling of the same
 * script, and a CPU profile of the server at the first rate it could not sustain.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { specsFor, type LoadPool } from '../load/pool.js';
import { connectInspector, inspectorUrl } from '../lib/inspector.js';
import { CpuMeter, cpuSnapshot, othersCpuPct, type ServerProc, sleep } from '../lib/procs.js';
import { renderProfile, summarizeProfile } from '../lib/profile.js';
import { serverInfo } from '../lib/redis.js';
import type { Session } from '../lib/sessions.js';
import { fmt, summarize } from '../lib/stats.js';
import { type FigureResult, emptyFigure } from '../types.js';
import { type BenchContext, cleanRedis, serverEnv, timeLeft, withPool, withServer, withSessions } from './context.js';
import { type CeilingRow, type HeartbeatCost, heartbeatCost, touchCeiling } from './f2-cost.js';

const TARGET_RATE = 20_000;
const TARGET_P99_MS = 50;

interface Step {
  offered: number;
  achieved: number;
  p50: number;
  p99: number;
  failed: number;
  skipped: number;
  cpu: Record<string, number>;
  genLoopP99: number;
  /** the whole machine's CPU in use over the step (% of all cores), and other processes' share */
  machinePct: number;
  othersPct: number;
  pass: boolean;
}

async function connectAll(pool: LoadPool, url: string, sessions: Session[]): Promise<void> {
  const c = await pool.connect(specsFor(sessions), { url, group: 'main', heartbeat: false, reconnect: 'none', concurrency: 50, timeoutMs: 20_000 });
  if (c.failed > 0) throw new Error(`figure 2: ${c.failed} connections failed: ${JSON.stringify(c.errors)}`);
}

async function step(pool: LoadPool, server: ServerProc, redisPid: number, rate: number, durationMs: number): Promise<Step> {
  const meter = new CpuMeter(redisPid > 0 ? { server: server.pid, redis: redisPid } : { server: server.pid });
  meter.begin();
  const snap0 = cpuSnapshot();
  const parts = await pool.all('rate', { perSecond: rate / pool.size, durationMs, ackTimeoutMs: 2_000 });
  const cpu = meter.end();
  const snap1 = cpuSnapshot();
  const cores = cpus().length;
  const machinePct = (100 * (snap1.busyMs - snap0.busyMs)) / ((snap1.at - snap0.at) * cores);
  const lat = summarize(parts.flatMap((p) => p.latencies));
  const acked = parts.reduce((s, p) => s + p.acked, 0);
  const failed = parts.reduce((s, p) => s + Object.values(p.failed).reduce((a, b) => a + b, 0), 0);
  const skipped = parts.reduce((s, p) => s + p.skipped, 0);
  const elapsed = Math.max(...parts.map((p) => p.elapsedMs));
  const achieved = acked / (elapsed / 1000);
  const pass = lat.p99 <= TARGET_P99_MS && achieved >= 0.95 * rate && failed <= acked * 0.001;
  return { offered: rate, achieved, p50: lat.p50, p99: lat.p99, failed, skipped, cpu, genLoopP99: Math.max(...parts.map((p) => p.loopDelayP99Ms)), machinePct, othersPct: othersCpuPct(snap0, snap1, cores), pass };
}

export async function figure2(ctx: BenchContext): Promise<FigureResult> {
  const fig = emptyFigure(2, 'Heartbeat cost', 'Redis commands and round trips per heartbeat; heartbeats/s', `>= ${TARGET_RATE.toLocaleString('en-US')} heartbeats/s on one server process with ack p99 <= ${TARGET_P99_MS} ms`);
  const conns = ctx.quick ? 200 : 2_000;
  const rates = ctx.quick ? [1_000, 2_000, 4_000] : [2_000, 4_000, 6_000, 8_000, 10_000, 12_500, 15_000, 20_000, 25_000];
  const stepMs = ctx.quick ? 3_000 : 5_000;
  const env = serverEnv(ctx, { EVENTS_PER_SECOND: '1000000' });
  const redis = ctx.storeKind === 'redis';
  const steps: Step[] = [];
  let cost: HeartbeatCost | null = null;
  let ceiling: CeilingRow[] = [];
  let users: Session[] = [];
  await cleanRedis(ctx);
  await withServer(ctx, env, (server) =>
    withSessions(ctx, env, server, (sessions) =>
      withPool(ctx, async (pool) => {
        users = await sessions.create(conns);
        await connectAll(pool, server.url, users);
        await pool.all('rate', { perSecond: 500 / pool.size, durationMs: 1_000, ackTimeoutMs: 5_000 }); // warm-up
        if (redis) cost = await heartbeatCost(ctx, pool, ctx.quick ? 2_000 : 10_000);
        const redisPid = redis ? (await serverInfo(ctx.redis.port)).pid : -1;
        for (const rate of rates) {
          if (steps.length >= 2 && timeLeft(ctx) < stepMs + 10_000) break;
          const s = await step(pool, server, redisPid, rate, stepMs);
          steps.push(s);
          ctx.log(`figure 2: ${rate}/s offered → ${fmt(s.achieved, 0)}/s, p99 ${fmt(s.p99)} ms, cpu ${JSON.stringify(s.cpu)}`);
          if (!s.pass) break;
          await sleep(500);
        }
        const u = users[0];
        if (redis && u) ceiling = await touchCeiling(ctx, env, u.id, ctx.quick ? 20_000 : 200_000);
      }),
    ),
  );

  // Profile the server at the first rate it could not sustain (or the top rate), separately so
  // the profiler's overhead does not touch the ramp's numbers.
  const failing = steps.find((s) => !s.pass) ?? steps.at(-1);
  if (failing && timeLeft(ctx) > stepMs + 40_000) {
    await cleanRedis(ctx);
    const profile = await withServer(ctx, env, (server) =>
      withSessions(ctx, env, server, (sessions) =>
        withPool(ctx, async (pool) => {
          await connectAll(pool, server.url, await sessions.create(conns));
          await pool.all('rate', { perSecond: 500 / pool.size, durationMs: 1_000, ackTimeoutMs: 5_000 }); // warm-up
          const url = inspectorUrl(server.tail());
          if (!url) throw new Error('the server printed no inspector URL');
          const inspector = await connectInspector(url);
          try {
            // Only the step itself: start-up, module loading and connecting stay out of it.
            await inspector.startProfile();
            await pool.all('rate', { perSecond: failing.offered / pool.size, durationMs: stepMs, ackTimeoutMs: 2_000 });
            return await inspector.stopProfile();
          } finally {
            inspector.close();
          }
        }),
      ),
    ['--inspect=127.0.0.1:0']);
    const file = join(mkdtempSync(join(tmpdir(), 'herenow-bench-prof-')), 'heartbeat.cpuprofile');
    writeFileSync(file, JSON.stringify(profile));
    const summary = summarizeProfile(profile);
    fig.blocks.push({ caption: `Server CPU profile of one ${stepMs / 1000} s step at ${failing.offered.toLocaleString('en-US')} heartbeats/s offered (${file})`, lines: renderProfile(summary) });
    const gc = summary.origins.find((o) => o.name === 'GC')?.pct ?? 0;
    const writes = summary.functions.find((f) => f.name.startsWith('writev'))?.pct ?? 0;
    fig.notes.push(
      `Profile at ${failing.offered.toLocaleString('en-US')}/s: the server’s main thread was idle ${summary.idlePct.toFixed(0)} % of the step, ` +
        `garbage collection took ${gc.toFixed(0)} % and socket writes (writev, one per ack) ${writes.toFixed(0)} %. ` +
        (summary.functions.some((f) => f.name.startsWith('createAbortSignal'))
          ? 'createAbortSignal/AbortSignal.timeout come from node-redis 5: its default per-command timeout (commandOptions.timeout 5000 ms) arms an AbortSignal.timeout for every command. '
          : '') +
        (summary.idlePct > 15
          ? 'With idle time left, the server was not CPU-bound by itself: the ack tail most likely comes from waiting for a core on the shared 2-core machine and from GC pauses.'
          : 'The main thread was saturated: the server process is the limit.'),
    );
  }

  const c = cost as HeartbeatCost | null;
  const ceil = ceiling.find((r) => r.what.startsWith('touch.lua, -P 1 '));
  fig.method = [
    `${conns} WebSocket clients over ${ctx.workers} worker threads; heartbeats sent open-loop (on the clock, not on acks) round-robin, each step ${stepMs / 1000} s; EVENTS_PER_SECOND raised so the per-connection limit never binds.`,
    'A step passes when ack p99 <= 50 ms, >= 95 % of the offered rate is acked and < 0.1 % fail; the ramp stops at the first failing step.',
    'CPU is % of one core per process over the step (server, redis-server, and the bench process = load generator); machine busy is % of all cores, with the share of processes outside the bench in brackets.',
    redis ? 'Commands per heartbeat: INFO commandstats delta over a burst of heartbeats minus an idle window of the same length (the server’s loops); Redis counts commands run inside a script under their own names, so round trips = EVALSHA/EVAL calls.' : 'Commandstats and the redis-benchmark ceiling need the Redis store: not measured on memory.',
  ];
  if (c) {
    fig.tables.push({
      caption: `Redis cost per heartbeat (${c.heartbeats} heartbeats)`,
      columns: ['command', 'calls per heartbeat', 'µs per call'],
      rows: [
        ...c.perCommand.map((p) => [p.command, fmt(p.perHeartbeat, 2), fmt(p.usecPerCall, 1)]),
        ['**total commands**', fmt(c.commandsPerHeartbeat, 2), ''],
        ['**round trips**', fmt(c.roundTripsPerHeartbeat, 2), ''],
        ['**Redis µs per heartbeat** (EVALSHA)', fmt(c.redisUsecPerHeartbeat, 1), ''],
      ],
    });
  }
  fig.tables.push({
    caption: 'Ramp: heartbeats/s offered vs sustained',
    columns: ['offered /s', 'acked /s', 'ack p50 ms', 'ack p99 ms', 'failed', 'not sent', 'CPU % server', 'CPU % redis', 'CPU % bench', 'machine busy % (others)', 'generator loop p99 ms', 'pass'],
    rows: steps.map((s) => [s.offered, fmt(s.achieved, 0), fmt(s.p50), fmt(s.p99), s.failed, s.skipped, s.cpu.server ?? null, s.cpu.redis ?? null, s.cpu.bench ?? null, `${fmt(s.machinePct, 0)} (${fmt(s.othersPct, 0)})`, fmt(s.genLoopP99, 1), s.pass ? 'yes' : 'no']),
  });
  if (ceiling.length) {
    fig.tables.push({
      caption: 'Ceiling: the same script straight from redis-benchmark (EVALSHA <sha1> 11 <keys of one session> <8 args>)',
      columns: ['script', 'requests/s', 'p50 ms', 'p99 ms'],
      rows: ceiling.map((r) => [r.what, fmt(r.rps, 0), fmt(r.p50), fmt(r.p99)]),
    });
  }

  const best = steps.filter((s) => s.pass).at(-1);
  const sustained = best?.achieved ?? 0;
  const stopper = steps.find((s) => !s.pass);
  fig.data = { conns, stepMs, cost: c, steps, ceiling, sustained };
  // A ramp that ended without a failing step did not find the limit (quick mode tops out low).
  fig.verdict = sustained >= TARGET_RATE ? 'met' : stopper ? 'missed' : 'partial';
  const limit = stopper
    ? `at ${stopper.offered.toLocaleString('en-US')}/s p99 was ${fmt(stopper.p99)} ms with the server at ${stopper.cpu.server ?? '?'} % of a core, Redis ${stopper.cpu.redis ?? '–'} %, load generator ${stopper.cpu.bench ?? '?'} %, the machine ${fmt(stopper.machinePct, 0)} % busy (${fmt(stopper.othersPct, 0)} % other processes)`
    : `the ramp ended at ${steps.at(-1)?.offered.toLocaleString('en-US') ?? '?'}/s (${ctx.quick ? 'quick mode’s top rate' : 'top rate or time budget'}) before a step failed, so this is a lower bound`;
  const piped = ceiling.find((r) => r.what.startsWith('touch.lua, -P 16'));
  const redisNote = ceil && piped
    ? ` Redis alone runs touch.lua at ${fmt(ceil.rps, 0)}/s (${fmt(piped.rps, 0)}/s pipelined 16 deep)` +
      (piped.rps < TARGET_RATE
        ? `: below the target by itself, so the script’s cost in Redis${c ? ` (${fmt(c.redisUsecPerHeartbeat, 0)} µs per call, ${fmt(c.commandsPerHeartbeat, 1)} commands)` : ''} caps this figure whatever the server does.`
        : ceil.rps > 1.5 * sustained ? ', well above what one server process sustained: Redis is not the limit.' : '.')
    : '';
  fig.verdictNote = sustained >= TARGET_RATE
    ? `${fmt(sustained, 0)} heartbeats/s sustained.${redisNote}`
    : `${fmt(sustained, 0)} heartbeats/s sustained, ${fmt(TARGET_RATE - sustained, 0)}/s (${fmt((100 * (TARGET_RATE - sustained)) / TARGET_RATE, 0)} %) short; ${limit}.${redisNote}`;
  return fig;
}
