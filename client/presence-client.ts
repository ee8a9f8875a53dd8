/**
 * PresenceClient: keeps a UI's picture of the presence server right without the user thinking
 * about it. Link (link.ts) owns the connection lifecycle (session, backoff, heartbeat, sleep and
 * wake); this class turns what the connection carries into one immutable snapshot and offers the
 * UI's actions. No Node or DOM imports: `fetch` and socket.io-client only, so it runs in the
 * Electron main process and in a browser.
 */
import type { ConnectionEstablished, OnlineUsersPage } from '../server/protocol.js';
import { PresenceActions } from './actions.js';
import { PresenceApi } from './api.js';
import { appendIncoming } from './chat.js';
import type { PresenceSocket } from './connection.js';
import { appendHistoryPoint, historyPoint, sampleSpacing } from './history.js';
import { Link } from './link.js';
import type { EstablishedInfo, Live } from './link-host.js';
import { resolveOptions, type ClientDiagnostic, type Diagnostic, type PresenceClientOptions, type ResolvedOptions } from './options.js';
import { GuestSession } from './session.js';
import { SnapshotStore } from './snapshot-store.js';
import { applyEstablished, applyPresenceConnected, applyStats, withConnection, type StatsInput } from './snapshot.js';
import type { ClientSnapshot, PresenceClientApi } from './types.js';

/** The client a UI owner (Electron main, the browser page) creates once and starts. */
export class PresenceClient implements PresenceClientApi {
  private readonly o: ResolvedOptions;
  private readonly store: SnapshotStore;
  private readonly api: PresenceApi;
  private readonly session: GuestSession;
  private readonly link: Link;
  private readonly actions: PresenceActions;
  private statsRequestInFlight = false;
  private lastStatsRequestAt = -Infinity;

  constructor(options: PresenceClientOptions) {
    this.o = resolveOptions(options);
    this.store = new SnapshotStore(options.serverUrl);
    this.api = new PresenceApi({ serverUrl: options.serverUrl, fetch: options.fetch, timeoutMs: this.o.restTimeoutMs });
    this.session = new GuestSession(this.api, options.storage);
    this.link = new Link(
      this.o,
      this.session,
      {
        bind: (socket, live) => this.bind(socket, live),
        established: (e, info) => this.onEstablished(e, info),
        connection: (state) => this.store.update((s) => withConnection(s, state)),
        sessionReset: () => this.store.update((s) => ({ ...s, me: null, match: { status: 'idle', lastEnded: null }, chat: [] })),
        diag: (d) => this.diag(d),
      },
      options.username,
    );
    this.actions = new PresenceActions({
      request: (event, payload) => this.link.request(event, payload),
      update: (reduce) => this.store.update(reduce),
      snapshot: () => this.store.get(),
      now: () => this.o.clock.now(),
    });
  }

  /** Creates or reuses the guest session and connects; resolves once connected or retrying. */
  async start(): Promise<void> {
    void this.refreshHistory().catch(() => undefined);
    await this.link.start();
  }

  /** Disconnects for good (app quit): the server sees the user leave at once. */
  stop(): Promise<void> {
    return this.link.stop();
  }

  /** Sleep: stop the heartbeat; idempotent. */
  pause(): void {
    this.link.pause();
  }

  /** Wake: a fresh connection at once, a heartbeat as soon as it is up; idempotent. */
  resume(): void {
    this.link.wake('resume', null);
  }

  /** The current snapshot. */
  getSnapshot(): ClientSnapshot {
    return this.store.get();
  }

  /** Calls `listener` with every new snapshot; returns the unsubscribe function. */
  subscribe(listener: (snapshot: ClientSnapshot) => void): () => void {
    return this.store.subscribe(listener);
  }

  setVisible = (visible: boolean): Promise<void> => this.actions.setVisible(visible);
  search = (): Promise<void> => this.actions.search();
  cancelSearch = (): Promise<void> => this.actions.cancelSearch();
  sendMessage = (text: string): Promise<void> => this.actions.sendMessage(text);
  leaveChat = (): Promise<void> => this.actions.leaveChat();
  loadMoreOnline = (): Promise<OnlineUsersPage> => this.actions.loadMoreOnline();
  subscribeOnline = (): Promise<void> => this.actions.subscribeOnline();
  unsubscribeOnline = (): Promise<void> => this.actions.unsubscribeOnline();

  /** `GET /api/stats/history`: replaces the history the chart shows. */
  async refreshHistory(minutes?: number): Promise<void> {
    const { points } = await this.api.history(minutes ?? this.o.historyMinutes);
    this.store.update((s) => ({ ...s, history: points }));
  }

  /** Ends this guest session (`DELETE /api/guest/me`) and starts a new one with a generated name;
   * an online-users subscription carries over to the new connection. */
  startOver(): Promise<void> {
    return this.link.replaceSession(() => this.session.end());
  }

  private bind(socket: PresenceSocket, live: Live): void {
    socket.on('realtime:stats', live((p) => this.onStats({ ...p, recent: p.onlineUsers })));
    socket.on('stats:update', live((p) => this.onStats(p)));
    socket.on('users:online:update', live((p) => this.actions.applyOnlineUpdate(p)));
    socket.on('presence:connected', live((p) => this.store.update((s) => applyPresenceConnected(s, p, this.o.clock.now()))));
    socket.on('chat:message', live((m) => this.store.update((s) => ({ ...s, chat: appendIncoming(s.chat, m) }))));
  }

  private onEstablished(e: ConnectionEstablished, info: EstablishedInfo): void {
    this.store.update((s) => ({
      ...withConnection(applyEstablished(s, e, info.now), info.paused ? { status: 'paused' } : { status: 'connected', since: info.now }),
      ...(info.recreated ? { sessionRecreated: info.recreated } : {}),
    }));
    // A new socket has no subscription and may have missed stats, history points and diffs.
    if (info.reconnect) void this.requestStats('reconnect');
    if (info.reconnect && info.wakeStartedAt !== null) void this.refreshHistory().catch(() => undefined);
    if (this.store.get().online.subscribed) void this.actions.subscribeOnline().catch(() => undefined);
  }

  private onStats(input: StatsInput): void {
    const held = this.store.get();
    const result = applyStats(held, input);
    if (result.stale) {
      this.diag({ type: 'stats_ignored', seq: input.seq, heldSeq: held.stats?.seq ?? -1 });
      return;
    }
    const point = historyPoint(input.stats, input.timestamp);
    const history = appendHistoryPoint(held.history, point, sampleSpacing(held.history));
    this.store.update(() => ({ ...result.snapshot, history }));
    if (result.gap) void this.requestStats('gap');
  }

  /** `stats:request` after a reconnect or a seq gap (gap-triggered ones at most every so often). */
  private async requestStats(cause: 'reconnect' | 'gap'): Promise<void> {
    const now = this.o.clock.now();
    if (this.statsRequestInFlight) return;
    if (cause === 'gap' && now - this.lastStatsRequestAt < this.o.statsRequestMinIntervalMs) return;
    this.statsRequestInFlight = true;
    this.lastStatsRequestAt = now;
    this.diag({ type: 'stats_request', cause });
    try {
      this.onStats(await this.link.request('stats:request', {}));
    } catch {
      // the live stream carries on; a timeout already started the liveness check
    } finally {
      this.statsRequestInFlight = false;
    }
  }

  private diag(d: Diagnostic): void {
    this.o.onDiagnostic?.({ ...d, at: this.o.clock.now() } as ClientDiagnostic);
  }
}
