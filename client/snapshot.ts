/**
 * Pure reducers over ClientSnapshot. Each takes the current snapshot and returns the next one,
 * or the very same object when nothing changed (so PresenceClient notifies only on change).
 * Time is an argument.
 */
import {
  isNewerSeq,
  type ConnectionEstablished,
  type OnlineUser,
  type Presence,
  type PresenceConnected,
  type Stats,
} from '../server/protocol.js';
import type { ChatEntry, ClientSnapshot, ConnectionState, MatchState, StatsState } from './types.js';

/** Replaces the connection state (same object back when it is equal). */
export function withConnection(s: ClientSnapshot, connection: ConnectionState): ClientSnapshot {
  return shallowEqual(s.connection, connection) ? s : { ...s, connection };
}

export interface StatsInput {
  stats: Stats;
  seq: number;
  timestamp: number;
  degraded?: boolean;
  /** realtime:stats only: the most recent online users */
  recent?: OnlineUser[];
}

export interface StatsResult {
  snapshot: ClientSnapshot;
  /** the input's seq was not newer than the one held: ignored */
  stale: boolean;
  /** seq jumped by more than one: updates were missed, ask for the current stats */
  gap: boolean;
}

/** Applies a `realtime:stats` / `stats:update` / ack: an older seq is ignored, a jump flags a gap.
 * The same seq is the same snapshot: it only fills in what the held one lacks (the recent users
 * after a handshake) or a flipped `degraded` (the server re-broadcasts the same seq for that). */
export function applyStats(s: ClientSnapshot, input: StatsInput): StatsResult {
  const held = s.stats;
  if (held && input.seq === held.seq) {
    const recent = input.recent && input.recent !== held.recent ? input.recent : held.recent;
    const degraded = input.degraded ?? held.degraded;
    if (recent === held.recent && degraded === held.degraded) return { snapshot: s, stale: true, gap: false };
    return { snapshot: { ...s, stats: { ...held, recent, degraded } }, stale: false, gap: false };
  }
  if (held && !isNewerSeq(input.seq, held.seq)) return { snapshot: s, stale: true, gap: false };
  const gap = held !== null && input.seq > held.seq + 1;
  return { snapshot: { ...s, stats: statsState(held, input) }, stale: false, gap };
}

/** Sets the stats of a fresh connection unconditionally: it is the new baseline (a restarted
 * server with a memory store counts seq from the start again). */
export function baselineStats(s: ClientSnapshot, input: StatsInput): ClientSnapshot {
  return { ...s, stats: statsState(s.stats, input) };
}

function statsState(held: StatsState | null, input: StatsInput): StatsState {
  return {
    stats: input.stats,
    seq: input.seq,
    timestamp: input.timestamp,
    degraded: input.degraded ?? held?.degraded ?? false,
    recent: input.recent ?? held?.recent ?? [],
  };
}

/** Applies `connection:established`: who I am, my presence, the match it implies, stats baseline. */
export function applyEstablished(s: ClientSnapshot, e: ConnectionEstablished, now: number): ClientSnapshot {
  const withMe = applyPresence({ ...s, me: { user: e.user, presence: e.presence } }, e.presence, now);
  return baselineStats(withMe, { stats: e.stats, seq: e.seq, timestamp: e.serverTime });
}

/** Applies my presence (from an ack or the handshake) to `me` and to the match state. */
export function applyPresence(s: ClientSnapshot, presence: Presence, now: number): ClientSnapshot {
  const me = s.me ? { ...s.me, presence } : null;
  const match = matchFromPresence(s.match, presence, now);
  const chat = match.status === 'chatting' && !sameChat(s.match, match.chatId) ? [] : s.chat;
  return { ...s, me, match, chat };
}

function matchFromPresence(current: MatchState, p: Presence, now: number): MatchState {
  if (p.partner && p.chatId) {
    if (sameChat(current, p.chatId)) return current;
    return { status: 'chatting', chatId: p.chatId, partner: p.partner, since: now };
  }
  if (p.isSearching) return current.status === 'searching' ? current : { status: 'searching', since: now };
  if (current.status === 'chatting') {
    // The chat ended while we did not hear about it (e.g. during a reconnect).
    return { status: 'idle', lastEnded: { reason: 'partner_gone', partner: current.partner } };
  }
  return current.status === 'idle' ? current : { status: 'idle', lastEnded: null };
}

function sameChat(m: MatchState, chatId: string): boolean {
  return m.status === 'chatting' && m.chatId === chatId;
}

/** Applies `presence:connected`: a match starts a chat (and clears the old messages); a null
 * partner ends the current chat. An end for a chat we are not in is ignored. */
export function applyPresenceConnected(s: ClientSnapshot, ev: PresenceConnected, now: number): ClientSnapshot {
  if (ev.partner) {
    if (sameChat(s.match, ev.chatId)) return s;
    const match: MatchState = { status: 'chatting', chatId: ev.chatId, partner: ev.partner, since: now };
    const me = s.me ? { ...s.me, presence: { ...s.me.presence, isSearching: false, partner: ev.partner, chatId: ev.chatId } } : null;
    return { ...s, match, me, chat: [] };
  }
  if (s.match.status !== 'chatting' || s.match.chatId !== ev.chatId) return s;
  return endChat(s, ev.reason && ev.reason !== 'matched' ? ev.reason : 'partner_gone');
}

/** Ends the current chat locally (after our own `chat:leave` was acknowledged). */
export function endChat(s: ClientSnapshot, reason: 'left' | 'partner_left' | 'partner_gone'): ClientSnapshot {
  if (s.match.status !== 'chatting') return s;
  const match: MatchState = { status: 'idle', lastEnded: { reason, partner: s.match.partner } };
  const me = s.me ? { ...s.me, presence: { ...s.me.presence, partner: null, chatId: null } } : null;
  return { ...s, match, me };
}

/** Replaces the chat entries (same object back when the array is the same). */
export function withChat(s: ClientSnapshot, chat: ChatEntry[]): ClientSnapshot {
  return chat === s.chat ? s : { ...s, chat };
}

function shallowEqual(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => (a as Record<string, unknown>)[k] === (b as Record<string, unknown>)[k]);
}
