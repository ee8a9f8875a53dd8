/**
 * RedisStore: the PresenceStore on Redis (single node or Cluster). Every state change is one Lua
 * script call (one round trip, atomic); counts live in sorted sets and sets that the same scripts
 * maintain, so stats never scan. Key names: keys.ts; scripts and their KEYS/ARGV: scripts/*.lua;
 * error mapping: errors.ts; reply decoding: decode.ts.
 */
import { randomUUID } from 'node:crypto';
import type { PublicUser } from '../../protocol.js';
import { RECENT_ONLINE_MAX } from '../../protocol.js';
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
  type SessionRecord,
  type StatsSnapshot,
  type StoreTimings,
  type StoredHistoryPoint,
  presenceOf,
} from '../types.js';
import { decodeChanges, decodeEvents, decodeOnlineUsers, decodeSession, decodeStats, decodeTouch } from './decode.js';
import { type StoreKeys, presenceKeys, storeKeys } from './keys.js';
import * as nodeOps from './nodes.js';
import { type ScriptArg, type ScriptClient, ScriptRunner } from './runner.js';
import { SCRIPTS } from './scripts.js';

export interface RedisStoreOptions {
  /**
   * How long per-user keys outlive `expiresAt` (default 1 h). The sweep normally ends a session
   * the moment it expires; the key TTL is the backstop so nothing is left forever.
   */
  retainMs?: number;
  /** Users (or connections) one sweep / dropNode / nodeConnections script handles per call (default 500). */
  batchSize?: number;
}

/** Batched loops stop here even if Redis keeps answering `more` (a bug, not a workload). */
const MAX_BATCHES = 10_000;
const CURSOR = /^(\d{1,16}):(.+)$/;
const LOG_CURSOR = /^\d{1,15}$/;

export class RedisStore implements PresenceStore {
  readonly kind = 'redis';
  private readonly keys: StoreKeys;
  private readonly run: ScriptRunner;
  private readonly retainMs: number;
  private readonly batchSize: number;
  private readonly nodeOps: nodeOps.NodeOpsContext;

  /** Takes a connected client (createClient or createCluster) and owns it from now on. */
  constructor(
    private readonly client: ScriptClient,
    prefix: string,
    private readonly t: StoreTimings,
    options: RedisStoreOptions = {},
  ) {
    this.keys = storeKeys(prefix);
    this.run = new ScriptRunner(client);
    this.retainMs = options.retainMs ?? 3_600_000;
    this.batchSize = options.batchSize ?? 500;
    this.nodeOps = { run: this.run, keys: this.keys, common: (now) => this.common(now), batchSize: this.batchSize };
  }

  async createSession(input: { id: string; username: string; now: number }): Promise<SessionRecord> {
    const out = await this.run.json(SCRIPTS.create_session, this.userKeys(input.id), [
      ...this.common(input.now),
      input.id,
      input.username,
    ]);
    return decodeSession(out.r);
  }

  async getSession(userId: string, now: number): Promise<SessionRecord | null> {
    const out = await this.run.json(SCRIPTS.get_session, [this.keys.user(userId)], [userId]);
    if (out.r === undefined) return null;
    const session = decodeSession(out.r);
    return session.expiresAt > now ? session : null;
  }

  async endSession(userId: string, now: number, reason: 'deleted' | 'expired'): Promise<Change> {
    return this.change('end_session', userId, now, [reason]);
  }

  async connect(input: ConnectInput): Promise<PresenceResult> {
    const keys = [...this.userKeys(input.userId), this.keys.node(input.nodeId)];
    const args = [...this.common(input.now), input.userId, input.connId, input.nodeId];
    return this.presenceResult(await this.run.json(SCRIPTS.connect, keys, args));
  }

  async touch(userId: string, connId: string, now: number): Promise<{ partner: PublicUser | null; chatId: string | null }> {
    const out = await this.run.json(SCRIPTS.touch, this.userKeys(userId), [...this.common(now), userId, connId]);
    return decodeTouch(out);
  }

  async disconnect(userId: string, connId: string, now: number, opts: DisconnectOptions = {}): Promise<Change> {
    return this.change('disconnect', userId, now, [connId], opts.immediate ? 0 : this.t.leaveGraceMs);
  }

  async setOnline(userId: string, isOnline: boolean, now: number): Promise<PresenceResult> {
    const args = [...this.common(now), userId, isOnline ? 1 : 0];
    return this.presenceResult(await this.run.json(SCRIPTS.set_online, this.userKeys(userId), args));
  }

  async setSearching(userId: string, isSearching: boolean, now: number): Promise<PresenceResult> {
    // The chat id is made here: scripts must be deterministic (replicated by effects or not).
    const args = [...this.common(now), userId, isSearching ? 1 : 0, randomUUID()];
    return this.presenceResult(await this.run.json(SCRIPTS.set_searching, this.userKeys(userId), args));
  }

  async leaveChat(userId: string, now: number): Promise<Change> {
    return this.change('leave_chat', userId, now, []);
  }

  async sweep(now: number): Promise<Change> {
    const args = [...this.common(now), this.batchSize, this.t.activeWindowMs];
    return this.batched(() => this.run.json(SCRIPTS.sweep, presenceKeys(this.keys), args));
  }

  async dropNode(nodeId: string, now: number): Promise<Change> {
    const keys = [...presenceKeys(this.keys), this.keys.node(nodeId), this.keys.nodes];
    const args = [...this.common(now), nodeId, this.batchSize];
    return this.batched(() => this.run.json(SCRIPTS.drop_node, keys, args));
  }

  async renewNode(nodeId: string, now: number, leaseMs: number): Promise<void> {
    await nodeOps.renewNode(this.nodeOps, nodeId, now, leaseMs);
  }

  async expiredNodes(now: number): Promise<string[]> {
    return nodeOps.expiredNodes(this.nodeOps, now);
  }

  async nodeConnections(nodeId: string): Promise<NodeConnection[]> {
    return nodeOps.nodeConnections(this.nodeOps, nodeId);
  }

  async restoreSessions(records: SessionRecord[], now: number): Promise<number> {
    return nodeOps.restoreSessions(this.nodeOps, records, now);
  }

  async stats(now: number): Promise<StatsSnapshot> {
    const k = this.keys;
    const keys = [k.sessions, k.active, k.online, k.queue, k.chatting, k.statsFingerprint, k.statsSeq];
    const args = [k.base, now, this.t.activeWindowMs, RECENT_ONLINE_MAX];
    return decodeStats(await this.run.json(SCRIPTS.stats, keys, args));
  }

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
    const out = await this.run.json(SCRIPTS.list_online, [this.keys.online], [this.keys.base, since, id, n]);
    const next = out.n === undefined ? null : (out.n as unknown[]);
    return {
      users: decodeOnlineUsers(out.u),
      nextCursor: next ? `${String(next[0])}:${String(next[1])}` : null,
    };
  }

  async readChanges(cursor: string | null, max: number): Promise<ChangeLogRead> {
    const valid = cursor === null || LOG_CURSOR.test(cursor);
    const keys = [this.keys.log, this.keys.logSeq];
    const n = Math.max(0, Math.floor(max));
    const out = await this.run.json(SCRIPTS.read_changes, keys, [valid ? (cursor ?? '') : '', n]);
    return {
      cursor: String(out.c),
      changes: decodeChanges(out.x),
      // A cursor we never issued: the reader must start over, like an overrun one.
      truncated: out.t === 1 || !valid,
    };
  }

  async appendHistory(point: StoredHistoryPoint): Promise<void> {
    const { t, onlineUsers, activeUsers, availableUsers, connectedUsers } = point;
    const json = JSON.stringify({ t, onlineUsers, activeUsers, availableUsers, connectedUsers });
    await this.run.raw(SCRIPTS.append_history, [this.keys.history], [json, this.t.historyMax, t]);
  }

  async readHistory(since: number): Promise<StoredHistoryPoint[]> {
    const rows = await this.run.raw(SCRIPTS.read_history, [this.keys.history], []);
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
    try {
      await this.client.close();
    } catch {
      // Already closed or never reconnected: nothing left to release.
    }
  }

  // ---- internals -----------------------------------------------------------------------------

  /** ARGV[1..6] of every presence script (lib/presence.lua). */
  private common(now: number, graceMs = this.t.leaveGraceMs): ScriptArg[] {
    const t = this.t;
    return [this.keys.base, now, t.sessionTtlMs, graceMs, t.changeLogMax, this.retainMs];
  }

  /** KEYS[1..11] of the per-user presence scripts. */
  private userKeys(userId: string): string[] {
    return [...presenceKeys(this.keys), this.keys.user(userId), this.keys.conns(userId)];
  }

  private async change(
    script: 'end_session' | 'disconnect' | 'leave_chat',
    userId: string,
    now: number,
    extra: ScriptArg[],
    graceMs = this.t.leaveGraceMs,
  ): Promise<Change> {
    const out = await this.run.json(SCRIPTS[script], this.userKeys(userId), [...this.common(now, graceMs), userId, ...extra]);
    return { events: decodeEvents(out.ev) };
  }

  private presenceResult(out: Record<string, unknown>): PresenceResult {
    return { events: decodeEvents(out.ev), presence: presenceOf(decodeSession(out.r)) };
  }

  /** Repeats a batched script while it reports more work, collecting the events in order. */
  private async batched(step: () => Promise<Record<string, unknown>>): Promise<Change> {
    const events: PresenceEvent[] = [];
    for (let i = 0; i < MAX_BATCHES; i++) {
      const out = await step();
      events.push(...decodeEvents(out.ev));
      if (out.more !== 1) break;
    }
    return { events };
  }
}
