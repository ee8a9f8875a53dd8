/** PresenceClient's options, their defaults, and the diagnostics it reports (tests, logs). */
import type { ConnectErrorCode } from '../server/protocol.js';
import type { FetchFn } from './api.js';
import { systemClock, type Clock } from './clock.js';
import type { SessionLossReason, SessionStorage } from './types.js';

export interface PresenceClientOptions {
  /** the presence server, e.g. `http://127.0.0.1:3000` (REST and Socket.IO share it) */
  serverUrl: string;
  /** where the guest session persists between launches */
  storage: SessionStorage;
  /** the name to ask for when creating the first guest session (else the server generates one) */
  username?: string;
  /** when the session is gone (ended, expired, server forgot it): create a new one (true) or go
   * offline with the reason (false) */
  autoRecreateSession: boolean;
  clock?: Clock;
  /** [0, 1); jitter of backoff and of the first heartbeat */
  random?: () => number;
  fetch?: FetchFn;
  /** how long an emit waits for its ack (default 10 s) */
  ackTimeoutMs?: number;
  /** how long a connection attempt's handshake may take (default 10 s) */
  connectTimeoutMs?: number;
  /** per REST request (default 10 s) */
  restTimeoutMs?: number;
  /** reconnect backoff: first ceiling and cap (defaults 500 ms, 30 s) */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** period of the wall-clock gap detector (default 5 s; a gap is > 2 periods late) */
  gapCheckMs?: number;
  /** resume() within this long after a fresh connection is a no-op (default 1 s) */
  wakeDebounceMs?: number;
  /** the least time between two gap-triggered `stats:request`s (default 5 s) */
  statsRequestMinIntervalMs?: number;
  /** minutes of history to load (default 60) */
  historyMinutes?: number;
  /** every notable thing the client does, for logs and tests */
  onDiagnostic?: (d: ClientDiagnostic) => void;
}

export type WakeCause = 'resume' | 'gap' | 'ack_timeout';

export type ClientDiagnostic =
  | { type: 'socket_opened'; at: number; attempt: number }
  | { type: 'connected'; at: number; userId: string; wakeStartedAt: number | null }
  | { type: 'connect_error'; at: number; code: ConnectErrorCode | null; message: string }
  | { type: 'disconnected'; at: number; reason: string }
  | { type: 'reconnect_scheduled'; at: number; attempt: number; delayMs: number }
  | { type: 'heartbeat'; at: number; rttMs: number; wakeStartedAt: number | null }
  | { type: 'ack_timeout'; at: number; event: string }
  | { type: 'wake'; at: number; cause: WakeCause; lateByMs: number | null }
  | { type: 'token_refreshed'; at: number }
  | { type: 'session_lost'; at: number; reason: SessionLossReason; recreate: boolean }
  | { type: 'stats_request'; at: number; cause: 'reconnect' | 'gap' }
  | { type: 'stats_ignored'; at: number; seq: number; heldSeq: number };

/** A diagnostic before its time is stamped. */
export type Diagnostic = ClientDiagnostic extends infer D ? (D extends { at: number } ? Omit<D, 'at'> : never) : never;

export type ResolvedOptions = Required<Omit<PresenceClientOptions, 'username' | 'fetch' | 'onDiagnostic'>> &
  Pick<PresenceClientOptions, 'username' | 'fetch' | 'onDiagnostic'>;

/** Fills in the defaults. */
export function resolveOptions(o: PresenceClientOptions): ResolvedOptions {
  return {
    ...o,
    clock: o.clock ?? systemClock,
    random: o.random ?? Math.random,
    ackTimeoutMs: o.ackTimeoutMs ?? 10_000,
    connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
    restTimeoutMs: o.restTimeoutMs ?? 10_000,
    backoffBaseMs: o.backoffBaseMs ?? 500,
    backoffCapMs: o.backoffCapMs ?? 30_000,
    gapCheckMs: o.gapCheckMs ?? 5_000,
    wakeDebounceMs: o.wakeDebounceMs ?? 1_000,
    statsRequestMinIntervalMs: o.statsRequestMinIntervalMs ?? 5_000,
    historyMinutes: o.historyMinutes ?? 60,
  };
}
