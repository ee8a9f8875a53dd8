/**
 * Figure 6: how long a user takes to go offline, as an observer's realtime:stats shows it, after
 * (a) a clean disconnect (goodbye), (b) its connection drops without a goodbye, (c) the client
 * freezes (stops heartbeating, keeps its TCP connection), (d) the server node holding its
 * connections is SIGKILLed while another node keeps serving.
 */
import { startServer, nowMs, sleep } from '../lib/procs.js';
import { openSocket, type OpenSocket } from '../lib/sock.js';
import { fmt, summarize } from '../lib/stats.js';
import { type FigureResult, type Table, emptyFigure } from '../types.js';
import { type BenchContext, cleanRedis, serverEnv, withServer, withSessions } from './context.js';

const HEARTBEAT_MS = 1_000;
const STALE_MS = 3_000;
const GRACE_MS = 2_000;
const LEASE_MS = 3_000;
const STATS_MS = 1_000;
/** The server's loop periods (server/app.ts): sweep every grace/4, liveness every stale/4. */
const SWEEP_MS = Math.max(20, Math.min(1_000, Math.floor(GRACE_MS / 4)));
const LIVENESS_MS = Math.max(20, Math.min(5_000, Math.floor(STALE_MS / 4)));
/** Processing and delivery on top of the timer periods (as figure 4's STATS_INTERVAL_MS + 250 ms). */
const DELIVERY_MS = 250;
/** Lease renewal and the expired-lease check run every NODE_LEASE_MS / 3 (server/app.ts). */
const LEASE_CHECK_MS = Math.max(100, Math.floor(LEASE_MS / 3));
const BOUND = {
  // A goodbye (socket.disconnect()) takes effect at once (PROTOCOL.md): only the broadcast tick remains.
  clean: STATS_MS + DELIVERY_MS,
  dropped: GRACE_MS + SWEEP_MS + STATS_MS + DELIVERY_MS,
  frozen: STALE_MS + LIVENESS_MS + GRACE_MS + SWEEP_MS + STATS_MS + DELIVERY_MS,
  killed: LEASE_MS + LEASE_CHECK_MS + GRACE_MS + SWEEP_MS + STATS_MS + DELIVERY_MS,
};
type Leave = 'clean' | 'dropped' | 'frozen';
const LABEL: Record<Leave, string> = {
  clean: 'clean disconnect (goodbye)',
  dropped: 'connection dropped (transport closed, no goodbye)',
  frozen: 'frozen client (no heartbeats, TCP kept)',
};
/** How long the crash case waits for the users to go offline before calling it not implemented. */
const KILL_WAIT_MS = BOUND.killed + 3_000;

/** Ends `s` the way `kind` says; resolves t0, the moment the server last heard from it. */
function leave(s: OpenSocket, kind: Leave): number {
  if (kind === 'clean') {
    const t0 = nowMs();
    s.close();
    return t0;
  }
  if (kind === 'dropped') {
    const t0 = nowMs();
    s.drop();
    return t0;
  }
  s.freeze();
  return s.lastBeatAt;
}

export async function figure6(ctx: BenchContext): Promise<FigureResult> {
  const f = emptyFigure(6, 'Leave and crash timing', 'ms from the event to the observer’s realtime:stats showing the user offline', 'each case within its configured bound (below); a SIGKILLed node’s users offline by lease expiry');
  const env = serverEnv(ctx, {
    HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS), STALE_TIMEOUT_MS: String(STALE_MS), LEAVE_GRACE_MS: String(GRACE_MS),
    NODE_LEASE_MS: String(LEASE_MS), STATS_INTERVAL_MS: String(STATS_MS),
  });
  const trials: Record<Leave, number> = ctx.quick ? { clean: 1, dropped: 1, frozen: 1 } : { clean: 5, dropped: 5, frozen: 3 };
  const plan = (Object.keys(trials) as Leave[]).flatMap((k) => Array.from({ length: trials[k] }, () => k));
  const killUsers = ctx.quick ? 10 : 100;
  const times: Record<Leave, number[]> = { clean: [], dropped: [], frozen: [] };
  const lost: string[] = [];
  let killed: { ms: number | null; users: number; stuckAt: number } | null = null;
  await cleanRedis(ctx);
  await withServer(ctx, env, (server) =>
    withSessions(ctx, env, server, async (sessions) => {
      const users = await sessions.create(1 + plan.length + killUsers);
      const observerUser = users.shift();
      if (!observerUser) throw new Error('no session');
      const observer = await openSocket(server.url, observerUser.token, HEARTBEAT_MS);
      try {
        const base = (await observer.until((n) => n === 1, 5_000)) !== null ? 1 : observer.online;
        for (const [i, kind] of plan.entries()) {
          const u = users.shift();
          if (!u) throw new Error('out of sessions');
          const s = await openSocket(server.url, u.token, HEARTBEAT_MS);
          await observer.until((n) => n === base + 1, 5_000);
          await sleep(1_500); // a few heartbeats, so every case starts from a live connection
          const t0 = leave(s, kind);
          const t1 = await observer.until((n) => n === base, BOUND[kind] * 3);
          if (t1 === null) lost.push(`${LABEL[kind]}, trial ${i}: still online after ${BOUND[kind] * 3} ms`);
          else times[kind].push(t1 - t0);
          s.close();
          await observer.until((n) => n === base, 5_000);
        }
        if (ctx.storeKind === 'redis') killed = await killNode(env, observer, users.splice(0, killUsers).map((x) => x.token), base);
      } finally {
        observer.close();
      }
    }),
  );

  f.method = [
    `Server settings: HEARTBEAT_INTERVAL_MS ${HEARTBEAT_MS}, STALE_TIMEOUT_MS ${STALE_MS}, LEAVE_GRACE_MS ${GRACE_MS}, NODE_LEASE_MS ${LEASE_MS}, STATS_INTERVAL_MS ${STATS_MS} (short, so the figure takes seconds; the bounds scale with them).`,
    'One observer client watches onlineUsers in realtime:stats; each subject is a fresh user. Clean: socket.disconnect() (the goodbye an app quit sends). Dropped: the WebSocket closes without a goodbye (as when the network goes). Frozen: the client stops sending heartbeats but keeps the WebSocket (engine.io still answers pings); t0 = its last heartbeat.',
    `Crash: a second server process on the same Redis holds ${killUsers} users; t0 = SIGKILL of that process; the observer stays on the first node.`,
    `Bounds from PROTOCOL.md and the server’s loop periods, each plus ${DELIVERY_MS} ms for processing and delivery: clean <= broadcast = ${BOUND.clean} ms (a goodbye takes effect at once); dropped <= grace + sweep (${SWEEP_MS} ms) + broadcast = ${BOUND.dropped} ms; frozen <= stale + liveness sweep (${LIVENESS_MS} ms) + grace + sweep + broadcast = ${BOUND.frozen} ms; crash <= lease + lease check (${LEASE_CHECK_MS} ms) + grace + sweep + broadcast = ${BOUND.killed} ms.`,
  ];
  const row = (name: string, xs: number[], bound: number): (string | number)[] => {
    const s = summarize(xs);
    return [name, xs.length, fmt(s.p50, 0), fmt(s.max, 0), bound, xs.length && s.max <= bound ? 'yes' : 'no'];
  };
  const k = killed as { ms: number | null; users: number; stuckAt: number } | null;
  const table: Table = { columns: ['case', 'trials', 'p50 ms', 'max ms', 'bound ms', 'within bound'], rows: (Object.keys(trials) as Leave[]).map((kind) => row(LABEL[kind], times[kind], BOUND[kind])) };
  if (k) table.rows.push(k.ms === null ? [`node SIGKILL (${k.users} users)`, 1, '–', '–', BOUND.killed, 'not implemented yet'] : row(`node SIGKILL (${k.users} users)`, [k.ms], BOUND.killed));
  else table.rows.push(['node SIGKILL', 0, '–', '–', BOUND.killed, 'n/a: two nodes need the Redis store']);
  f.tables.push(table);
  for (const l of lost) f.notes.push(l);
  f.data = { bounds: BOUND, ...times, killed: k, lost };
  const kinds = Object.keys(trials) as Leave[];
  const okLeave = kinds.every((kind) => times[kind].length === trials[kind] && Math.max(...times[kind]) <= BOUND[kind]);
  const leaveNote = kinds.map((kind) => `${kind} p50 ${fmt(summarize(times[kind]).p50, 0)} ms (bound ${BOUND[kind]})`).join(', ');
  if (!okLeave) {
    f.verdict = 'missed';
    f.verdictNote = `${leaveNote}; ${lost.length ? lost.join('; ') : 'a trial went over its bound'}.`;
  } else if (k && k.ms === null) {
    f.verdict = 'not-implemented';
    f.verdictNote = `${leaveNote}. Node crash: the SIGKILLed node’s ${k.users} users were still counted online ${fmt(KILL_WAIT_MS / 1000, 1)} s later (onlineUsers stayed at ${k.stuckAt}): node leases are not implemented in the server yet.`;
  } else if (!k) {
    f.verdict = 'partial';
    f.verdictNote = `${leaveNote}; the node-crash case needs Redis (memory store).`;
  } else {
    const ms = k.ms ?? Number.POSITIVE_INFINITY;
    f.verdict = ms <= BOUND.killed ? 'met' : 'missed';
    f.verdictNote = `${leaveNote}; node SIGKILL → offline in ${fmt(ms, 0)} ms (bound ${BOUND.killed}).`;
  }
  return f;
}

/** A second node with `tokens` connected; SIGKILL it and time until the observer sees them gone. */
async function killNode(env: Record<string, string>, observer: OpenSocket, tokens: string[], base: number) {
  const node = await startServer(env);
  const subjects: OpenSocket[] = [];
  try {
    for (const t of tokens) subjects.push(await openSocket(node.url, t, HEARTBEAT_MS));
    await observer.until((n) => n === base + tokens.length, 10_000);
    const t0 = nowMs();
    await node.stop('SIGKILL');
    const t1 = await observer.until((n) => n === base, KILL_WAIT_MS);
    return { ms: t1 === null ? null : t1 - t0, users: tokens.length, stuckAt: observer.online };
  } finally {
    for (const s of subjects) s.close();
    await node.stop('SIGKILL');
  }
}
