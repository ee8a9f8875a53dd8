/**
 * The connection lifecycle under PresenceClient: one socket at a time, a fresh one per attempt
 * (Socket.IO's reconnection is off), our full-jitter backoff, token refresh on `token_expired`,
 * session loss (recreate or go offline), the heartbeat, and sleep/wake. What the connection
 * carries (stats, chat, ...) is the host's business: it binds its handlers to every new socket.
 */
import type { ClientEventName, ConnectionEstablished, PublicUser, SessionEnded } from '../server/protocol.js';
import { firstBeatDelay, nextDelay } from './backoff.js';
import { Timer } from './clock.js';
import { AckTimeoutError, closeSocket, openSocket, request, type OkOf, type PayloadOf, type PresenceSocket } from './connection.js';
import { ClientError, connectErrorCode, toClientError } from './errors.js';
import { WallClockGapDetector } from './gap-detector.js';
import { HeartbeatTimer } from './heartbeat.js';
import type { ResolvedOptions, WakeCause } from './options.js';
import { isSessionGone, type GuestSession } from './session.js';
import type { Live, LinkHost } from './link-host.js';
import type { SessionLossReason } from './types.js';

/** The one connection to the server, kept alive (see the file comment). */
export class Link {
  private readonly heartbeat: HeartbeatTimer;
  private readonly gapDetector: WallClockGapDetector;
  private readonly retry: Timer;
  private socket: PresenceSocket | null = null;
  /** bumped whenever the current socket is dropped: events and answers of older ones are ignored */
  private gen = 0;
  private running = false;
  private paused = false;
  /** the session is gone and may not be recreated: nothing reconnects until replaceSession() */
  private halted = false;
  private connecting = false;
  private attempt = 0;
  private refreshedThisAttempt = false;
  private wakeStartedAt: number | null = null;
  private wakeBeatFrom: number | null = null;
  private lastEstablishedAt = -Infinity;
  private connectedOnce = false;
  private pendingRecreate: { reason: SessionLossReason; previousUser: PublicUser | null } | null = null;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly o: ResolvedOptions,
    private readonly session: GuestSession,
    private readonly host: LinkHost,
    private nextUsername: string | undefined,
  ) {
    this.heartbeat = new HeartbeatTimer(o.clock, () => this.beat());
    this.gapDetector = new WallClockGapDetector(o.clock, o.gapCheckMs, (late) => this.wake('gap', late));
    this.retry = new Timer(o.clock);
  }

  /** Connects; resolves once connected, retrying, or offline. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.gapDetector.start();
    await this.connectSettled();
  }

  /** Closes the socket for good and stops every timer. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.paused = false;
    this.retry.cancel();
    this.gapDetector.stop();
    await this.dropSocket();
    this.host.connection({ status: 'idle' });
    this.settle();
  }

  /** Sleep: stop the heartbeat and any pending retry; idempotent. */
  pause(): void {
    if (!this.running || this.paused) return;
    this.paused = true;
    this.heartbeat.stop();
    this.retry.cancel();
    this.host.connection({ status: 'paused' });
  }

  /** resume(), a wall-clock gap, or a missed ack: the socket may be dead though it looks open. */
  wake(cause: WakeCause, lateByMs: number | null): void {
    if (!this.running || this.halted) return;
    if (this.connecting && this.wakeStartedAt !== null) return; // a wake is already connecting
    const fresh = this.o.clock.now() - this.lastEstablishedAt < this.o.wakeDebounceMs;
    if (cause === 'resume' && !this.paused && fresh) return;
    this.paused = false;
    this.attempt = 0;
    this.wakeStartedAt = this.o.clock.now();
    this.host.diag({ type: 'wake', cause, lateByMs });
    void this.connect();
  }

  /** Runs `replace` (which ends or forgets the session) with no socket open, then connects anew
   * with a generated name; if `replace` fails, reconnects with the old session and rethrows. */
  async replaceSession(replace: () => Promise<void>): Promise<void> {
    if (!this.running) throw new ClientError('unavailable', 'the client is not started');
    this.retry.cancel();
    await this.dropSocket(); // first, so the server's `session:ended` reaches no socket of ours
    this.halted = false;
    this.pendingRecreate = null;
    try {
      await replace();
    } catch (err) {
      void this.connect();
      throw toClientError(err);
    }
    this.nextUsername = undefined;
    this.attempt = 0;
    this.host.sessionReset();
    await this.connectSettled();
  }

  /** Emits on the current socket and waits for the ack; a missed ack starts a liveness check. */
  async request<E extends ClientEventName>(event: E, payload: PayloadOf<E>): Promise<OkOf<E>> {
    const socket = this.socket;
    if (!socket) throw new ClientError('unavailable', `${event}: not connected`);
    const gen = this.gen;
    try {
      return await request(socket, event, payload, this.o.ackTimeoutMs);
    } catch (err) {
      if (err instanceof AckTimeoutError && gen === this.gen) {
        this.host.diag({ type: 'ack_timeout', event });
        this.wake('ack_timeout', null);
      }
      throw err;
    }
  }

  private connectSettled(): Promise<void> {
    const settled = new Promise<void>((resolve) => this.waiters.push(resolve));
    void this.connect();
    return settled;
  }

  private async connect(): Promise<void> {
    this.retry.cancel();
    void this.dropSocket();
    const gen = this.gen;
    this.connecting = true;
    this.host.connection({ status: 'connecting', attempt: this.attempt + 1 });
    let token: string;
    try {
      token = (await this.session.ensure(this.nextUsername)).token;
    } catch (err) {
      if (gen === this.gen) this.scheduleReconnect(toClientError(err).message);
      return;
    }
    if (gen !== this.gen || !this.running) return;
    const socket = openSocket({ serverUrl: this.o.serverUrl, token, connectTimeoutMs: this.o.connectTimeoutMs });
    this.socket = socket;
    this.host.diag({ type: 'socket_opened', attempt: this.attempt + 1 });
    // Socket.IO's `timeout` covers the transport, not the wait for `connection:established`.
    this.o.clock.setTimeout(() => {
      if (gen === this.gen && this.connecting) this.onConnectError(new Error('no connection:established in time'));
    }, 2 * this.o.connectTimeoutMs);
    const live: Live = (fn) => (a) => {
      if (gen === this.gen) fn(a);
    };
    socket.on('connect_error', live((err) => this.onConnectError(err)));
    socket.on('disconnect', live((reason) => this.onDisconnect(reason)));
    socket.on('connection:established', live((e) => this.onEstablished(e)));
    socket.on('session:ended', live((p: SessionEnded) => void this.sessionLost(p.reason)));
    this.host.bind(socket, live);
  }

  /** Forgets the current socket and stops its heartbeat; resolves once the socket is closed. */
  private dropSocket(): Promise<void> {
    this.gen++;
    this.heartbeat.stop();
    const socket = this.socket;
    this.socket = null;
    return socket ? closeSocket(socket) : Promise.resolve();
  }

  private onConnectError(err: Error & { data?: unknown }): void {
    const code = connectErrorCode(err);
    this.host.diag({ type: 'connect_error', code, message: err.message });
    void this.dropSocket();
    this.connecting = false;
    if (code === 'token_expired' && !this.refreshedThisAttempt) {
      this.refreshedThisAttempt = true;
      void this.refreshAndReconnect();
    } else if (code === 'session_not_found' || code === 'unauthorized') {
      void this.sessionLost(code);
    } else {
      this.scheduleReconnect(code ?? err.message);
    }
  }

  private async refreshAndReconnect(): Promise<void> {
    const gen = this.gen;
    try {
      await this.session.refresh();
      this.host.diag({ type: 'token_refreshed' });
    } catch (err) {
      if (gen !== this.gen) return;
      if (isSessionGone(err)) void this.sessionLost(err.code);
      else if (err instanceof ClientError && err.code === 'token_expired') void this.sessionLost('expired'); // past the refresh grace
      else this.scheduleReconnect(toClientError(err).message);
      return;
    }
    if (gen === this.gen && this.running) await this.connect();
  }

  private onDisconnect(reason: string): void {
    this.host.diag({ type: 'disconnected', reason });
    void this.dropSocket();
    if (this.paused) this.host.connection({ status: 'paused' });
    else this.scheduleReconnect(reason);
  }

  private scheduleReconnect(lastError: string): void {
    this.connecting = false;
    if (!this.running || this.paused || this.halted) return this.settle();
    const delayMs = nextDelay(this.attempt, this.o.backoffBaseMs, this.o.backoffCapMs, this.o.random);
    this.attempt++;
    const nextRetryAt = this.o.clock.now() + delayMs;
    this.host.connection({ status: 'reconnecting', attempt: this.attempt, nextRetryAt, lastError });
    this.host.diag({ type: 'reconnect_scheduled', attempt: this.attempt, delayMs });
    this.settle();
    this.retry.arm(delayMs, () => {
      this.refreshedThisAttempt = false;
      void this.connect();
    });
  }

  private onEstablished(e: ConnectionEstablished): void {
    const now = this.o.clock.now();
    const wakeStartedAt = this.wakeStartedAt;
    const recreated = this.pendingRecreate ? { ...this.pendingRecreate, at: now } : null;
    const reconnect = this.connectedOnce;
    this.wakeStartedAt = null;
    this.pendingRecreate = null;
    this.connecting = false;
    this.attempt = 0;
    this.refreshedThisAttempt = false;
    this.lastEstablishedAt = now;
    this.connectedOnce = true;
    this.host.established(e, { now, paused: this.paused, reconnect, wakeStartedAt, recreated });
    this.host.diag({ type: 'connected', userId: e.user.id, wakeStartedAt });
    if (!this.paused) {
      this.wakeBeatFrom = wakeStartedAt;
      const first = wakeStartedAt !== null ? 0 : firstBeatDelay(e.heartbeatIntervalMs, this.o.random);
      this.heartbeat.start(e.heartbeatIntervalMs, first);
    }
    this.settle();
  }

  private beat(): void {
    const socket = this.socket;
    const wakeStartedAt = this.wakeBeatFrom;
    this.wakeBeatFrom = null;
    if (!socket?.connected) return;
    const sentAt = this.o.clock.now();
    const gen = this.gen;
    this.request('presence:heartbeat', {}).then(
      (ack) => {
        if (gen !== this.gen) return;
        this.host.diag({ type: 'heartbeat', rttMs: this.o.clock.now() - sentAt, wakeStartedAt });
        this.heartbeat.setInterval(ack.heartbeatIntervalMs);
      },
      () => undefined, // a timeout already started the liveness check in request()
    );
  }

  private async sessionLost(reason: SessionLossReason): Promise<void> {
    const previousUser = this.session.session?.user ?? null;
    const again = this.pendingRecreate !== null; // the last recreate never got connected
    const recreate = this.o.autoRecreateSession;
    void this.dropSocket();
    this.retry.cancel();
    this.connecting = false;
    this.host.diag({ type: 'session_lost', reason, recreate });
    if (!recreate) {
      this.halted = true;
      this.host.connection({ status: 'offline', reason });
      return this.settle();
    }
    const gen = this.gen;
    this.pendingRecreate = { reason, previousUser: this.pendingRecreate?.previousUser ?? previousUser };
    this.nextUsername = previousUser?.username ?? this.nextUsername;
    await this.session.forget().catch(() => undefined);
    if (gen !== this.gen || !this.running) return;
    this.host.sessionReset();
    if (again) this.scheduleReconnect(reason);
    else await this.connect();
  }

  private settle(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
