/**
 * MemoryStore: the embedded default PresenceStore, one process, no I/O. Its operations are
 * synchronous inside (so atomic with respect to each other) and keep every count up to date as
 * the state changes; reads never walk all users.
 * Ordered Maps (ordered-map.ts) stand in for Redis's sorted sets.
 */
import { randomUUID } from 'node:crypto';
import type { OnlineUser, PublicUser } from '../protocol.js';
import { RECENT_ONLINE_MAX } from '../protocol.js';
import { ChangeLog } from './change-log.js';
import { NodeRegistry } from './node-registry.js';
import { OnlineIndex } from './online-index.js';
import { countLeadingAtMost, moveToEnd, sortByValue } from './ordered-map.js';
import {
  type Change,
  type ChangeLogRead,
  type ConnectInput,
  type DisconnectOptions,
  type NodeConnection,
  type OnlinePage,
  type PresenceEvent,
  type PresenceResult,
  type PresenceStore,
  type RestorableSession,
  type SessionRecord,
  type StatsSnapshot,
  type StoreTimings,
  type StoredHistoryPoint,
  StoreError,
  presenceOf,
  statusOf,
} from './types.js';

interface UserRec extends SessionRecord {
  connIds: Set<string>;
}

export class MemoryStore implements PresenceStore {
  readonly kind = 'memory';
  private readonly users = new Map<string, UserRec>();
  /** user id -> expiresAt, ordered by expiresAt */
  private readonly expiry = new Map<string, number>();
  /** user id -> lastSeen, ordered by lastSeen */
  private readonly active = new Map<string, number>();
  /** user id -> leavingAt, ordered by leavingAt */
  private readonly leaving = new Map<string, number>();
  /** searching user ids, in arrival order */
  private readonly queue = new Set<string>();
  private readonly chatting = new Set<string>();
  private readonly online = new OnlineIndex();
  private readonly registry = new NodeRegistry();
  /** deleted session id -> until when no restore may bring it back */
  private readonly tombstones = new Map<string, number>();
  private readonly log: ChangeLog;
  private history: StoredHistoryPoint[] = [];
  private seq = 0;
  private fingerprint = '';

  constructor(private readonly t: StoreTimings) {
    this.log = new ChangeLog(t.changeLogMax);
  }

  async createSession(input: { id: string; username: string; now: number }): Promise<SessionRecord> {
    return view(this.insertSession(input.id, input.username, input.now));
  }

  private insertSession(id: string, username: string, now: number): UserRec {
    const rec: UserRec = {
      id, username, createdAt: now, expiresAt: now + this.t.sessionTtlMs, lastSeen: now, hidden: false, connections: 0,
      leavingAt: null, searching: false, partner: null, chatId: null, onlineSince: null, connIds: new Set(),
    };
    this.users.set(rec.id, rec);
    moveToEnd(this.expiry, rec.id, rec.expiresAt);
    moveToEnd(this.active, rec.id, rec.lastSeen);
    return rec;
  }

  async getSession(userId: string, now: number): Promise<SessionRecord | null> {
    const rec = this.live(userId, now);
    return rec ? view(rec) : null;
  }

  async endSession(userId: string, now: number, reason: 'deleted' | 'expired'): Promise<Change> {
    // The tombstone is written even for a session this store never had: a delete written back
    // after an outage must win over another node's restore of the same session.
    if (reason === 'deleted') this.tombstones.set(userId, now + this.t.sessionTtlMs);
    const rec = this.users.get(userId);
    if (!rec) return { events: [] };
    const events: PresenceEvent[] = [];
    this.goOffline(rec, now, 'partner_gone', events);
    for (const connId of rec.connIds) this.registry.forget(connId);
    this.users.delete(userId);
    this.expiry.delete(userId);
    this.active.delete(userId);
    this.leaving.delete(userId);
    events.push({ type: 'session_ended', userId, reason });
    return { events };
  }

  async connect(input: ConnectInput): Promise<PresenceResult> {
    const rec = this.required(input.userId, input.now);
    rec.connIds.add(input.connId);
    rec.connections = rec.connIds.size;
    this.registry.add(input.connId, rec.id, input.nodeId);
    this.leaving.delete(rec.id);
    rec.leavingAt = null;
    this.seen(rec, input.now);
    if (!rec.hidden && rec.onlineSince === null) this.goOnline(rec, input.now);
    return { events: [], presence: presenceOf(rec) };
  }

  async touch(userId: string, _connId: string, now: number) {
    const rec = this.required(userId, now);
    this.seen(rec, now);
    return { partner: rec.partner, chatId: rec.chatId };
  }

  async disconnect(userId: string, connId: string, now: number, opts: DisconnectOptions = {}): Promise<Change> {
    this.registry.forget(connId);
    const rec = this.users.get(userId);
    const events: PresenceEvent[] = [];
    if (!rec || !rec.connIds.delete(connId)) return { events };
    rec.connections = rec.connIds.size;
    if (rec.connections > 0 || rec.onlineSince === null) return { events };
    if (this.t.leaveGraceMs <= 0 || opts.immediate) {
      this.goOffline(rec, now, 'partner_gone', events);
    } else {
      rec.leavingAt = now + this.t.leaveGraceMs;
      moveToEnd(this.leaving, rec.id, rec.leavingAt);
    }
    return { events };
  }

  async setOnline(userId: string, isOnline: boolean, now: number): Promise<PresenceResult> {
    const rec = this.required(userId, now);
    const events: PresenceEvent[] = [];
    this.seen(rec, now);
    rec.hidden = !isOnline;
    if (!isOnline) this.goOffline(rec, now, 'partner_left', events);
    else if (rec.onlineSince === null && rec.connections > 0) this.goOnline(rec, now);
    return { events, presence: presenceOf(rec) };
  }

  async setSearching(userId: string, isSearching: boolean, now: number): Promise<PresenceResult> {
    const rec = this.required(userId, now);
    const events: PresenceEvent[] = [];
    this.seen(rec, now);
    if (!isSearching) {
      if (!rec.searching) throw new StoreError('not_searching', 'not in the match queue');
      this.queue.delete(rec.id);
      rec.searching = false;
      this.logStatus(rec);
      return { events, presence: presenceOf(rec) };
    }
    if (rec.partner) throw new StoreError('already_in_chat', 'already in a chat');
    if (rec.searching) return { events, presence: presenceOf(rec) };
    rec.hidden = false;
    if (rec.onlineSince === null) {
      // Only a connected user can search (sockets are the only caller); never online without one.
      if (rec.connections === 0) return { events, presence: presenceOf(rec) };
      this.goOnline(rec, now);
    }
    const other = this.firstSearcherOtherThan(rec.id);
    if (other) {
      this.queue.delete(other.id);
      other.searching = false;
      const chatId = randomUUID();
      for (const [a, b] of [[rec, other], [other, rec]] as const) {
        a.partner = pub(b);
        a.chatId = chatId;
        this.chatting.add(a.id);
        this.logStatus(a);
      }
      events.push({ type: 'matched', chatId, users: [pub(other), pub(rec)] });
    } else {
      this.queue.add(rec.id);
      rec.searching = true;
      this.logStatus(rec);
    }
    return { events, presence: presenceOf(rec) };
  }

  async leaveChat(userId: string, now: number): Promise<Change> {
    const rec = this.required(userId, now);
    this.seen(rec, now);
    if (!rec.partner) throw new StoreError('not_in_chat', 'not in a chat');
    const events: PresenceEvent[] = [];
    this.endChat(rec, 'partner_left', events);
    return { events };
  }

  async sweep(now: number): Promise<Change> {
    const events: PresenceEvent[] = [];
    countLeadingAtMost(this.tombstones, now, true);
    for (const [id, at] of this.leaving) {
      if (at > now) break;
      this.leaving.delete(id);
      const rec = this.users.get(id);
      if (!rec || rec.connections > 0) continue;
      rec.leavingAt = null;
      this.goOffline(rec, now, 'partner_gone', events);
    }
    for (const [id, at] of this.expiry) {
      if (at > now) break;
      events.push(...(await this.endSession(id, now, 'expired')).events);
    }
    countLeadingAtMost(this.active, now - this.t.activeWindowMs - 1, true);
    return { events };
  }

  async dropNode(nodeId: string, now: number): Promise<Change> {
    const events: PresenceEvent[] = [];
    for (const c of this.registry.ofNode(nodeId)) events.push(...(await this.disconnect(c.userId, c.connId, now)).events);
    this.registry.dropNode(nodeId);
    return { events };
  }

  async renewNode(nodeId: string, now: number, leaseMs: number): Promise<void> {
    this.registry.renew(nodeId, now + leaseMs);
  }

  async expiredNodes(now: number): Promise<string[]> {
    return this.registry.expired(now);
  }

  async nodeConnections(nodeId: string): Promise<NodeConnection[]> {
    return this.registry.ofNode(nodeId);
  }

  async restoreSessions(records: readonly RestorableSession[], now: number): Promise<number> {
    // No await inside: the whole restore is one atomic step, like every other operation.
    let written = 0;
    for (const r of records) {
      const existing = this.users.get(r.id);
      if (r.expiresAt <= now || (existing && existing.expiresAt > now)) continue;
      if ((this.tombstones.get(r.id) ?? 0) > now) continue;
      if (existing) {
        // Expired but not swept yet, while the restoring node kept it alive: revive it (times move
        // forward; its other state stays, so no event is due). Skipping it would lose the session.
        existing.lastSeen = Math.max(existing.lastSeen, r.lastSeen);
        existing.expiresAt = Math.max(existing.expiresAt, r.expiresAt);
      } else {
        const rec = this.insertSession(r.id, r.username, r.createdAt);
        rec.hidden = r.hidden;
        rec.lastSeen = r.lastSeen;
        rec.expiresAt = r.expiresAt;
      }
      this.active.set(r.id, (this.users.get(r.id) as UserRec).lastSeen);
      this.expiry.set(r.id, (this.users.get(r.id) as UserRec).expiresAt);
      written++;
    }
    // Restored times are older than `now`: re-order once so the front-pruned Maps stay sorted.
    if (written > 0) {
      sortByValue(this.active);
      sortByValue(this.expiry);
    }
    return written;
  }

  async stats(now: number): Promise<StatsSnapshot> {
    const expired = countLeadingAtMost(this.expiry, now, false);
    countLeadingAtMost(this.active, now - this.t.activeWindowMs - 1, true);
    const stats = {
      totalUsers: this.expiry.size - expired,
      onlineUsers: this.online.size,
      activeUsers: this.active.size,
      availableUsers: this.queue.size,
      connectedUsers: this.chatting.size,
    };
    const recent = this.online.newest(RECENT_ONLINE_MAX).map((id) => this.onlineUser(id));
    const fp = JSON.stringify([stats, recent.map((u) => `${u.id}:${u.status}`)]);
    if (fp !== this.fingerprint) {
      this.fingerprint = fp;
      this.seq++;
    }
    return { stats, seq: this.seq, recent };
  }

  async listOnline(cursor: string | null, limit: number): Promise<OnlinePage> {
    const page = this.online.page(cursor, limit);
    return { users: page.ids.map((id) => this.onlineUser(id)), nextCursor: page.nextCursor };
  }

  async readChanges(cursor: string | null, max: number): Promise<ChangeLogRead> {
    return this.log.read(cursor, max);
  }

  async appendHistory(point: StoredHistoryPoint): Promise<void> {
    const last = this.history.at(-1);
    if (last && point.t <= last.t) return;
    this.history.push(point);
    if (this.history.length > this.t.historyMax) this.history = this.history.slice(-this.t.historyMax);
  }

  async readHistory(since: number): Promise<StoredHistoryPoint[]> {
    return this.history.filter((p) => p.t >= since);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}

  // ---- internals -----------------------------------------------------------------------------

  private live(userId: string, now: number): UserRec | null {
    const rec = this.users.get(userId);
    return rec && rec.expiresAt > now ? rec : null;
  }

  private required(userId: string, now: number): UserRec {
    const rec = this.live(userId, now);
    if (!rec) throw new StoreError('session_not_found', 'session not found or expired');
    return rec;
  }

  private seen(rec: UserRec, now: number): void {
    rec.lastSeen = Math.max(rec.lastSeen, now);
    rec.expiresAt = Math.max(rec.expiresAt, now + this.t.sessionTtlMs);
    moveToEnd(this.active, rec.id, rec.lastSeen);
    moveToEnd(this.expiry, rec.id, rec.expiresAt);
  }

  private goOnline(rec: UserRec, now: number): void {
    rec.onlineSince = now;
    this.online.add(rec.id, now);
    this.logStatus(rec);
  }

  /** Takes a user offline: out of the queue, chat ended (partner told `partnerReason`). */
  private goOffline(rec: UserRec, _now: number, partnerReason: 'partner_gone' | 'partner_left', events: PresenceEvent[]) {
    if (rec.searching) {
      this.queue.delete(rec.id);
      rec.searching = false;
    }
    if (rec.partner) this.endChat(rec, partnerReason, events);
    if (rec.onlineSince !== null) {
      rec.onlineSince = null;
      this.online.remove(rec.id);
      this.log.append({ kind: 'left', userId: rec.id });
    }
    this.leaving.delete(rec.id);
    rec.leavingAt = null;
  }

  /** Ends `rec`'s chat: `left` for rec, `partnerReason` for the partner. */
  private endChat(rec: UserRec, partnerReason: 'partner_left' | 'partner_gone', events: PresenceEvent[]): void {
    const chatId = rec.chatId ?? '';
    const partner = rec.partner ? this.users.get(rec.partner.id) : undefined;
    for (const r of [rec, partner]) {
      if (!r) continue;
      r.partner = null;
      r.chatId = null;
      this.chatting.delete(r.id);
      if (r.onlineSince !== null && r !== rec) this.logStatus(r);
    }
    if (rec.onlineSince !== null) this.logStatus(rec);
    events.push({ type: 'chat_ended', chatId, userId: rec.id, reason: 'left' });
    if (partner) events.push({ type: 'chat_ended', chatId, userId: partner.id, reason: partnerReason });
  }

  private firstSearcherOtherThan(userId: string): UserRec | null {
    for (const id of this.queue) {
      if (id === userId) continue;
      const rec = this.users.get(id);
      if (rec) return rec;
      this.queue.delete(id);
    }
    return null;
  }

  private logStatus(rec: UserRec): void {
    if (rec.onlineSince !== null) this.log.append({ kind: 'joined', user: this.onlineUser(rec.id) });
  }

  private onlineUser(id: string): OnlineUser {
    const rec = this.users.get(id);
    if (!rec) throw new Error(`online index holds unknown user ${id}`);
    return { id, username: rec.username, status: statusOf(rec), since: rec.onlineSince ?? 0 };
  }
}

function pub(rec: PublicUser): PublicUser {
  return { id: rec.id, username: rec.username };
}

function view(rec: UserRec): SessionRecord {
  const { connIds: _connIds, ...rest } = rec;
  return { ...rest, partner: rec.partner ? { ...rec.partner } : null };
}
