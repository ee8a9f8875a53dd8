/**
 * Figure 7: N clients reconnecting after the server process restarts on the same port (SIGTERM,
 * as in a deploy, then a new process). Per client: time from the restart signal to its next
 * connection:established, reconnect attempts and connect errors. Once with client/backoff.ts's
 * full-jitter delays, once with socket.io-client's default reconnection.
 */
import type { ReconnectPolicy, StormRecord } from '../load/messages.js';
import { type LoadPool, specsFor } from '../load/pool.js';
import { meanTickMs, scrape } from '../lib/http.js';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { CpuMeter, cpuSnapshot, freeFixedPort, listenDrops, nowMs, type ServerProc, sleep, startServer } from '../lib/procs.js';
import type { Session } from '../lib/sessions.js';
import { fmt, histogram, linearEdges, renderHistogram, summarize, type Summary } from '../lib/stats.js';
import { type FigureResult, emptyFigure } from '../types.js';
import { type BenchContext, cleanRedis, clientCap, serverEnv, timeLeft, withPool, withSessions } from './context.js';

/** net.ipv4.tcp_abort_on_overflow: '1' makes a full accept queue answer with a reset. */
function abortOnOverflow(): string {
  try {
    return readFileSync('/proc/sys/net/ipv4/tcp_abort_on_overflow', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** Longest wait for everyone to be back after the new server listens (the backoff cap is 5 s). */
const stormTimeoutMs = (ctx: BenchContext) => (ctx.quick ? 30_000 : 60_000);

interface StormRow {
  policy: ReconnectPolicy;
  clients: number;
  back: number;
  /** ms from the signal to each client's connection:established */
  sinceSignal: Summary;
  /** ms from the new server listening to each client's connection:established */
  sinceUp: Summary;
  allBackMs: number;
  /** SIGTERM until the old process exited */
  stopMs: number;
  /** SIGTERM until the new process listened */
  downMs: number;
  attempts: Summary;
  errorsWhileDown: Record<string, number>;
  errorsAfterUp: Record<string, number>;
  histogram: string[];
  /** the new server while clients came back: CPU % of one core, mean broadcast tick, connections/s */
  recoveryCpu: number;
  /** the load generator (bench process) and the whole machine over the same time, % */
  benchCpu: number;
  machinePct: number;
  tickMs: number;
  acceptPerSec: number;
  /** the load generator's worst event-loop delay during the storm */
  genLoopMaxMs: number;
  /** SYNs the kernel dropped for a full accept queue during the storm (machine-wide counter) */
  listenDrops: number;
}

/**
 * connect_error messages counted by `when` they happened. A refusal (ECONNREFUSED) can only come
 * from the closed port: the kernel drops, never refuses, SYNs to a listening socket whose queue
 * is full unless net.ipv4.tcp_abort_on_overflow is set. So with it unset, refusals count as
 * "while down" whenever a busy generator thread got to see them.
 */
function tally(records: StormRecord[], upAt: number, when: 'down' | 'up'): Record<string, number> {
  const refusalMeansDown = abortOnOverflow() === '0';
  const out: Record<string, number> = {};
  for (const r of records) {
    for (const [t, msg] of r.errors) {
      const down = t < upAt || (refusalMeansDown && msg.includes('ECONNREFUSED'));
      if (down === (when === 'down')) out[msg] = (out[msg] ?? 0) + 1;
    }
  }
  return out;
}

async function storm(ctx: BenchContext, pool: LoadPool, server: ServerProc, env: Record<string, string>, users: Session[], policy: ReconnectPolicy) {
  const c = await pool.connect(specsFor(users), { url: server.url, group: 'main', heartbeat: true, reconnect: policy, concurrency: 100, timeoutMs: 30_000 });
  ctx.log(`figure 7 (${policy}): ${c.connected} connected, restarting the server`);
  await sleep(2_000);
  await pool.all('stormReset', {});
  const drops0 = listenDrops();
  const t0 = nowMs();
  await server.stop('SIGTERM', 15_000);
  const stopped = nowMs();
  const restarted = await startServer({ ...env, PORT: String(server.port) });
  const meter = new CpuMeter({ server: restarted.pid });
  meter.begin();
  const snap0 = cpuSnapshot();
  const metrics0 = await scrape(restarted.url);
  const until = Date.now() + stormTimeoutMs(ctx);
  while (Date.now() < until) {
    const counts = await pool.all('count', {});
    if (counts.reduce((s, x) => s + x.connected, 0) >= c.connected) break;
    await sleep(250);
  }
  const used = meter.end();
  const snap1 = cpuSnapshot();
  const machinePct = (100 * (snap1.busyMs - snap0.busyMs)) / ((snap1.at - snap0.at) * cpus().length);
  const tickMs = meanTickMs(metrics0, await scrape(restarted.url));
  const drops = listenDrops().drops - drops0.drops;
  const reports = await pool.all('stormReport', {});
  const records = reports.flatMap((r) => r.records);
  const genLoopMaxMs = Math.max(...reports.map((r) => r.loopDelayMaxMs));
  await pool.all('disconnect', { group: 'main' });
  const back = records.filter((r) => r.upAt !== null).map((r) => (r.upAt as number) - t0);
  const s = summarize(back);
  const row: StormRow = {
    policy,
    clients: c.connected,
    back: back.length,
    sinceSignal: s,
    sinceUp: summarize(back.map((b) => b - (restarted.readyAt - t0))),
    allBackMs: back.length === c.connected ? s.max : Number.NaN,
    stopMs: stopped - t0,
    downMs: restarted.readyAt - t0,
    attempts: summarize(records.map((r) => r.attempts)),
    errorsWhileDown: tally(records, restarted.readyAt, 'down'),
    errorsAfterUp: tally(records, restarted.readyAt, 'up'),
    recoveryCpu: used.server ?? Number.NaN,
    benchCpu: used.bench ?? Number.NaN,
    machinePct,
    tickMs,
    genLoopMaxMs,
    listenDrops: drops,
    acceptPerSec: back.length / Math.max(0.001, (s.max - (restarted.readyAt - t0)) / 1000),
    histogram: back.length ? renderHistogram(histogram(back, linearEdges(s.max, 12, 250)), 'ms') : ['no client came back'],
  };
  return { row, server: restarted };
}

export async function figure7(ctx: BenchContext): Promise<FigureResult> {
  const f = emptyFigure(7, 'Reconnect storm after a server restart', 'ms from the restart signal (SIGTERM) to each client’s connection:established', 'no numeric target in the issue; checked here: every client back, and no errors once the new server listens');
  const n = Math.min(ctx.quick ? 1_000 : 10_000, clientCap(ctx));
  const env = serverEnv(ctx, { HEARTBEAT_INTERVAL_MS: '10000', STALE_TIMEOUT_MS: '25000' });
  const rows: StormRow[] = [];
  await cleanRedis(ctx);
  // The port is kept across the restart, so it must be one no reconnecting client can take meanwhile.
  let server = await startServer({ ...env, PORT: String(await freeFixedPort()) });
  try {
    await withSessions(ctx, env, server, (sessions) =>
      withPool(ctx, async (pool) => {
        const users = await sessions.create(n);
        // Quick (CI) mode runs the client's own policy only; full mode compares both.
        const policies: ReconnectPolicy[] = ctx.quick ? ['backoff'] : ['backoff', 'socketio'];
        for (const policy of policies) {
          if (rows.length > 0 && timeLeft(ctx) < 30_000) break;
          const out = await storm(ctx, pool, server, env, users, policy);
          server = out.server;
          rows.push(out.row);
          ctx.log(`figure 7 (${policy}): ${out.row.back}/${out.row.clients} back, all by ${fmt(out.row.allBackMs, 0)} ms`);
          await sleep(1_000);
        }
      }),
    );
  } finally {
    await server.stop('SIGTERM', 15_000);
  }

  const name = (p: ReconnectPolicy) => (p === 'backoff' ? 'client/backoff.ts full jitter (1 s base, 5 s cap)' : 'socket.io-client default (1 s, ×2, ±50 %, 5 s cap)');
  f.method = [
    `${n.toLocaleString('en-US')} clients heartbeating; the server gets SIGTERM (graceful: closes the sockets, drops its connections from the store) and a new process starts on the same port at once.`,
    'Errors are attributed to “while down” or “after up” by when the client saw them, except refusals (ECONNREFUSED): only a closed port refuses, so they count as “while down” even when a busy load-generator thread (its worst event-loop delay is in the table) saw them after the listen.',
    'All times in ms after the SIGTERM unless named otherwise. Per client, “back” = its next connection:established after the restart (presence registered again), timed from the signal. Errors are connect_error messages: while the port is closed they are expected (connection refused); after the new server listens they are refusals or timeouts.',
    ctx.storeKind === 'memory' ? 'Memory store: the restart loses every session, so no client can come back (session_not_found) — a property of the memory store, shown as measured.' : 'Redis store: sessions and tokens survive the restart.',
  ];
  f.tables.push({
    columns: ['reconnect policy', 'clients', 'back', 'old server exited', 'new server listening', 'back p50', 'p90', 'p99', 'all back', 'all back after listening', 'attempts p50/max', 'while they came back: CPU % new server / load generator / machine', 'broadcast tick ms (mean)', 'reconnects/s', 'SYNs dropped (listen queue full)', 'generator loop delay max ms', 'errors while down', 'errors after up'],
    rows: rows.map((r) => [
      name(r.policy), r.clients, r.back, fmt(r.stopMs, 0), fmt(r.downMs, 0), fmt(r.sinceSignal.p50, 0), fmt(r.sinceSignal.p90, 0), fmt(r.sinceSignal.p99, 0),
      fmt(r.allBackMs, 0), fmt(r.back === r.clients ? r.sinceUp.max : Number.NaN, 0), `${fmt(r.attempts.p50, 0)}/${fmt(r.attempts.max, 0)}`, `${fmt(r.recoveryCpu, 0)} / ${fmt(r.benchCpu, 0)} / ${fmt(r.machinePct, 0)}`, fmt(r.tickMs, 0), fmt(r.acceptPerSec, 0), r.listenDrops, fmt(r.genLoopMaxMs, 0),
      JSON.stringify(r.errorsWhileDown), JSON.stringify(r.errorsAfterUp),
    ]),
  });
  for (const r of rows) f.blocks.push({ caption: `Reconnect times, ${name(r.policy)} (ms after SIGTERM)`, lines: r.histogram });
  f.data = { clients: n, rows: rows.map(({ histogram: _h, ...rest }) => rest) };
  const bad = rows.filter((r) => r.back < r.clients || Object.keys(r.errorsAfterUp).length > 0);
  const secs = (ms: number) => fmt(ms / 1000, 1);
  const summary = rows
    .map((r) =>
      `${r.policy}: ${r.back}/${r.clients} back` +
      (r.back === r.clients
        ? `, all by ${secs(r.allBackMs)} s after SIGTERM (${secs(r.sinceUp.max)} s after the new server listened, p50 ${secs(r.sinceSignal.p50)} s)`
        : ` within ${secs(stormTimeoutMs(ctx))} s of the new server listening`) +
      `, ${fmt(r.acceptPerSec, 0)} reconnects/s with the new server at ${fmt(r.recoveryCpu, 0)} % of a core, the machine ${fmt(r.machinePct, 0)} % busy, ${fmt(r.tickMs, 0)} ms broadcast ticks`)
    .join('; ');
  if (rows.length === 0) throw new Error('no storm measured');
  f.verdict = bad.length ? 'missed' : ctx.quick ? 'partial' : 'met';
  const dropped = rows.filter((r) => r.listenDrops > 0);
  f.verdictNote =
    `${summary}.${bad.length ? ` Errors after the server was up: ${bad.map((r) => `${r.policy} ${JSON.stringify(r.errorsAfterUp)}`).join('; ')}.` : ''}` +
    (dropped.length
      ? ` The kernel dropped ${dropped.map((r) => `${r.listenDrops} (${r.policy})`).join(' / ')} SYNs because the server’s accept queue was full (Node’s default listen backlog is 511): such a client waits for TCP’s SYN retransmits (1, 3, 7, 15, 31 s), which is the late tail of the histograms.`
      : '');
  return f;
}
