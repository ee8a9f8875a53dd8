/**
 * PresenceStore: the presence model's state, in presence words. Every state change is one
 * atomic operation that returns what changed; callers drive the broadcast from that result and
 * never re-read the world. Time is always an argument (`now`, ms since epoch).
 *
 * Semantics every implementation keeps (the contract suite in test/server/store checks them):
 * - A session exists from createSession until endSession or until `expiresAt` passes
 *   (`expiresAt` slides to now + sessionTtlMs on every touch / connect / action).
 * - A user is *online* while not hidden and (>= 1 connection, or inside the leave grace after the
 *   last connection went). `since` is when the user last became online.
 * - A user is *active* while `lastSeen >= now - activeWindowMs`.
 * - A user is *searching* while in the match queue; *chatting* while paired. Searching and
 *   chatting users are always online: anything that takes a user offline (hide, grace expiry,
 *   session end) first takes them out of the queue and ends their chat (partner gets
 *   `partner_gone`, or `partner_left` when the user hid or left explicitly).
 * - Pairing is first come, first served, atomic: nobody is matched twice or with themselves.
 * - `version` increases on every state change; stats snapshots carry `seq`, which increases
 *   whenever an observed snapshot differs from the previous observed one (cluster-wide).
 */
import type { ChatEndReason, OnlineStatus, OnlineUser, Presence, PublicUser, Stats } from '../protocol.js';

/** Tunables the store needs; a subset of the server config. */
export interface StoreTimings {
  sessionTtlMs: number;
  activeWindowMs: number;
  leaveGraceMs: number;
  /** how long the recent online-user change log keeps entries */
  changeLogMax: number;
  /** history points kept (24 h at the sample period) */
  historyMax: number;
}

export interface SessionRecord extends PublicUser {
  createdAt: number;
  expiresAt: number;
  lastSeen: number;
  hidden: boolean;
  connections: number;
  /** when the last connection dropped, the time the user goes offline; else null */
  leavingAt: number | null;
  searching: boolean;
  partner: PublicUser | null;
  chatId: string | null;
  /** when the user last became online, or null while offline */
  onlineSince: number | null;
}

/** What restoreSessions writes back of a session (the rest starts over: offline, alone). */
export type RestorableSession = Pick<SessionRecord, 'id' | 'username' | 'createdAt' | 'expiresAt' | 'lastSeen' | 'hidden'>;

/** Something callers must tell users about (sockets are addressed by user id). */
export type PresenceEvent =
  | { type: 'matched'; chatId: string; users: [PublicUser, PublicUser] }
  | { type: 'chat_ended'; chatId: string; userId: string; reason: ChatEndReason }
  | { type: 'session_ended'; userId: string; reason: 'deleted' | 'expired' };

/** What an operation changed. */
export interface Change {
  events: PresenceEvent[];
}

export interface PresenceResult extends Change {
  presence: Presence;
}

export interface StatsSnapshot {
  stats: Stats;
  seq: number;
  /** the RECENT_ONLINE_MAX users who came online most recently, newest first */
  recent: OnlineUser[];
}

/** One entry of the online-users change log. */
export type OnlineChange =
  | { kind: 'joined'; user: OnlineUser }
  | { kind: 'left'; userId: string };

export interface ChangeLogRead {
  /** opaque cursor to pass next time */
  cursor: string;
  changes: OnlineChange[];
  /** true when entries between the given cursor and the oldest kept one were dropped */
  truncated: boolean;
}

export interface OnlinePage {
  users: OnlineUser[];
  nextCursor: string | null;
}

export interface StoredHistoryPoint {
  t: number;
  onlineUsers: number;
  activeUsers: number;
  availableUsers: number;
  connectedUsers: number;
}

export interface DisconnectOptions {
  immediate?: boolean;
}

export interface NodeConnection {
  userId: string;
  connId: string;
}

export interface ConnectInput {
  userId: string;
  connId: string;
  nodeId: string;
  now: number;
}

/** Operations fail with these codes (thrown as StoreError). */
export type StoreErrorCode =
  | 'session_not_found'
  | 'already_in_chat'
  | 'not_in_chat'
  | 'not_searching'
  | 'unavailable';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string = code,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export interface PresenceStore {
  /** 'memory' | 'redis' | 'failover' — for logs and metrics */
  readonly kind: string;

  /** Creates a guest session (new id). */
  createSession(input: { id: string; username: string; now: number }): Promise<SessionRecord>;
  /** The session, or null when it does not exist or expired. Read-only. */
  getSession(userId: string, now: number): Promise<SessionRecord | null>;
  /** Ends a session at once: connections, queue and chat go; events include session_ended. */
  endSession(userId: string, now: number, reason: 'deleted' | 'expired'): Promise<Change>;

  /** Registers a live connection; the user becomes online unless hidden. session_not_found if gone. */
  connect(input: ConnectInput): Promise<PresenceResult>;
  /**
   * Marks the user and connection seen and slides the session (a heartbeat or any action).
   * Returns the partner (for chat relay) in one round trip. session_not_found if gone.
   */
  touch(userId: string, connId: string, now: number): Promise<{ partner: PublicUser | null; chatId: string | null }>;
  /**
   * Removes a connection. When it was the user's last, the user goes offline after the grace, or
   * at once when `immediate` (the client said goodbye: app quit, explicit disconnect).
   */
  disconnect(userId: string, connId: string, now: number, opts?: DisconnectOptions): Promise<Change>;

  /** Hides (false) or shows (true) the user. Hiding leaves the queue and the chat. */
  setOnline(userId: string, isOnline: boolean, now: number): Promise<PresenceResult>;
  /**
   * true: enters the queue and pairs with the longest-waiting other searcher if any
   * (already_in_chat while chatting; a no-op while already searching; a hidden user is shown
   * first; a user with no connection and offline is only un-hidden, never queued). false: leaves the queue; not_searching when not in it (e.g. a match won the race).
   */
  setSearching(userId: string, isSearching: boolean, now: number): Promise<PresenceResult>;
  /** Ends the user's chat (`left` for them, `partner_left` for the partner). not_in_chat otherwise. */
  leaveChat(userId: string, now: number): Promise<Change>;

  /**
   * Time-driven transitions due at `now`: users whose leave grace passed go offline, sessions
   * that expired end (session_ended 'expired'), old activity is pruned.
   */
  sweep(now: number): Promise<Change>;
  /** Removes every connection a node registered (a node shutting down, or a dead node's reap) and its lease. */
  dropNode(nodeId: string, now: number): Promise<Change>;
  /** Registers or renews a node's lease until now + leaseMs. */
  renewNode(nodeId: string, now: number, leaseMs: number): Promise<void>;
  /** Ids of nodes whose lease lapsed before `now` (not yet dropped). */
  expiredNodes(now: number): Promise<string[]>;
  /** The connections a node has registered (for self-repair). */
  nodeConnections(nodeId: string): Promise<NodeConnection[]>;
  /**
   * Writes sessions back after an outage, keeping id, name, times and visibility; they come back
   * offline, with no connection, queue or chat. A session that already exists is left as it is.
   * Returns how many were written.
   */
  restoreSessions(records: readonly RestorableSession[], now: number): Promise<number>;

  /** The five numbers, the recent online users and seq. O(1) in the number of users. */
  stats(now: number): Promise<StatsSnapshot>;
  /** A page of online users, most recently online first. */
  listOnline(cursor: string | null, limit: number): Promise<OnlinePage>;
  /** Online-user changes after `cursor` (null: start from now, returning no changes). */
  readChanges(cursor: string | null, max: number): Promise<ChangeLogRead>;

  /** Appends a point; idempotent per `t` (several nodes may sample the same period). */
  appendHistory(point: StoredHistoryPoint): Promise<void>;
  /** History points with t >= since, oldest first. */
  readHistory(since: number): Promise<StoredHistoryPoint[]>;

  /** True when the backing service answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Status shown for an online user, derived from the record. */
export function statusOf(s: Pick<SessionRecord, 'searching' | 'partner'>): OnlineStatus {
  if (s.partner) return 'chatting';
  return s.searching ? 'searching' : 'online';
}

/** The presence a user sees, derived from the record. */
export function presenceOf(s: SessionRecord): Presence {
  return {
    isOnline: s.onlineSince !== null,
    isSearching: s.searching,
    partner: s.partner,
    chatId: s.chatId,
    lastSeen: s.lastSeen,
  };
}
