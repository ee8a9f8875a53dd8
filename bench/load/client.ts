/**
 * One simulated user in a load worker: a real socket.io-client WebSocket connection that
 * heartbeats at the server's interval, counts the bytes of every frame it receives, notes when it
 * first sees a given onlineUsers, and records its disconnects and reconnects for the storm figure.
 */
import { io, type Socket } from 'socket.io-client';
import { firstBeatDelay, nextDelay } from '../../client/backoff.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/protocol.js';
import type { ClientSpec, Group, ReconnectPolicy, StormRecord } from './messages.js';

type BenchSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export const nowMs = () => performance.timeOrigin + performance.now();

/** Reconnect delays: socket.io-client's defaults, so both policies are compared on equal terms. */
const BASE_MS = 1_000;
const CAP_MS = 5_000;
/** Reconnect attempts one client makes before it gives up (bounds every storm). */
const MAX_ATTEMPTS = 100;
const HB_SAMPLES_MAX = 500_000;

/** State the clients of one worker share. */
export interface Shared {
  hbLatencies: number[];
  hbFailed: number;
  /** while arming for the propagation figure: the onlineUsers to wait for */
  armAtLeast: number | null;
}

/** WebSocket frame bytes for one engine.io packet: type char + payload + frame header (server frames are unmasked). */
function frameBytes(data: unknown): number {
  const len = typeof data === 'string' ? Buffer.byteLength(data) : data instanceof ArrayBuffer ? data.byteLength : 0;
  const payload = 1 + len;
  return payload + (payload < 126 ? 2 : payload < 65_536 ? 4 : 10);
}

/** socket.io-client's own backoff (±50 % jitter, then clamped to the cap), for refusals it does not retry itself. */
function socketIoDelay(attempt: number): number {
  const ms = BASE_MS * 2 ** Math.min(attempt, 20);
  const deviation = Math.random() * 0.5 * ms;
  return Math.min(CAP_MS, Math.floor(Math.random() < 0.5 ? ms - deviation : ms + deviation));
}

/**
 * A connect_error as one short string: the message plus, for transport failures, the socket
 * error code underneath (`websocket error` alone does not say refused from reset from timeout).
 */
function describe(err: Error): string {
  const d: unknown = (err as { description?: unknown }).description;
  const inner: unknown = d && typeof d === 'object' && 'error' in d ? (d as { error: unknown }).error : d;
  const code = inner && typeof inner === 'object' && 'code' in inner ? String((inner as { code: unknown }).code) : null;
  const msg = !code && inner && typeof inner === 'object' && 'message' in inner ? String((inner as { message: unknown }).message) : null;
  const detail = code ?? msg;
  return detail && detail !== err.message ? `${err.message}: ${detail}` : err.message;
}

export class LoadClient {
  socket: BenchSocket | null = null;
  connected = false;
  lastOnline = -1;
  gotAt: number | null = null;
  statsBytes = 0;
  otherBytes = 0;
  statsMsgs = 0;
  storm: StormRecord;
  private intervalMs = 30_000;
  private hbTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private closing = false;

  constructor(
    readonly spec: ClientSpec,
    readonly group: Group,
    private readonly shared: Shared,
    private readonly heartbeat: boolean,
    private readonly policy: ReconnectPolicy,
  ) {
    this.storm = { key: spec.key, downAt: null, upAt: null, attempts: 0, errors: [] };
  }

  /** Connects; resolves the ms until connection:established, rejects with the refusal's message. */
  connect(url: string, timeoutMs: number): Promise<number> {
    const t0 = nowMs();
    const socket: BenchSocket = io(url, {
      auth: { token: this.spec.token },
      transports: ['websocket'],
      forceNew: true,
      timeout: timeoutMs,
      reconnection: this.policy === 'socketio',
      reconnectionAttempts: MAX_ATTEMPTS,
      reconnectionDelay: BASE_MS,
      reconnectionDelayMax: CAP_MS,
    });
    this.socket = socket;
    // The engine is replaced on every reconnect: count the frames of each one.
    socket.io.on('open', () => socket.io.engine.on('packet', (p) => this.count(p.type, p.data)));
    socket.io.on('reconnect_attempt', () => this.storm.attempts++);
    socket.on('realtime:stats', (p) => {
      this.lastOnline = p.stats.onlineUsers;
      const want = this.shared.armAtLeast;
      if (want !== null && this.gotAt === null && p.stats.onlineUsers >= want) this.gotAt = nowMs();
    });
    socket.on('disconnect', (reason) => this.onDisconnect(reason));
    const first = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      socket.once('connection:established', () => {
        clearTimeout(timer);
        resolve(nowMs() - t0);
      });
      socket.once('connect_error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    socket.on('connection:established', (p) => {
      this.connected = true;
      this.attempt = 0;
      this.intervalMs = p.heartbeatIntervalMs;
      this.lastOnline = p.stats.onlineUsers;
      if (this.storm.downAt !== null && this.storm.upAt === null) this.storm.upAt = nowMs();
      if (this.heartbeat) this.schedule(firstBeatDelay(this.intervalMs, Math.random));
    });
    socket.on('connect_error', (err) => {
      this.storm.errors.push([nowMs(), describe(err)]);
      // A middleware refusal (it carries `data`) is never retried by socket.io itself; transport
      // failures are, under the 'socketio' policy. Everything else retries here, with full jitter.
      const refused = 'data' in err && err.data !== undefined;
      if (this.storm.downAt !== null && (this.policy === 'backoff' || (this.policy === 'socketio' && refused))) this.retry();
    });
    return first.catch((err: unknown) => {
      if (this.storm.downAt === null) this.close();
      throw err;
    });
  }

  /** One heartbeat with an ack timeout; latency (ms) or null on failure. */
  send(timeoutMs: number, done: (latencyMs: number | null, error: string | null) => void): void {
    const socket = this.socket;
    if (!socket || !this.connected) return done(null, 'not_connected');
    const t0 = nowMs();
    socket.timeout(timeoutMs).emit('presence:heartbeat', {}, (err, res) => {
      if (err) return done(null, 'timeout');
      if (!res.ok) return done(null, res.error.code);
      done(nowMs() - t0, null);
    });
  }

  close(): void {
    this.closing = true;
    this.connected = false;
    if (this.hbTimer) clearTimeout(this.hbTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket?.disconnect();
    this.socket?.io.engine?.close();
  }

  private count(type: string, data: unknown): void {
    const bytes = frameBytes(data);
    if (type === 'message' && typeof data === 'string' && data.startsWith('2["realtime:stats"')) {
      this.statsBytes += bytes;
      this.statsMsgs++;
    } else {
      this.otherBytes += bytes;
    }
  }

  private schedule(delayMs: number): void {
    if (this.hbTimer) clearTimeout(this.hbTimer);
    this.hbTimer = setTimeout(() => {
      if (!this.connected || this.closing) return;
      this.send(10_000, (ms, error) => {
        if (ms !== null && this.shared.hbLatencies.length < HB_SAMPLES_MAX) this.shared.hbLatencies.push(ms);
        if (error !== null && error !== 'not_connected') this.shared.hbFailed++;
      });
      this.schedule(this.intervalMs);
    }, delayMs);
  }

  private onDisconnect(reason: string): void {
    this.connected = false;
    if (this.hbTimer) clearTimeout(this.hbTimer);
    if (this.closing || reason === 'io client disconnect') return;
    if (this.storm.downAt === null) this.storm.downAt = nowMs();
    if (this.policy === 'backoff') this.retry();
  }

  /** Next reconnect attempt after a full-jitter delay (client/backoff.ts), bounded in count. */
  private retry(): void {
    if (this.closing || this.attempt >= MAX_ATTEMPTS) return;
    const delay = this.policy === 'backoff' ? nextDelay(this.attempt++, BASE_MS, CAP_MS, Math.random) : socketIoDelay(this.attempt++);
    if (this.policy === 'backoff') this.storm.attempts++;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.closing && !this.connected) this.socket?.connect();
    }, delay);
  }
}
