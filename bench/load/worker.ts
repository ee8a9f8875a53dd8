/**
 * A load-generator worker thread: owns a share of the simulated clients and answers the main
 * thread's RPC (messages.ts). Every wait here is bounded by a timeout from the request.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { LoadClient, type Shared, nowMs } from './client.js';
import type { Group, Ops, Reply, Request } from './messages.js';

const port = parentPort;
if (!port) throw new Error('bench/load/worker.ts must run as a worker thread');

const clients = new Map<number, LoadClient>();
const shared: Shared = { hbLatencies: [], hbFailed: 0, armAtLeast: null };
let bytesSince = nowMs();
const stormLoop = monitorEventLoopDelay({ resolution: 20 });

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const inGroup = (group: Group) => [...clients.values()].filter((c) => c.group === group);

/** Runs `task` over `items` with at most `concurrency` in flight. */
async function lanes<T>(items: T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

const handlers: { [K in keyof Ops]: (args: Ops[K]['args']) => Promise<Ops[K]['result']> } = {
  async connect(a) {
    const result: Ops['connect']['result'] = { connected: 0, failed: 0, errors: {}, times: [] };
    await lanes(a.clients, a.concurrency, async (spec) => {
      const client = new LoadClient(spec, a.group, shared, a.heartbeat, a.reconnect);
      clients.set(spec.key, client);
      try {
        result.times.push(await client.connect(a.url, a.timeoutMs));
        result.connected++;
      } catch (err) {
        clients.delete(spec.key);
        result.failed++;
        const msg = err instanceof Error ? err.message : String(err);
        result.errors[msg] = (result.errors[msg] ?? 0) + 1;
      }
    });
    return result;
  },

  async rate(a) {
    const targets = inGroup('main').filter((c) => c.connected);
    if (targets.length === 0) throw new Error('rate: no connected clients');
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const res: Ops['rate']['result'] = { sent: 0, acked: 0, failed: {}, skipped: 0, latencies: [], elapsedMs: 0, loopDelayP99Ms: 0 };
    // Open loop: sends follow the clock, not the acks, so a slow server shows as latency.
    const maxOutstanding = Math.max(1_000, Math.ceil(a.perSecond * (a.ackTimeoutMs / 1000)));
    let outstanding = 0;
    let rr = 0;
    let offered = 0;
    const t0 = nowMs();
    const done = (ms: number | null, error: string | null) => {
      outstanding--;
      if (ms !== null) {
        res.acked++;
        res.latencies.push(ms);
      } else {
        const code = error ?? 'unknown';
        res.failed[code] = (res.failed[code] ?? 0) + 1;
      }
    };
    while (nowMs() - t0 < a.durationMs) {
      const due = Math.floor(((nowMs() - t0) / 1000) * a.perSecond);
      for (; offered < due; offered++) {
        if (outstanding >= maxOutstanding) {
          res.skipped++;
          continue;
        }
        const client = targets[rr++ % targets.length] as LoadClient;
        outstanding++;
        res.sent++;
        client.send(a.ackTimeoutMs, done);
      }
      await sleep(2);
    }
    res.elapsedMs = nowMs() - t0;
    const drainUntil = nowMs() + a.ackTimeoutMs + 1_000;
    while (outstanding > 0 && nowMs() < drainUntil) await sleep(10);
    loop.disable();
    res.loopDelayP99Ms = loop.percentile(99) / 1e6;
    return res;
  },

  async arm(a) {
    const main = inGroup('main');
    for (const c of main) c.gotAt = c.lastOnline >= a.atLeast ? nowMs() : null;
    shared.armAtLeast = a.atLeast;
    return { armed: main.length };
  },

  async collect(a) {
    const main = inGroup('main').filter((c) => c.connected);
    const until = nowMs() + a.timeoutMs;
    while (nowMs() < until && main.some((c) => c.gotAt === null)) await sleep(50); // gotAt is stamped by the event itself
    shared.armAtLeast = null;
    const times = main.flatMap((c) => (c.gotAt === null ? [] : [c.gotAt]));
    return { times, missing: main.length - times.length };
  },

  async bytes(a) {
    const perClient: [number, number, number, number][] = inGroup(a.group).map((c) => [c.spec.key, c.statsBytes, c.otherBytes, c.statsMsgs]);
    const sinceMs = nowMs() - bytesSince;
    if (a.reset) {
      for (const c of clients.values()) {
        c.statsBytes = 0;
        c.otherBytes = 0;
        c.statsMsgs = 0;
      }
      bytesSince = nowMs();
    }
    return { perClient, sinceMs };
  },

  async heartbeats(a) {
    const out = { latencies: shared.hbLatencies, failed: shared.hbFailed };
    if (a.reset) {
      shared.hbLatencies = [];
      shared.hbFailed = 0;
    }
    return out;
  },

  async disconnect(a) {
    const keys = a.keys ? new Set(a.keys) : null;
    let disconnected = 0;
    for (const c of inGroup(a.group)) {
      if (keys && !keys.has(c.spec.key)) continue;
      c.close();
      clients.delete(c.spec.key);
      disconnected++;
    }
    return { disconnected };
  },

  async stormReset() {
    stormLoop.reset();
    stormLoop.enable();
    for (const c of clients.values()) c.storm = { key: c.spec.key, downAt: null, upAt: null, attempts: 0, errors: [] };
    return { clients: clients.size };
  },

  async stormReport() {
    stormLoop.disable();
    const records = [...clients.values()].map((c) => c.storm);
    return { records, loopDelayP99Ms: stormLoop.percentile(99) / 1e6, loopDelayMaxMs: stormLoop.max / 1e6 };
  },

  async count() {
    let connected = 0;
    for (const c of clients.values()) if (c.connected) connected++;
    return { connected, total: clients.size };
  },
};

port.on('message', (req: Request) => {
  const handler = handlers[req.op] as (args: unknown) => Promise<unknown>;
  handler(req.args).then(
    (result) => port.postMessage({ id: req.id, ok: true, result } satisfies Reply),
    (err: unknown) => port.postMessage({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies Reply),
  );
});
