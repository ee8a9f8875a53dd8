/**
 * The load generator's RPC between the bench's main thread and its worker threads. One entry per
 * operation: what the main thread sends, what each worker answers. Times are absolute ms
 * (performance.timeOrigin + performance.now()), comparable across threads.
 */

/** How a client reconnects after losing its connection. */
export type ReconnectPolicy = 'none' | 'socketio' | 'backoff';

/** Which population a client belongs to; counters and reports can be limited to one. */
export type Group = 'main' | 'probe' | 'churn';

export interface ClientSpec {
  /** unique across the bench run */
  key: number;
  token: string;
}

export interface ConnectArgs {
  url: string;
  clients: ClientSpec[];
  group: Group;
  /** heartbeat at the server's interval (first beat at a random offset) */
  heartbeat: boolean;
  reconnect: ReconnectPolicy;
  /** connections in flight at once in this worker */
  concurrency: number;
  timeoutMs: number;
}

export interface ConnectResult {
  connected: number;
  failed: number;
  errors: Record<string, number>;
  /** ms per successful connection, from io() to connection:established */
  times: number[];
}

export interface RateArgs {
  /** heartbeats per second this worker sends, spread round-robin over its main clients */
  perSecond: number;
  durationMs: number;
  /** acks slower than this count as timeouts */
  ackTimeoutMs: number;
}

export interface RateResult {
  sent: number;
  acked: number;
  failed: Record<string, number>;
  /** sends skipped because too many were outstanding (the offered load could not be sent) */
  skipped: number;
  /** ack latencies (ms) */
  latencies: number[];
  elapsedMs: number;
  /** the worker's own event-loop delay p99 (ms): high means the generator itself saturated */
  loopDelayP99Ms: number;
}

export interface BytesResult {
  /** per client of the group: [key, realtime:stats frame bytes, other frame bytes, stats messages] */
  perClient: [number, number, number, number][];
  sinceMs: number;
}

export interface HeartbeatReport {
  latencies: number[];
  failed: number;
}

export interface StormRecord {
  key: number;
  /** first disconnect after storm-reset, or null */
  downAt: number | null;
  /** first connection:established after downAt, or null */
  upAt: number | null;
  attempts: number;
  /** connect_error messages with the time they happened */
  errors: [number, string][];
}

export interface Ops {
  connect: { args: ConnectArgs; result: ConnectResult };
  /** open-loop heartbeats at a fixed rate */
  rate: { args: RateArgs; result: RateResult };
  /** arms every main client to note when it first sees realtime:stats with onlineUsers >= atLeast */
  arm: { args: { atLeast: number }; result: { armed: number } };
  /** waits (bounded) until every armed client saw it; arrival times, and how many never did */
  collect: { args: { timeoutMs: number }; result: { times: number[]; missing: number } };
  bytes: { args: { group: Group; reset: boolean }; result: BytesResult };
  /** heartbeat ack latencies of the periodic heartbeats since the last reset */
  heartbeats: { args: { reset: boolean }; result: HeartbeatReport };
  /** clean disconnect of the listed clients (all of the group when keys is absent) */
  disconnect: { args: { group: Group; keys?: number[] }; result: { disconnected: number } };
  stormReset: { args: Record<string, never>; result: { clients: number } };
  /** the records, and this worker's own event-loop delay since stormReset (ms): a busy generator sees events late */
  stormReport: { args: Record<string, never>; result: { records: StormRecord[]; loopDelayP99Ms: number; loopDelayMaxMs: number } };
  count: { args: Record<string, never>; result: { connected: number; total: number } };
}

export type OpName = keyof Ops;

export type Request = { [K in OpName]: { id: number; op: K; args: Ops[K]['args'] } }[OpName];

export type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
