/** Small builders for protocol shapes used by the pure-function tests. */
import type { ConnectionEstablished, OnlineUser, Presence, PublicUser, Stats } from '../../../server/protocol.js';

/** A PublicUser named after its id. */
export function user(id: string): PublicUser {
  return { id, username: `user ${id}` };
}

/** An OnlineUser. */
export function online(id: string, status: OnlineUser['status'] = 'online', since = 1): OnlineUser {
  return { ...user(id), status, since };
}

/** Stats with every count derived from `onlineUsers`. */
export function stats(onlineUsers: number): Stats {
  return { totalUsers: onlineUsers + 2, onlineUsers, activeUsers: onlineUsers + 1, availableUsers: 0, connectedUsers: 0 };
}

/** A presence, idle unless overridden. */
export function presence(over: Partial<Presence> = {}): Presence {
  return { isOnline: true, isSearching: false, partner: null, chatId: null, lastSeen: 1, ...over };
}

/** A `connection:established` payload. */
export function established(over: Partial<ConnectionEstablished> = {}): ConnectionEstablished {
  return { user: user('me'), presence: presence(), heartbeatIntervalMs: 30_000, serverTime: 5, stats: stats(1), seq: 10, ...over };
}
