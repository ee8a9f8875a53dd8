/**
 * What one node knows about the sessions and connections it serves, kept by FailoverStore from
 * the results of the operations that pass through it (no extra round trip). When the store goes
 * down it is all the node has: the fallback memory is seeded from it, and after an outage it
 * says which connections to re-register and what each client was last told about its chat.
 *
 * Bounded: at most `max` session records, oldest use first out, except sessions with a live
 * connection on this node (those must survive an outage, so they are never evicted).
 */
import type { Presence, PublicUser } from '../../protocol.js';
import type { PresenceEvent, SessionRecord } from '../types.js';

export interface TrackedConn {
  userId: string;
  nodeId: string;
}

export class Ledger {
  /** user id -> last known record, in order of last use (oldest first) */
  private readonly sessions = new Map<string, SessionRecord>();
  /** connection id -> owner, for every live connection registered through this store */
  readonly conns = new Map<string, TrackedConn>();
  private readonly connsByUser = new Map<string, Set<string>>();
  /** node id -> lease length, for every lease this node renews */
  readonly leases = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly sessionTtlMs: number,
  ) {}

  get(userId: string): SessionRecord | undefined {
    return this.sessions.get(userId);
  }

  /** Live (unexpired at `now`) records, copies. */
  records(now: number): SessionRecord[] {
    return [...this.sessions.values()].filter((r) => r.expiresAt > now).map((r) => ({ ...r }));
  }

  /** A record from the store (createSession, getSession): the newest word on that session. */
  remember(rec: SessionRecord): void {
    this.sessions.delete(rec.id);
    this.sessions.set(rec.id, { ...rec, partner: rec.partner ? { ...rec.partner } : null });
    this.evict();
  }

  /** Activity the store accepted: times slide as the store slides them; presence when known. */
  sawActivity(userId: string, now: number, presence?: Presence, hidden?: boolean): void {
    const rec = this.sessions.get(userId);
    if (!rec) return;
    rec.lastSeen = Math.max(rec.lastSeen, now);
    rec.expiresAt = Math.max(rec.expiresAt, now + this.sessionTtlMs);
    if (hidden !== undefined) rec.hidden = hidden;
    if (presence) {
      rec.searching = presence.isSearching;
      this.setChat(rec, presence.partner, presence.chatId);
    }
    this.sessions.delete(userId);
    this.sessions.set(userId, rec);
  }

  /** The chat a touch reported (the relay path refreshes it on every message). */
  sawChat(userId: string, partner: PublicUser | null, chatId: string | null): void {
    const rec = this.sessions.get(userId);
    if (rec) this.setChat(rec, partner, chatId);
  }

  /** Events of any result: matches and ended chats update the records; ended sessions go. */
  observe(events: readonly PresenceEvent[]): void {
    for (const e of events) {
      if (e.type === 'matched') {
        const [a, b] = e.users;
        for (const [me, other] of [[a, b], [b, a]] as const) {
          const rec = this.sessions.get(me.id);
          if (!rec) continue;
          rec.searching = false;
          this.setChat(rec, { ...other }, e.chatId);
        }
      } else if (e.type === 'chat_ended') {
        const rec = this.sessions.get(e.userId);
        if (rec && (rec.chatId === e.chatId || e.chatId === '')) this.setChat(rec, null, null);
      } else {
        this.forget(e.userId);
      }
    }
  }

  /** The session ended: its record and connections go. */
  forget(userId: string): void {
    this.sessions.delete(userId);
    for (const connId of this.connsByUser.get(userId) ?? []) this.conns.delete(connId);
    this.connsByUser.delete(userId);
  }

  connected(connId: string, userId: string, nodeId: string): void {
    const previous = this.conns.get(connId);
    if (previous && previous.userId !== userId) this.disconnected(connId);
    this.conns.set(connId, { userId, nodeId });
    let set = this.connsByUser.get(userId);
    if (!set) this.connsByUser.set(userId, (set = new Set()));
    set.add(connId);
  }

  disconnected(connId: string): TrackedConn | undefined {
    const conn = this.conns.get(connId);
    if (!conn) return undefined;
    this.conns.delete(connId);
    const set = this.connsByUser.get(conn.userId);
    set?.delete(connId);
    if (set?.size === 0) this.connsByUser.delete(conn.userId);
    return conn;
  }

  /** The node's connections were dropped (shutdown or reap) and its lease with them. */
  droppedNode(nodeId: string): void {
    for (const [connId, conn] of [...this.conns]) if (conn.nodeId === nodeId) this.disconnected(connId);
    this.leases.delete(nodeId);
  }

  /** Connections of one user, as [connId, conn]. */
  userConns(userId: string): [string, TrackedConn][] {
    return [...(this.connsByUser.get(userId) ?? [])].flatMap((connId) => {
      const conn = this.conns.get(connId);
      return conn ? [[connId, conn] as [string, TrackedConn]] : [];
    });
  }

  /** User ids with at least one live connection here. */
  connectedUsers(): string[] {
    return [...this.connsByUser.keys()];
  }

  private setChat(rec: SessionRecord, partner: PublicUser | null, chatId: string | null): void {
    rec.partner = partner ? { ...partner } : null;
    rec.chatId = chatId;
  }

  /** Drops the least recently used records beyond `max`, skipping those with a live connection. */
  private evict(): void {
    // One pass at most (deleting the visited entry is safe while iterating a Map).
    for (const id of this.sessions.keys()) {
      if (this.sessions.size <= this.max) break;
      if (!this.connsByUser.has(id)) this.sessions.delete(id);
    }
  }
}
