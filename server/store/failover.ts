/**
 * FailoverStore: the primary store (RedisStore) while it answers; this node's memory while it
 * does not; the primary again, reconciled, once it is back.
 *
 * - Every operation goes to the primary. The first one that fails with StoreError 'unavailable'
 *   switches the store to degraded at once (logged once per outage): a fresh MemoryStore is
 *   seeded from the ledger (the sessions this node knows and its live connections) and serves
 *   every operation, so guest creation, auth, presence and matching keep working on this node.
 * - While degraded, the primary is pinged every `probeIntervalMs`, one probe at a time. When it
 *   answers, new operations wait (bounded) while write-back.ts writes the outage back; then the
 *   primary serves again, the onRecovered listeners run (the server re-asserts its live sockets
 *   and dispatches the events), and `degraded` clears.
 * - A session the node does not know cannot be judged from memory: operations on it answer
 *   'unavailable' (clients retry) rather than 'session_not_found' (clients would drop it).
 */
import { FailoverCore } from './failover/core.js';
import { innerCursor, tagRead } from './failover/sequence.js';
import type {
  Change,
  ChangeLogRead,
  ConnectInput,
  DisconnectOptions,
  NodeConnection,
  OnlinePage,
  PresenceResult,
  PresenceStore,
  RestorableSession,
  SessionRecord,
  StatsSnapshot,
  StoredHistoryPoint,
} from './types.js';

export type { FailoverLog, FailoverOptions, Recovery, RecoveryListener } from './failover/core.js';

export class FailoverStore extends FailoverCore implements PresenceStore {
  readonly kind = 'failover';

  // ---- sessions ------------------------------------------------------------------------------

  async createSession(input: { id: string; username: string; now: number }): Promise<SessionRecord> {
    const rec = await this.exec(input.now, null, 'none', async (r) => {
      const created = await r.store.createSession(input);
      r.outage?.seeded.add(created.id);
      r.outage?.used.add(created.id);
      return created;
    });
    this.ledger.remember(rec);
    return rec;
  }

  async getSession(userId: string, now: number): Promise<SessionRecord | null> {
    const rec = await this.exec(now, userId, 'known', (r) => r.store.getSession(userId, now));
    if (rec) this.ledger.remember(rec);
    else this.ledger.forget(userId);
    return rec;
  }

  async endSession(userId: string, now: number, reason: 'deleted' | 'expired'): Promise<Change> {
    return this.change(userId, now, 'known', true, (s) => s.endSession(userId, now, reason), (o) => {
      if (reason === 'deleted') o.deleted.add(userId);
    });
  }

  // ---- connections ---------------------------------------------------------------------------

  async connect(input: ConnectInput): Promise<PresenceResult> {
    const result = await this.exec(input.now, input.userId, 'known', async (r) => {
      const res = await r.store.connect(input);
      this.ledger.connected(input.connId, input.userId, input.nodeId);
      await this.replay(r, input.userId, (m) => m.connect(input));
      return res;
    });
    this.ledger.sawActivity(input.userId, input.now, result.presence);
    return result;
  }

  async touch(userId: string, connId: string, now: number) {
    const out = await this.exec(now, userId, 'known', (r) => r.store.touch(userId, connId, now));
    this.ledger.sawActivity(userId, now);
    this.ledger.sawChat(userId, out.partner, out.chatId);
    return out;
  }

  async disconnect(userId: string, connId: string, now: number, opts: DisconnectOptions = {}): Promise<Change> {
    // Forgotten first: the socket is gone whatever the store answers.
    this.ledger.disconnected(connId);
    return this.change(userId, now, 'any', true, (s) => s.disconnect(userId, connId, now, opts), (o) => {
      o.dropped.set(connId, userId);
    });
  }

  // ---- visibility, queue, chat ---------------------------------------------------------------

  async setOnline(userId: string, isOnline: boolean, now: number): Promise<PresenceResult> {
    const res = await this.presenceChange(userId, now, (s) => s.setOnline(userId, isOnline, now));
    this.ledger.sawActivity(userId, now, res.presence, !isOnline);
    return res;
  }

  async setSearching(userId: string, isSearching: boolean, now: number): Promise<PresenceResult> {
    const res = await this.presenceChange(userId, now, (s) => s.setSearching(userId, isSearching, now));
    this.ledger.sawActivity(userId, now, res.presence, isSearching ? false : undefined);
    return res;
  }

  async leaveChat(userId: string, now: number): Promise<Change> {
    return this.change(userId, now, 'known', false, (s) => s.leaveChat(userId, now), (o) => o.changed.add(userId));
  }

  // ---- time, nodes ---------------------------------------------------------------------------

  async sweep(now: number): Promise<Change> {
    return this.change(null, now, 'none', false, (s) => s.sweep(now));
  }

  async dropNode(nodeId: string, now: number): Promise<Change> {
    const res = await this.change(null, now, 'none', false, (s) => s.dropNode(nodeId, now));
    this.ledger.droppedNode(nodeId);
    return res;
  }

  async renewNode(nodeId: string, now: number, leaseMs: number): Promise<void> {
    this.ledger.leases.set(nodeId, leaseMs);
    await this.exec(now, null, 'none', (r) => r.store.renewNode(nodeId, now, leaseMs));
  }

  async expiredNodes(now: number): Promise<string[]> {
    return this.exec(now, null, 'none', (r) => r.store.expiredNodes(now));
  }

  async nodeConnections(nodeId: string): Promise<NodeConnection[]> {
    return this.exec(0, null, 'none', (r) => r.store.nodeConnections(nodeId));
  }

  async restoreSessions(records: readonly RestorableSession[], now: number): Promise<number> {
    return this.exec(now, null, 'none', async (r) => {
      const n = await r.store.restoreSessions(records, now);
      for (const rec of records) r.outage?.seeded.add(rec.id);
      return n;
    });
  }

  // ---- reads ---------------------------------------------------------------------------------

  async stats(now: number): Promise<StatsSnapshot> {
    return this.exec(now, null, 'none', async (r) => this.seqs.stats(await r.store.stats(now), r.epoch));
  }

  async listOnline(cursor: string | null, limit: number): Promise<OnlinePage> {
    return this.exec(0, null, 'none', (r) => r.store.listOnline(cursor, limit));
  }

  async readChanges(cursor: string | null, max: number): Promise<ChangeLogRead> {
    return this.exec(0, null, 'none', async (r) => {
      const inner = innerCursor(cursor, r.epoch);
      return tagRead(await r.store.readChanges(inner ?? null, inner === undefined ? 0 : max), r.epoch, inner === undefined);
    });
  }

  async appendHistory(point: StoredHistoryPoint): Promise<void> {
    await this.exec(0, null, 'none', (r) => r.store.appendHistory(point));
  }

  async readHistory(since: number): Promise<StoredHistoryPoint[]> {
    return this.exec(0, null, 'none', (r) => r.store.readHistory(since));
  }

  /** The primary answers (readiness); `degraded` tells whether it serves yet. */
  async ping(): Promise<boolean> {
    return this.primary.ping();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.stopProbing();
    await this.primary.close();
  }
}
