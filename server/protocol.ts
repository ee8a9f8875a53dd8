/**
 * The HereNow wire contract (PROTOCOL.md v1) in code: shapes, event maps, schemas, error codes.
 * Server, client, electron and renderer import it; nobody re-declares an event name or a shape.
 * This module has no Node or DOM dependency so that the browser build can import it.
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Shared shapes
// ---------------------------------------------------------------------------------------------

/** The five live numbers. See PROTOCOL.md for the invariants between them. */
export interface Stats {
  /** guest sessions that exist (created, not expired, not ended) */
  totalUsers: number;
  /** guests with >= 1 live connection (or inside the leave grace) that are not hidden */
  onlineUsers: number;
  /** guests seen within ACTIVE_WINDOW_MS */
  activeUsers: number;
  /** guests searching for a match */
  availableUsers: number;
  /** guests in a chat (always even) */
  connectedUsers: number;
}

export const STAT_KEYS = [
  'totalUsers',
  'onlineUsers',
  'activeUsers',
  'availableUsers',
  'connectedUsers',
] as const satisfies readonly (keyof Stats)[];

export interface PublicUser {
  id: string;
  username: string;
}

export const ONLINE_STATUSES = ['online', 'searching', 'chatting'] as const;
export type OnlineStatus = (typeof ONLINE_STATUSES)[number];

export interface OnlineUser extends PublicUser {
  status: OnlineStatus;
  /** when the user came online (ms since epoch) */
  since: number;
}

/** A user's presence as the user sees it. `chatId` is an addition to PROTOCOL.md's shape. */
export interface Presence {
  isOnline: boolean;
  isSearching: boolean;
  partner: PublicUser | null;
  chatId: string | null;
  lastSeen: number;
}

export const ERROR_CODES = [
  'invalid_payload',
  'invalid_username',
  'unauthorized',
  'token_expired',
  'session_not_found',
  'rate_limited',
  'not_searching',
  'not_in_chat',
  'already_in_chat',
  'payload_too_large',
  'unavailable',
  'internal',
  'not_found',
] as const;
/** `not_found` (unknown REST route) is an addition to PROTOCOL.md's list. */
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

export type AckOk<T> = { ok: true } & T;
export type AckErr = { ok: false; error: ErrorBody };
export type Ack<T> = AckOk<T> | AckErr;

/** A connection refusal's `connect_error` carries one of these as `message` and `data.code`. */
export const CONNECT_ERROR_CODES = [
  'unauthorized',
  'token_expired',
  'session_not_found',
  'rate_limited',
] as const satisfies readonly ErrorCode[];
export type ConnectErrorCode = (typeof CONNECT_ERROR_CODES)[number];

// ---------------------------------------------------------------------------------------------
// REST
// ---------------------------------------------------------------------------------------------

export const API = {
  guest: '/api/guest',
  guestUsername: '/api/guest/username',
  guestMe: '/api/guest/me',
  guestRefresh: '/api/guest/refresh',
  stats: '/api/stats',
  statsHistory: '/api/stats/history',
  usersOnline: '/api/users/online',
  healthz: '/healthz',
  readyz: '/readyz',
  metrics: '/metrics',
} as const;

export interface GuestUser extends PublicUser {
  createdAt: number;
  expiresAt: number;
}

export interface GuestCreated {
  user: GuestUser;
  token: string;
  tokenExpiresAt: number;
}

export interface GuestMe {
  user: GuestUser;
  presence: Presence;
}

export interface TokenRefreshed {
  token: string;
  tokenExpiresAt: number;
}

export interface StatsResponse {
  stats: Stats;
  timestamp: number;
  seq: number;
  degraded: boolean;
}

export interface HistoryPoint {
  t: number;
  onlineUsers: number;
  activeUsers: number;
  availableUsers: number;
  connectedUsers: number;
}

export interface HistoryResponse {
  points: HistoryPoint[];
}

export interface OnlineUsersPage {
  users: OnlineUser[];
  nextCursor: string | null;
}

export interface RestError {
  error: ErrorBody;
}

// ---------------------------------------------------------------------------------------------
// Socket.IO
// ---------------------------------------------------------------------------------------------

export const USERNAME_MIN = 3;
export const USERNAME_MAX = 24;
/** Letters, digits, `_`, `-`, and single spaces inside (never leading or trailing). */
export const USERNAME_PATTERN = /^[\p{L}\p{N}_-]+(?: [\p{L}\p{N}_-]+)*$/u;
export const MESSAGE_MAX = 2000;
export const ONLINE_PAGE_DEFAULT = 50;
export const ONLINE_PAGE_MAX = 100;
/**
 * How many recent users `realtime:stats` carries (PROTOCOL.md allows up to 20). Six: the list is
 * a glimpse of who just arrived (full lists are paged and diffed through users:online:*); at 20 it
 * made up 92 % of every broadcast and each client received 1,984 B/s under churn, at 8 still
 * 1,045 B/s (bench figure 5, target <= 1 KB per client per second).
 */
export const RECENT_ONLINE_MAX = 6;
export const HISTORY_MINUTES_DEFAULT = 60;
export const HISTORY_MINUTES_MAX = 1440;

const empty = z.object({}).strict();

export const schemas = {
  guestCreate: z
    .object({
      username: z
        .string()
        .min(USERNAME_MIN)
        .max(USERNAME_MAX)
        .regex(USERNAME_PATTERN)
        .optional(),
    })
    .strict(),
  heartbeat: empty,
  online: z.object({ isOnline: z.boolean() }).strict(),
  searching: z.object({ isSearching: z.boolean() }).strict(),
  chatMessage: z
    .object({
      text: z
        .string()
        .max(MESSAGE_MAX * 4)
        .transform((s) => s.trim())
        .pipe(z.string().min(1).max(MESSAGE_MAX)),
    })
    .strict(),
  chatLeave: empty,
  statsRequest: empty,
  onlineList: z
    .object({
      cursor: z.string().max(200).optional(),
      limit: z.number().int().min(1).max(ONLINE_PAGE_MAX).optional(),
    })
    .strict(),
  onlineSubscribe: empty,
  onlineUnsubscribe: empty,
  historyQuery: z.object({
    minutes: z.coerce.number().int().min(1).max(HISTORY_MINUTES_MAX).default(HISTORY_MINUTES_DEFAULT),
  }),
  onlineQuery: z.object({
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(ONLINE_PAGE_MAX).default(ONLINE_PAGE_DEFAULT),
  }),
} as const;

export type OnlinePayload = z.infer<typeof schemas.online>;
export type SearchingPayload = z.infer<typeof schemas.searching>;
export type ChatMessagePayload = z.input<typeof schemas.chatMessage>;
export type OnlineListPayload = z.infer<typeof schemas.onlineList>;
type Empty = Record<string, never>;

export interface HeartbeatAck {
  serverTime: number;
  heartbeatIntervalMs: number;
}
export interface PresenceAck {
  presence: Presence;
}
export interface ChatSentAck {
  messageId: string;
  sentAt: number;
}
export interface StatsAck {
  stats: Stats;
  timestamp: number;
  seq: number;
}

type Handler<P, R> = (payload: P, ack: (res: Ack<R>) => void) => void;

/** Client → server events. Every one takes an ack; the server validates every payload. */
export interface ClientToServerEvents {
  'presence:heartbeat': Handler<Empty, HeartbeatAck>;
  'presence:online': Handler<OnlinePayload, PresenceAck>;
  'presence:searching': Handler<SearchingPayload, PresenceAck>;
  'chat:message': Handler<ChatMessagePayload, ChatSentAck>;
  'chat:leave': Handler<Empty, Empty>;
  'stats:request': Handler<Empty, StatsAck>;
  'users:online:list': Handler<OnlineListPayload, OnlineUsersPage>;
  'users:online:subscribe': Handler<Empty, OnlineUsersPage>;
  'users:online:unsubscribe': Handler<Empty, Empty>;
}
export type ClientEventName = keyof ClientToServerEvents;
export const CLIENT_EVENTS = [
  'presence:heartbeat',
  'presence:online',
  'presence:searching',
  'chat:message',
  'chat:leave',
  'stats:request',
  'users:online:list',
  'users:online:subscribe',
  'users:online:unsubscribe',
] as const satisfies readonly ClientEventName[];

export interface ConnectionEstablished {
  user: PublicUser;
  presence: Presence;
  heartbeatIntervalMs: number;
  serverTime: number;
  stats: Stats;
  seq: number;
}

export interface RealtimeStats {
  stats: Stats;
  /** the users who came online most recently (<= 20; this server sends RECENT_ONLINE_MAX) */
  onlineUsers: OnlineUser[];
  timestamp: number;
  seq: number;
  degraded: boolean;
}

export interface StatsUpdate {
  stats: Stats;
  timestamp: number;
  seq: number;
}

export interface OnlineUsersUpdate {
  seq: number;
  /** users who came online or whose status changed (replace by id) */
  joined: OnlineUser[];
  /** ids of users who went offline */
  left: string[];
}

export const CHAT_END_REASONS = ['left', 'partner_left', 'partner_gone'] as const;
export type ChatEndReason = (typeof CHAT_END_REASONS)[number];

export interface PresenceConnected {
  chatId: string;
  partner: PublicUser | null;
  reason?: 'matched' | ChatEndReason;
}

export interface ChatMessage {
  chatId: string;
  messageId: string;
  from: PublicUser;
  text: string;
  sentAt: number;
}

export interface SessionEnded {
  reason: 'deleted' | 'expired';
}

/** Server → client events. */
export interface ServerToClientEvents {
  'connection:established': (payload: ConnectionEstablished) => void;
  'realtime:stats': (payload: RealtimeStats) => void;
  'stats:update': (payload: StatsUpdate) => void;
  'users:online:update': (payload: OnlineUsersUpdate) => void;
  'presence:connected': (payload: PresenceConnected) => void;
  'chat:message': (payload: ChatMessage) => void;
  'session:ended': (payload: SessionEnded) => void;
}
export type ServerEventName = keyof ServerToClientEvents;

/** Per-socket data the server keeps (Socket.IO's `socket.data`). */
export interface SocketData {
  userId: string;
  username: string;
  connId: string;
}

/** Socket.IO server-to-server events (none yet). */
export type InterServerEvents = Record<string, never>;

// ---------------------------------------------------------------------------------------------
// Helpers shared by both ends
// ---------------------------------------------------------------------------------------------

/** Builds a failed ack / REST error body. */
export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { code, message };
}

/** True when `seq` is newer than `last` (the client's ordering rule). */
export function isNewerSeq(seq: number, last: number | null): boolean {
  return last === null || seq > last;
}

/** Checks the PROTOCOL.md invariants; returns the first one broken, or null. */
export function brokenInvariant(s: Stats): string | null {
  if (s.availableUsers + s.connectedUsers > s.onlineUsers) return 'available + connected > online';
  if (s.onlineUsers > s.activeUsers) return 'online > active';
  if (s.activeUsers > s.totalUsers) return 'active > total';
  if (s.connectedUsers % 2 !== 0) return 'connected is odd';
  for (const k of STAT_KEYS) if (!Number.isInteger(s[k]) || s[k] < 0) return `${k} is not a count`;
  return null;
}
