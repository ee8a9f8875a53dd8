/**
 * What a HereNow UI shows, as one immutable snapshot, and the actions it can ask for.
 * PresenceClient produces snapshots; the Electron main process forwards them over IPC; the
 * browser build reads them in the page. The renderer's Bridge is built from these types.
 */
import type {
  ChatMessage,
  HistoryPoint,
  OnlineUser,
  OnlineUsersPage,
  Presence,
  PublicUser,
  Stats,
} from '../server/protocol.js';

export type ConnectionState =
  | { status: 'idle' }
  | { status: 'connecting'; attempt: number }
  | { status: 'connected'; since: number }
  | { status: 'reconnecting'; attempt: number; nextRetryAt: number; lastError: string | null }
  | { status: 'paused' }
  | { status: 'offline'; reason: string };

export interface MeState {
  user: PublicUser;
  presence: Presence;
}

export interface StatsState {
  stats: Stats;
  seq: number;
  timestamp: number;
  degraded: boolean;
  recent: OnlineUser[];
}

export interface OnlineListState {
  /** true while subscribed to live updates */
  subscribed: boolean;
  users: OnlineUser[];
  nextCursor: string | null;
}

export type MatchState =
  | { status: 'idle'; lastEnded: { reason: 'left' | 'partner_left' | 'partner_gone'; partner: PublicUser | null } | null }
  | { status: 'searching'; since: number }
  | { status: 'chatting'; chatId: string; partner: PublicUser; since: number };

export interface ChatEntry {
  /** server messageId, or a local id while sending */
  id: string;
  chatId: string;
  from: PublicUser;
  text: string;
  sentAt: number;
  mine: boolean;
  state: 'sending' | 'sent' | 'failed';
}

export interface ClientSnapshot {
  serverUrl: string | null;
  connection: ConnectionState;
  me: MeState | null;
  stats: StatsState | null;
  history: HistoryPoint[];
  online: OnlineListState;
  match: MatchState;
  chat: ChatEntry[];
  /** set when the client replaced a lost guest session by a new one (autoRecreateSession) */
  sessionRecreated?: SessionRecreated | null;
}

/** Why a guest session can no longer be used. */
export type SessionLossReason = 'session_not_found' | 'unauthorized' | 'deleted' | 'expired';

export interface SessionRecreated {
  at: number;
  reason: SessionLossReason;
  previousUser: PublicUser | null;
}

/** The guest session as PresenceClient persists it between launches. */
export interface StoredSession {
  user: PublicUser;
  token: string;
  tokenExpiresAt: number;
}

/**
 * Where the guest session lives between launches: the Electron main process keeps it in
 * `userData`, the browser build in localStorage, tests in memory (client/session-storage.ts).
 */
export interface SessionStorage {
  load(): Promise<StoredSession | null>;
  save(session: StoredSession): Promise<void>;
  clear(): Promise<void>;
}

/** The actions a UI can take. Each resolves when the server answered (or throws ClientError). */
export interface ClientActions {
  setVisible(visible: boolean): Promise<void>;
  search(): Promise<void>;
  cancelSearch(): Promise<void>;
  sendMessage(text: string): Promise<void>;
  leaveChat(): Promise<void>;
  loadMoreOnline(): Promise<OnlineUsersPage>;
  subscribeOnline(): Promise<void>;
  unsubscribeOnline(): Promise<void>;
  refreshHistory(minutes?: number): Promise<void>;
  /** ends this guest session and starts a new one with a fresh generated name */
  startOver(): Promise<void>;
}

export type { ChatMessage };

/** The snapshot before anything happened. */
export function initialSnapshot(serverUrl: string | null = null): ClientSnapshot {
  return {
    serverUrl,
    connection: { status: 'idle' },
    me: null,
    stats: null,
    history: [],
    online: { subscribed: false, users: [], nextCursor: null },
    match: { status: 'idle', lastEnded: null },
    chat: [],
    sessionRecreated: null,
  };
}

/** What PresenceClient offers its owner (the Electron main process, or the browser Bridge). */
export interface PresenceClientApi extends ClientActions {
  /** creates or reuses the guest session and connects */
  start(): Promise<void>;
  /** disconnects for good (app quit); the server sees the user leave at once */
  stop(): Promise<void>;
  /** sleep: stop the heartbeat */
  pause(): void;
  /** wake: force a fresh connection, heartbeat at once, restart the timer */
  resume(): void;
  getSnapshot(): ClientSnapshot;
  /** calls `listener` on every new snapshot; returns the unsubscribe function */
  subscribe(listener: (snapshot: ClientSnapshot) => void): () => void;
}

/**
 * The renderer's only door to the world. The desktop preload exposes one over IPC
 * (electron/preload.cts, `typeof api`); the browser build implements it in the page.
 */
export interface Bridge extends ClientActions {
  getSnapshot(): Promise<ClientSnapshot>;
  /** pushed snapshots; returns the unsubscribe function (fits React effect cleanup) */
  onSnapshot(listener: (snapshot: ClientSnapshot) => void): () => void;
}
