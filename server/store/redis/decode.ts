/**
 * Script replies (cjson, times as strings) into the store's types, checked at run time: a
 * reply that does not have the expected shape is a bug and throws, never passes on as data.
 */
import { type ChatEndReason, ONLINE_STATUSES, type OnlineStatus, type OnlineUser, type PublicUser } from '../../protocol.js';
import type { OnlineChange, PresenceEvent, SessionRecord, StatsSnapshot } from '../types.js';

function fail(what: string, v: unknown): never {
  throw new Error(`malformed Redis script reply: ${what} = ${JSON.stringify(v)}`);
}

function str(v: unknown, what: string): string {
  return typeof v === 'string' ? v : fail(what, v);
}

function num(v: unknown, what: string): number {
  const n = typeof v === 'string' && v !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : fail(what, v);
}

function optNum(v: unknown, what: string): number | null {
  return v === undefined || v === null ? null : num(v, what);
}

/** An array; cjson encodes an empty Lua table as `{}`, and scripts leave empty lists out. */
function list(v: unknown, what: string): unknown[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v;
  if (typeof v === 'object' && v !== null && Object.keys(v).length === 0) return [];
  return fail(what, v);
}

function record(v: unknown, what: string): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(what, v);
}

function status(v: unknown): OnlineStatus {
  const s = str(v, 'status');
  return (ONLINE_STATUSES as readonly string[]).includes(s) ? (s as OnlineStatus) : fail('status', v);
}

/** A session hash (field -> string, plus id) as a SessionRecord. */
export function decodeSession(v: unknown): SessionRecord {
  const h = record(v, 'session');
  const partnerId = h.partnerId === undefined ? null : str(h.partnerId, 'partnerId');
  const partner: PublicUser | null = partnerId
    ? { id: partnerId, username: h.partnerName === undefined ? '' : str(h.partnerName, 'partnerName') }
    : null;
  return {
    id: str(h.id, 'id'),
    username: str(h.username, 'username'),
    createdAt: num(h.createdAt, 'createdAt'),
    expiresAt: num(h.expiresAt, 'expiresAt'),
    lastSeen: num(h.lastSeen, 'lastSeen'),
    hidden: h.hidden === '1',
    connections: num(h.conns ?? '0', 'conns'),
    leavingAt: optNum(h.leavingAt, 'leavingAt'),
    searching: h.searching === '1',
    partner,
    chatId: h.chatId === undefined ? null : str(h.chatId, 'chatId'),
    onlineSince: optNum(h.onlineSince, 'onlineSince'),
  };
}

/** Encoded events: ['e', chatId, userId, reason] | ['s', userId, reason]. (Matches are made in match.ts.) */
export function decodeEvents(v: unknown): PresenceEvent[] {
  return list(v, 'events').map((e): PresenceEvent => {
    const a = list(e, 'event');
    switch (a[0]) {
      case 'e': {
        const reason = str(a[3], 'reason');
        if (reason !== 'left' && reason !== 'partner_left' && reason !== 'partner_gone') fail('reason', reason);
        return { type: 'chat_ended', chatId: str(a[1], 'chatId'), userId: str(a[2], 'userId'), reason };
      }
      case 's': {
        const reason = str(a[2], 'reason');
        if (reason !== 'deleted' && reason !== 'expired') fail('reason', reason);
        return { type: 'session_ended', userId: str(a[1], 'userId'), reason };
      }
      default:
        return fail('event', e);
    }
  });
}

/** Rows [id, username, status, since] as OnlineUsers. */
export function decodeOnlineUsers(v: unknown): OnlineUser[] {
  return list(v, 'users').map((row) => {
    const a = list(row, 'user');
    return { id: str(a[0], 'id'), username: str(a[1], 'username'), status: status(a[2]), since: num(a[3], 'since') };
  });
}

/** The stats script's reply. */
export function decodeStats(v: Record<string, unknown>): StatsSnapshot {
  const s = list(v.s, 'stats');
  return {
    stats: {
      totalUsers: num(s[0], 'totalUsers'),
      onlineUsers: num(s[1], 'onlineUsers'),
      activeUsers: num(s[2], 'activeUsers'),
      availableUsers: num(s[3], 'availableUsers'),
      connectedUsers: num(s[4], 'connectedUsers'),
    },
    seq: num(v.q, 'seq'),
    recent: decodeOnlineUsers(v.r),
  };
}

/** Change-log rows ['j', id, username, status, since] | ['l', id]. */
export function decodeChanges(v: unknown): OnlineChange[] {
  return list(v, 'changes').map((row): OnlineChange => {
    const a = list(row, 'change');
    if (a[0] === 'l') return { kind: 'left', userId: str(a[1], 'userId') };
    if (a[0] !== 'j') fail('change', row);
    return {
      kind: 'joined',
      user: { id: str(a[1], 'id'), username: str(a[2], 'username'), status: status(a[3]), since: num(a[4], 'since') },
    };
  });
}

/** The touch script's reply. */
export function decodeTouch(v: Record<string, unknown>): { partner: PublicUser | null; chatId: string | null } {
  const p = v.p === undefined ? null : list(v.p, 'partner');
  return {
    partner: p ? { id: str(p[0], 'partner id'), username: str(p[1], 'partner name') } : null,
    chatId: v.c === undefined ? null : str(v.c, 'chatId'),
  };
}

/** Work a script left for another hash tag (lib/presence.lua, FOLLOW). */
export type FollowUp =
  | { kind: 'release'; partnerId: string; chatId: string; reason: ChatEndReason; member: string }
  | { kind: 'dequeue'; userId: string; token: string };

function partnerReason(v: unknown): ChatEndReason {
  const r = str(v, 'reason');
  return r === 'partner_left' || r === 'partner_gone' ? r : fail('reason', v);
}

export function decodeFollowUps(v: unknown): FollowUp[] {
  return list(v, 'follow-ups').map((row): FollowUp => {
    const a = list(row, 'follow-up');
    if (a[0] === 'd') return { kind: 'dequeue', userId: str(a[1], 'userId'), token: str(a[2], 'token') };
    if (a[0] !== 'r') fail('follow-up', row);
    return { kind: 'release', partnerId: str(a[1], 'partnerId'), chatId: str(a[2], 'chatId'), reason: partnerReason(a[3]), member: str(a[4], 'member') };
  });
}

/** An outbox entry `<partnerId>\0<chatId>\0<reason>` (the sweep re-reads stale ones). */
function decodeOutboxEntry(member: unknown): FollowUp {
  const parts = str(member, 'outbox entry').split('\0');
  if (parts.length !== 3) fail('outbox entry', member);
  return { kind: 'release', partnerId: str(parts[0], 'partnerId'), chatId: str(parts[1], 'chatId'), reason: partnerReason(parts[2]), member: member as string };
}

/** A user on a search, as the match queue knows them. */
export interface Searcher {
  id: string;
  token: string;
  name: string;
  /** their place in the central queue (arrival number), when they had one */
  arrival: string | null;
}

/** The sweep's long searches, rows [id, token, name]. */
export function decodeSearchers(v: unknown): Searcher[] {
  return list(v, 'searchers').map(decodeSearcher);
}

/** The sweep's stale outbox entries. */
export function decodeOutboxEntries(v: unknown): FollowUp[] {
  return list(v, 'outbox entries').map(decodeOutboxEntry);
}

/** [id, token, name, arrival?] */
export function decodeSearcher(v: unknown): Searcher {
  const a = list(v, 'searcher');
  return { id: str(a[0], 'id'), token: str(a[1], 'token'), name: str(a[2], 'name'), arrival: a[3] === undefined ? null : String(num(a[3], 'arrival')) };
}

/** pairs_due.lua's rows [chatId, { a = searcher, b = searcher }]. */
export function decodePairs(v: unknown): { chatId: string; a: Searcher; b: Searcher }[] {
  return list(v, 'pairs').map((row) => {
    const a = list(row, 'pair');
    const pair = record(a[1], 'pair');
    return { chatId: str(a[0], 'chatId'), a: decodeSearcher(pair.a), b: decodeSearcher(pair.b) };
  });
}
