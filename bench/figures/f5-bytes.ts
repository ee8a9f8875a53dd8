/**
 * Figure 5: bytes per client per second while users join and leave. A pool of churn sessions
 * connects and disconnects on a fixed schedule; every main client counts the WebSocket frames it
 * receives (payload + frame header), split into realtime:stats and everything else.
 */
import type { RealtimeStats } from '../../server/protocol.js';
import type { ClientSpec } from '../load/messages.js';
import { type LoadPool, specsFor } from '../load/pool.js';
import { sleep } from '../lib/procs.js';
import type { Session } from '../lib/sessions.js';
import { fmt, isFlat, roundSummary, summarize, type Summary } from '../lib/stats.js';
import { type FigureResult, emptyFigure } from '../types.js';
import type { BenchContext } from './context.js';

const TARGET_BYTES = 1_024;
/** One churn action (a join or a leave) every this many ms: 5 joins and 5 leaves per second. */
const CHURN_STEP_MS = 100;
/** Churn users online at once; the rest wait long enough for their leave grace to pass. */
const CHURN_ONLINE = 10;

export interface BytesRow {
  size: number;
  windowS: number;
  joinsPerSec: number;
  leavesPerSec: number;
  /** bytes per client per second, all frames */
  total: Summary;
  /** bytes per client per second, realtime:stats frames only */
  stats: Summary;
  statsMsgsPerSec: number;
  bytesPerStatsMsg: number;
}

/** Runs churn for `windowMs` and measures the main clients' received bytes over it. */
export async function churn(pool: LoadPool, url: string, churners: Session[], windowMs: number): Promise<Omit<BytesRow, 'size'>> {
  const idle: ClientSpec[] = specsFor(churners);
  const on: ClientSpec[] = [];
  const worker = (spec: ClientSpec) => spec.key % pool.size;
  let joins = 0;
  let leaves = 0;
  await pool.all('bytes', { group: 'main', reset: true });
  const t0 = performance.now();
  for (let i = 0; performance.now() - t0 < windowMs && i < 100_000; i++) {
    const join = on.length < CHURN_ONLINE || (i % 2 === 0 && idle.length > 0);
    const spec = join ? idle.shift() : on.shift();
    if (spec && join) {
      await pool.call(worker(spec), 'connect', { url, clients: [spec], group: 'churn', heartbeat: false, reconnect: 'none', concurrency: 1, timeoutMs: 10_000 });
      on.push(spec);
      joins++;
    } else if (spec) {
      await pool.call(worker(spec), 'disconnect', { group: 'churn', keys: [spec.key] });
      idle.push(spec);
      leaves++;
    }
    await sleep(CHURN_STEP_MS);
  }
  const parts = await pool.all('bytes', { group: 'main', reset: false });
  const seconds = (performance.now() - t0) / 1000;
  await pool.all('disconnect', { group: 'churn' });
  const rows = parts.flatMap((p) => p.perClient.map(([, s, o, m]) => ({ s: s / (p.sinceMs / 1000), o: o / (p.sinceMs / 1000), m: m / (p.sinceMs / 1000), raw: s, msgs: m })));
  const msgs = rows.reduce((a, r) => a + r.msgs, 0);
  return {
    windowS: seconds,
    joinsPerSec: joins / seconds,
    leavesPerSec: leaves / seconds,
    total: summarize(rows.map((r) => r.s + r.o)),
    stats: summarize(rows.map((r) => r.s)),
    statsMsgsPerSec: summarize(rows.map((r) => r.m)).mean,
    bytesPerStatsMsg: msgs ? rows.reduce((a, r) => a + r.raw, 0) / msgs : Number.NaN,
  };
}

/** Builds figure 5 from the measured rows and one sample payload. */
export function bytesFigure(ctx: BenchContext, rows: BytesRow[], sample: RealtimeStats | null, windowMs: number): FigureResult {
  const f = emptyFigure(5, 'Broadcast bytes per client per second', 'bytes per client per second (WebSocket frames received: payload + frame header; TCP/IP excluded)', `<= ${TARGET_BYTES} B (1 KB) per client per second, flat in N`);
  f.method = [
    `Churn: ${CHURN_ONLINE} churn users online at a time out of a pool; one joins or leaves every ${CHURN_STEP_MS} ms (about 5 joins and 5 leaves per second; a leave shows after LEAVE_GRACE_MS), for ${windowMs / 1000} s per size. The numbers move every broadcast tick, so this is the busiest broadcast schedule (one realtime:stats per STATS_INTERVAL_MS).`,
    'Every main client counts the bytes of every engine.io packet it receives (socket.io-client engine `packet` event): 1 type byte + payload + 2–4 bytes of WebSocket frame header. Heartbeat acks and engine pings are in “all frames”.',
  ];
  f.tables.push({
    columns: ['clients', 'joins/s', 'leaves/s', 'all frames B/s mean', 'p99', 'realtime:stats B/s mean', 'realtime:stats msgs/s', 'B per realtime:stats'],
    rows: rows.map((r) => [
      r.size.toLocaleString('en-US'), fmt(r.joinsPerSec, 1), fmt(r.leavesPerSec, 1), fmt(r.total.mean, 0), fmt(r.total.p99, 0),
      fmt(r.stats.mean, 0), fmt(r.statsMsgsPerSec, 2), fmt(r.bytesPerStatsMsg, 0),
    ]),
  });
  let listShare = Number.NaN;
  if (sample) {
    const whole = Buffer.byteLength(JSON.stringify(sample));
    const list = Buffer.byteLength(JSON.stringify(sample.onlineUsers));
    listShare = (100 * list) / whole;
    f.blocks.push({
      caption: 'What one realtime:stats carries (a payload seen during the run)',
      lines: [
        `payload JSON ${whole} B, of which onlineUsers (${sample.onlineUsers.length} users) ${list} B = ${listShare.toFixed(0)} %`,
        `stats + timestamp + seq + degraded: ${whole - list} B`,
        `one onlineUsers entry: ${JSON.stringify(sample.onlineUsers[0] ?? null)}`,
      ],
    });
  }
  f.data = { windowMs, rows: rows.map((r) => ({ ...r, total: roundSummary(r.total), stats: roundSummary(r.stats) })), onlineUsersSharePct: listShare };
  const first = rows[0];
  const last = rows.at(-1);
  if (!first || !last) throw new Error('no size measured');
  const flat = isFlat(first.total.mean, last.total.mean, 0.25);
  const mean = last.total.mean;
  const at = `at ${last.size.toLocaleString('en-US')} clients`;
  if (ctx.quick && mean <= TARGET_BYTES) {
    f.verdict = 'partial';
    f.verdictNote = `${fmt(mean, 0)} B per client per second ${at} (quick mode: one size, flatness not shown).`;
  } else if (mean <= TARGET_BYTES && flat) {
    f.verdict = 'met';
    f.verdictNote = `${fmt(mean, 0)} B per client per second ${at}, flat in N.`;
  } else {
    f.verdict = 'missed';
    const why = Number.isFinite(listShare)
      ? ` Each realtime:stats is ~${fmt(last.bytesPerStatsMsg, 0)} B and arrives ${fmt(last.statsMsgsPerSec, 2)}×/s under churn; the recent-users list (onlineUsers, up to 20 users) is ${listShare.toFixed(0)} % of it, so the payload, not N, sets the rate${flat && rows.length > 1 ? ' (it is flat in N)' : ''}.`
      : '';
    f.verdictNote = `${fmt(mean, 0)} B per client per second ${at}: ${fmt(mean - TARGET_BYTES, 0)} B (${fmt((100 * (mean - TARGET_BYTES)) / TARGET_BYTES, 0)} %) over ${TARGET_BYTES} B.${why}`;
  }
  return f;
}
