/**
 * Figures 4 and 5 on one server and one population (1k, then 10k clients): how long a presence
 * change (a new client connecting) takes to reach every client's `realtime:stats`, and how many
 * bytes per second each client receives while users keep joining and leaving.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, RealtimeStats, ServerToClientEvents, StatsResponse } from '../../server/protocol.js';
import { type LoadPool, specsFor } from '../load/pool.js';
import { getJson, meanTickMs, scrape } from '../lib/http.js';
import { nowMs, sleep } from '../lib/procs.js';
import type { Session } from '../lib/sessions.js';
import { fmt, isFlat, summarize, type Summary } from '../lib/stats.js';
import { type FigureResult, emptyFigure } from '../types.js';
import { type BenchContext, cleanRedis, clientCap, serverEnv, timeLeft, withPool, withServer, withSessions } from './context.js';
import { churn, type BytesRow, bytesFigure } from './f5-bytes.js';

const STATS_INTERVAL_MS = 1_000;
const TARGET_MS = STATS_INTERVAL_MS + 250;

interface PropagationRow {
  size: number;
  all: Summary;
  /** per trial, the time until the last client had it */
  everyClient: Summary;
  missing: number;
  trials: number;
  /** mean duration of the server's broadcast ticks over the trials (store read + emit to every socket) */
  tickMs: number;
}

/** Polls GET /api/stats until onlineUsers == want (bounded); returns the last value seen. */
async function settle(url: string, want: number, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  let online = -1;
  while (Date.now() < until) {
    online = (await getJson<StatsResponse>(`${url}/api/stats`)).stats.onlineUsers;
    if (online === want) return online;
    await sleep(250);
  }
  return online;
}

async function propagation(pool: LoadPool, url: string, probes: Session[], size: number): Promise<PropagationRow> {
  const all: number[] = [];
  const every: number[] = [];
  let missing = 0;
  const before = await scrape(url);
  for (const probe of probes) {
    const online = (await getJson<StatsResponse>(`${url}/api/stats`)).stats.onlineUsers;
    await pool.all('arm', { atLeast: online + 1 });
    await sleep(Math.random() * STATS_INTERVAL_MS); // a random phase against the broadcast tick
    const t0 = nowMs();
    await pool.call(0, 'connect', { url, clients: specsFor([probe]), group: 'probe', heartbeat: true, reconnect: 'none', concurrency: 1, timeoutMs: 10_000 });
    const res = await pool.all('collect', { timeoutMs: 5_000 });
    const times = res.flatMap((r) => r.times.map((t) => t - t0));
    missing += res.reduce((s, r) => s + r.missing, 0);
    for (const t of times) all.push(t);
    if (times.length) every.push(Math.max(...times));
  }
  const tickMs = meanTickMs(before, await scrape(url));
  return { size, all: summarize(all), everyClient: summarize(every), missing, trials: probes.length, tickMs };
}

export async function figure45(ctx: BenchContext): Promise<FigureResult[]> {
  const f4 = emptyFigure(4, 'Propagation: presence change to every client', 'ms from a new client’s connect to each client receiving realtime:stats with the new onlineUsers', `p99 <= STATS_INTERVAL_MS + 250 ms = ${TARGET_MS} ms`);
  const cap = clientCap(ctx) - 100;
  const sizes = (ctx.quick ? [1_000] : [1_000, 10_000]).map((n) => Math.min(n, cap));
  const trials = ctx.quick ? 4 : 15;
  const windowMs = ctx.quick ? 6_000 : 20_000;
  const env = serverEnv(ctx, { HEARTBEAT_INTERVAL_MS: '10000', STALE_TIMEOUT_MS: '25000', STATS_INTERVAL_MS: String(STATS_INTERVAL_MS) });
  const prop: PropagationRow[] = [];
  const bytes: BytesRow[] = [];
  let sample: RealtimeStats | null = null;
  await cleanRedis(ctx);
  await withServer(ctx, env, (server) =>
    withSessions(ctx, env, server, (sessions) =>
      withPool(ctx, async (pool) => {
        const users = await sessions.create(Math.max(...sizes) + trials * sizes.length + 61);
        const observerSession = users.pop() as Session;
        const churners = users.splice(users.length - 60, 60);
        const probes = users.splice(users.length - trials * sizes.length, trials * sizes.length);
        // One observer in this thread keeps the last payload, to show what a broadcast carries.
        const observer: Socket<ServerToClientEvents, ClientToServerEvents> = io(server.url, {
          auth: { token: observerSession.token }, transports: ['websocket'], forceNew: true, reconnection: false,
        });
        observer.on('realtime:stats', (p) => void (sample = p));
        // It must heartbeat like any client, or the stale sweep would drop it mid-figure.
        const beat = setInterval(() => observer.emit('presence:heartbeat', {}, () => undefined), 5_000);
        let connected = 0;
        let probesUsed = 0;
        try {
          for (const size of sizes) {
            if (prop.length > 0 && timeLeft(ctx) < 60_000) break;
            const c = await pool.connect(specsFor(users.slice(connected, size)), {
              url: server.url, group: 'main', heartbeat: true, reconnect: 'none', concurrency: 100, timeoutMs: 30_000,
            });
            connected = size;
            ctx.log(`figure 4/5: ${size} clients (${c.failed} failed)`);
            // Everyone connected is online; earlier churners are gone once their leave grace passed.
            await settle(server.url, connected + probesUsed + 1, 30_000);
            await sleep(1_500);
            const row = await propagation(pool, server.url, probes.slice(probesUsed, probesUsed + trials), size);
            probesUsed += trials;
            prop.push(row);
            ctx.log(`figure 4: ${size} clients: p50 ${fmt(row.all.p50, 0)} ms, p99 ${fmt(row.all.p99, 0)} ms, missing ${row.missing}`);
            bytes.push({ size, ...(await churn(pool, server.url, churners, windowMs)) });
            ctx.log(`figure 5: ${size} clients: ${fmt(bytes.at(-1)?.total.mean, 0)} B/client/s`);
          }
        } finally {
          clearInterval(beat);
          observer.disconnect();
        }
      }),
    ),
  );

  f4.method = [
    `STATS_INTERVAL_MS = ${STATS_INTERVAL_MS}. Per trial one new client connects (the presence change) at a random phase of the broadcast tick; t0 is taken before its connect starts (handshake included, so the figure is an upper bound).`,
    `Every already-connected client notes when it first receives realtime:stats with onlineUsers >= the new count; ${trials} trials per size; “every client” is the per-trial maximum.`,
    'Clients run in the bench’s worker threads on the same 2 cores as the server: their own time to parse each frame is inside the number.',
  ];
  f4.tables.push({
    columns: ['clients', 'trials', 'p50 ms', 'p99 ms', 'max ms', 'every client p50 ms', 'every client p99 ms', 'never received', 'server broadcast tick ms (mean)'],
    rows: prop.map((r) => [r.size.toLocaleString('en-US'), r.trials, fmt(r.all.p50, 0), fmt(r.all.p99, 0), fmt(r.all.max, 0), fmt(r.everyClient.p50, 0), fmt(r.everyClient.p99, 0), r.missing, fmt(r.tickMs, 1)]),
  });
  f4.data = { statsIntervalMs: STATS_INTERVAL_MS, rows: prop };
  const last = prop.at(-1);
  if (!last) throw new Error('no size measured');
  const p99 = last.all.p99;
  const at = `at ${last.size.toLocaleString('en-US')} clients`;
  if (last.missing > 0) {
    f4.verdict = 'missed';
    f4.verdictNote = `${last.missing} client(s) never received the new count within 5 s ${at}; p99 of the rest ${fmt(p99, 0)} ms.`;
  } else if (p99 <= TARGET_MS) {
    f4.verdict = ctx.quick ? 'partial' : 'met';
    f4.verdictNote = `p99 ${fmt(p99, 0)} ms ${at} (every client: p99 ${fmt(last.everyClient.p99, 0)} ms).`;
  } else {
    f4.verdict = 'missed';
    f4.verdictNote = `p99 ${fmt(p99, 0)} ms ${at}: ${fmt(p99 - TARGET_MS, 0)} ms over ${TARGET_MS} ms. The broadcast interval alone accounts for up to ${STATS_INTERVAL_MS} ms; one broadcast tick (stats read + emit to every socket) took ${fmt(last.tickMs, 0)} ms on average, and the ${last.size.toLocaleString('en-US')} receiving clients parse every frame on the same 2 cores.`;
  }
  const f5 = bytesFigure(ctx, bytes, sample, windowMs);
  if (!ctx.quick && bytes.length >= 2) {
    const first = bytes[0];
    const lastB = bytes.at(-1);
    if (first && lastB && !isFlat(first.total.mean, lastB.total.mean, 0.25)) f5.notes.push('Bytes per client grow with N (more than 25 % from the smallest to the largest size).');
  }
  return [f4, f5];
}
