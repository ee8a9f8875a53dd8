/**
 * RedisStore: the PresenceStore on Redis (single node or Cluster). Users are spread over
 * buckets, one hash tag each (keys.ts); every per-user state change is one Lua script call in
 * the user's bucket (one round trip, atomic), and the heartbeat is exactly one. Counts live in
 * per-bucket indexes the same scripts maintain, so stats never scan: a stats read is one script
 * per bucket, summed. Work that crosses tags — a chat's partner in another bucket, pairing on
 * the central queue — is done as idempotent follow-up steps that the sweep finishes if a node
 * dies half-way (context.ts, match.ts). Scripts and their KEYS/ARGV: scripts/*.lua; error
 * mapping: errors.ts; reply decoding: decode.ts.
 */
import { randomUUID } from 'node:crypto';
import { RECENT_ONLINE_MAX } from '../../protocol.js';
import type { OnlineUser, PublicUser } from '../../protocol.js';
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
  presenceOf,
} from '../types.js';
import { closeRedis } from './connect.js';
import { StoreContext, deferred } from './context.js';
import {
  type Searcher,
  decodeChanges,
  decodeOnlineUsers,
  decodeOutboxEntries,
  decodeSearchers,
  decodeSession,
  decodeStats,
  decodeTouch,
} from './decode.js';
import { type BucketKeys, storeKeys, userKeys } from './keys.js';
import { Matcher, RECOVER_AFTER_MS } from './match.js';
import * as nodeOps from './nodes.js';
import { type ScriptClient, ScriptRunner } from './runner.js';
import { SCRIPTS } from './scripts.js';

export interface RedisStoreOptions {
  /**
   * How long per-user keys outlive `expiresAt` (default 1 h). The sweep normally ends a session
   * the moment it expires; the key TTL is the backstop so nothing is left forever.
   */
  retainMs?: number;
  /** Users (or connections) one sweep / dropNode / nodeConnections script handles per call (default 500). */
  batchSize?: number;
  /**
   * Buckets users are spread over (default 1: everything on one slot, the cheapest for a single
   * Redis; on a Cluster use several so user state spreads over the masters: REDIS_BUCKETS).
   */
  buckets?: number;
}

const CURSOR = /^(\d{1,16}):(.+)$/;
const LOG_CURSOR = /^\d{1,15}$/;

/** Newest first: greater `since` first, then greater id (as list_online.lua and MemoryStore). */
function newestFirst(x: OnlineUser, y: OnlineUser): number {
  if (x.since !== y.since) return y.since - x.since;
  return x.id === y.id ? 0 : x.id < y.id ? 1 : -1;
}

export class RedisStore implements PresenceStore {
  readonly kind = 'redis';
  private readonly c: StoreContext;
  private readonly matcher: Matcher;

  /** Takes a connected client (createClient or createCluster) and owns it from now on. */
  constructor(
    private readonly client: ScriptClient,
    prefix: string,
    private readonly t: StoreTimings,
    options: RedisStoreOptions = {},
  ) {
    const keys = storeKeys(prefix, options.buckets ?? 1);
    this.c = new StoreContext(new ScriptRunner(client), keys, t, options.retainMs ?? 3_600_000, options.batchSize ?? 500);
    this.matcher = new Matcher(this.c);
  }

  /**
   * Records this store's bucket count under the prefix, or checks it against the recorded one:
   * nodes with different counts would look for the same user in different buckets. Changing the
   * count of a deployment means a new REDIS_PREFIX.
   */
  async checkLayout(): Promise<void> {
    const count = this.c.keys.buckets.length;
    const recorded = await this.c.run.raw(SCRIPTS.layout, [this.c.keys.central.layout], [count]);
    if (String(recorded) !== String(count)) {
      throw new Error(`REDIS_BUCKETS is ${count} but the data under this REDIS_PREFIX uses ${String(recorded)} buckets`);
    }
  }

  async createSession(input: { id: string; username: string; now: number }): Promise<SessionRecord> {
    const out = await this.c.user('create_session', input.id, input.now, [input.username]);
    return decodeSession(out.r);
  }

  async getSession(userId: string, now: number): Promise<SessionRecord | null> {
    const out = await this.c.run.json(SCRIPTS.get_session, [this.c.keys.bucketOf(userId).user(userId)], [userId]);
    if (out.r === undefined) return null;
    const session = decodeSession(out.r);
    return session.expiresAt > now ? session : null;
  }

  async endSession(userId: string, now: number, reason: 'deleted' | 'expired'): Promise<Change> {
    return this.change(userId, now, await this.c.user('end_session', userId, now, [reason]));
  }

  async connect(input: ConnectInput): Promise<PresenceResult> {
    const { userId, connId, nodeId, now } = input;
    const b = this.c.keys.bucketOf(userId);
    const keys = [...userKeys(b, userId), b.node(nodeId)];
    const out = await this.c.run.json(SCRIPTS.connect, keys, [...this.c.common(b, now), userId, connId, nodeId]);
    return this.presenceResult(userId, now, out);
  }

  async touch(userId: string, connId: string, now: number): Promise<{ partner: PublicUser | null; chatId: string | null }> {
    return decodeTouch(await this.c.user('touch', userId, now, [connId]));
  }

  async disconnect(userId: string, connId: string, now: number, opts: DisconnectOptions = {}): Promise<Change> {
    const grace = opts.immediate ? 0 : this.t.leaveGraceMs;
    return this.change(userId, now, await this.c.user('disconnect', userId, now, [connId], grace));
  }

  async setOnline(userId: string, isOnline: boolean, now: number): Promise<PresenceResult> {
    return this.presenceResult(userId, now, await this.c.user('set_online', userId, now, [isOnline ? 1 : 0]));
  }

  async setSearching(userId: string, isSearching: boolean, now: number): Promise<PresenceResult> {
    // The search token is made here: scripts must be deterministic (replicated by effects or not).
    const token = randomUUID();
    const out = await this.c.user('search', userId, now, [isSearching ? 1 : 0, token]);
    const result = await this.presenceResult(userId, now, out);
    if (out.q !== 1) return result;
    // The search has begun; pairing that cannot finish now is finished by the sweep (match.ts).
    const offered = await this.matcher
      .offer({ id: userId, token, name: decodeSession(out.r).username, arrival: null }, now)
      .catch((err: unknown) => ({ events: deferred(err), paired: null }));
    result.events.push(...offered.events);
    if (offered.paired) result.presence = presenceOf(offered.paired);
    return result;
  }

  async leaveChat(userId: string, now: number): Promise<Change> {
    return this.change(userId, now, await this.c.user('leave_chat', userId, now));
  }

  async sweep(now: number): Promise<Change> {
    const waiting = new Map<string, Searcher>();
    const perBucket = await Promise.all(this.c.keys.buckets.map((b) => this.sweepBucket(b, now, waiting)));
    const events = perBucket.flat();
    events.push(...(await this.matcher.recover(now, [...waiting.values()])));
    return { events };
  }

  async dropNode(nodeId: string, now: number): Promise<Change> {
    return nodeOps.dropNode(this.c, nodeId, now);
  }

  async renewNode(nodeId: string, now: number, leaseMs: number): Promise<void> {
    await nodeOps.renewNode(this.c, nodeId, now, leaseMs);
  }

  async expiredNodes(now: number): Promise<string[]> {
    return nodeOps.expiredNodes(this.c, now);
  }

  async nodeConnections(nodeId: string): Promise<NodeConnection[]> {
    return nodeOps.nodeConnections(this.c, nodeId);
  }

  async restoreSessions(records: readonly RestorableSession[], now: number): Promise<number> {
    return nodeOps.restoreSessions(this.c, records, now);
  }

  /**
   * Sums the buckets. Each bucket keeps its own seq, moved when its observed numbers or recent
   * users differ; the snapshot's seq is their sum, so it moves whenever the whole does and never
   * goes back (as before, shared by every node reading the same Redis).
   */
  async stats(now: number): Promise<StatsSnapshot> {
    const snaps = await Promise.all(
      this.c.keys.buckets.map(async (b) => {
        const keys = [b.sessions, b.active, b.online, b.queue, b.chatting, b.statsFingerprint, b.statsSeq];
        const args = [b.base, now, this.t.activeWindowMs, RECENT_ONLINE_MAX];
        return decodeStats(await this.c.run.json(SCRIPTS.stats, keys, args));
      }),
    );
    const total = { totalUsers: 0, onlineUsers: 0, activeUsers: 0, availableUsers: 0, connectedUsers: 0 };
    let seq = 0;
    for (const s of snaps) {
      for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += s.stats[k];
      seq += s.seq;
    }
    // The two users of a chat may live in different buckets, claimed into it (or released) one
    // step after the other: for the moment between, one of them counts. Rounding down to even
    // reads such a chat as not made yet (or already ended), as a single snapshot would.
    total.connectedUsers -= total.connectedUsers % 2;
    const recent = snaps.flatMap((s) => s.recent).sort(newestFirst).slice(0, RECENT_ONLINE_MAX);
    return { stats: total, seq, recent };
  }

  /**
   * Merges the buckets' pages (each in the global order, after the same cursor). A bucket that
   * has more than it returned bounds the page: nothing past its last row may be shown yet, or
   * its rows between would be skipped.
   */
  async listOnline(cursor: string | null, limit: number): Promise<OnlinePage> {
    let since = '';
    let id = '';
    if (cursor !== null) {
      const m = CURSOR.exec(cursor);
      // Like MemoryStore: a cursor that is not one of ours is past the end.
      if (!m?.[1] || !m[2]) return { users: [], nextCursor: null };
      [since, id] = [m[1], m[2]];
    }
    const n = Math.floor(limit);
    if (!(n >= 1)) return { users: [], nextCursor: null };
    const pages = await Promise.all(
      this.c.keys.buckets.map(async (b) => {
        const out = await this.c.run.json(SCRIPTS.list_online, [b.online], [b.base, since, id, n]);
        const next = Array.isArray(out.n) ? { id: String(out.n[1]), since: Number(out.n[0]) } : null;
        return { users: decodeOnlineUsers(out.u), next };
      }),
    );
    let bound: OnlineUser | null = null;
    for (const p of pages) {
      const edge = p.next && { id: p.next.id, username: '', status: 'online' as const, since: p.next.since };
      if (edge && (!bound || newestFirst(edge, bound) < 0)) bound = edge;
    }
    const merged = pages.flatMap((p) => p.users).sort(newestFirst);
    const shown = bound ? merged.filter((u) => bound && newestFirst(u, bound) <= 0) : merged;
    const users = shown.slice(0, n);
    const last = shown.length > n ? users.at(-1) : bound;
    return { users, nextCursor: last ? `${last.since}:${last.id}` : null };
  }

  /**
   * Each bucket keeps its own change log; the cursor is their entry numbers joined by `.` (with
   * one bucket, just the number). At most `max` changes, shared out over the buckets.
   */
  async readChanges(cursor: string | null, max: number): Promise<ChangeLogRead> {
    const buckets = this.c.keys.buckets;
    const parts = cursor === null ? null : cursor.split('.');
    const valid = parts === null || (parts.length === buckets.length && parts.every((p) => LOG_CURSOR.test(p)));
    const total = Math.max(0, Math.floor(max));
    const reads = await Promise.all(
      buckets.map(async (b, i) => {
        const share = Math.floor(total / buckets.length) + (i < total % buckets.length ? 1 : 0);
        const from = valid && parts ? (parts[i] ?? '') : '';
        const out = await this.c.run.json(SCRIPTS.read_changes, [b.log, b.logSeq], [from, share]);
        return { cursor: String(out.c), changes: decodeChanges(out.x), truncated: out.t === 1 };
      }),
    );
    return {
      cursor: reads.map((r) => r.cursor).join('.'),
      changes: reads.flatMap((r) => r.changes),
      // A cursor we never issued: the reader must start over, like an overrun one.
      truncated: reads.some((r) => r.truncated) || !valid,
    };
  }

  async appendHistory(point: StoredHistoryPoint): Promise<void> {
    const { t, onlineUsers, activeUsers, availableUsers, connectedUsers } = point;
    const json = JSON.stringify({ t, onlineUsers, activeUsers, availableUsers, connectedUsers });
    await this.c.run.raw(SCRIPTS.append_history, [this.c.keys.central.history], [json, this.t.historyMax, t]);
  }

  async readHistory(since: number): Promise<StoredHistoryPoint[]> {
    const rows = await this.c.run.raw(SCRIPTS.read_history, [this.c.keys.central.history], []);
    if (!Array.isArray(rows)) throw new Error('read_history: reply is not a list');
    return rows
      .map((row) => JSON.parse(String(row)) as StoredHistoryPoint)
      .filter((p) => p.t >= since);
  }

  async ping(): Promise<boolean> {
    try {
      await this.client.ping();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await closeRedis(this.client);
  }

  // ---- internals -----------------------------------------------------------------------------

  private async change(userId: string, now: number, out: Record<string, unknown>): Promise<Change> {
    return { events: await this.c.follow(this.c.keys.bucketOf(userId), out, now) };
  }

  private async presenceResult(userId: string, now: number, out: Record<string, unknown>): Promise<PresenceResult> {
    const events = await this.c.follow(this.c.keys.bucketOf(userId), out, now);
    return { events, presence: presenceOf(decodeSession(out.r)) };
  }

  /** One bucket's sweep, its follow-ups and stale outbox entries; long searches go to `waiting`. */
  private async sweepBucket(b: BucketKeys, now: number, waiting: Map<string, Searcher>): Promise<PresenceEvent[]> {
    const events: PresenceEvent[] = [];
    const args = [this.c.batchSize, this.t.activeWindowMs, now - RECOVER_AFTER_MS, now - RECOVER_AFTER_MS];
    const replies = await this.c.batched(async () => {
      const out = await this.c.bucket('sweep', b, now, [], args);
      events.push(...(await this.c.follow(b, out, now)));
      return out;
    });
    // Reported with the last batch only (sweep.lua).
    const last = replies.at(-1) ?? {};
    const stale = decodeOutboxEntries(last.o);
    if (stale.length > 0) events.push(...(await this.c.followUps(b, stale, now)));
    for (const s of decodeSearchers(last.w)) waiting.set(s.id, s);
    return events;
  }
}
