/**
 * A node's place among its peers: it holds a lease in the store (renewed well inside
 * NODE_LEASE_MS), reaps the connections of any node whose lease lapsed (a SIGKILLed node's users
 * then go offline after the leave grace), and repairs drift between its live sockets and what the
 * store says it owns. Repairs are counted; a healthy cluster shows zero.
 */
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import type { Dispatch } from '../presence/dispatch.js';
import type { NodeConnection, PresenceStore } from '../store/types.js';

export interface MembershipDeps {
  nodeId: string;
  store: PresenceStore;
  leaseMs: number;
  now: () => number;
  dispatch: Dispatch;
  metrics: Metrics;
  log: Logger;
  /** this node's live sockets, as the store should know them */
  liveConnections: () => NodeConnection[];
  /** disconnects a local socket whose session is gone */
  dropLocal: (connId: string) => void;
}

export class Membership {
  private recoveredAt = -Infinity;

  constructor(private readonly d: MembershipDeps) {}

  /**
   * Notes a store recovery: for one lease period no node is reaped, because peers that lost
   * Redis too may still be degraded with lapsed leases while alive.
   */
  recovered(): void {
    this.recoveredAt = this.d.now();
  }

  /** Renews this node's lease, then drops every node whose lease lapsed. */
  async heartbeat(): Promise<void> {
    const now = this.d.now();
    await this.d.store.renewNode(this.d.nodeId, now, this.d.leaseMs);
    if (now - this.recoveredAt < this.d.leaseMs) return;
    for (const dead of await this.d.store.expiredNodes(now)) {
      if (dead === this.d.nodeId) continue;
      this.d.log.warn({ node: dead }, 'node lease lapsed: taking its connections offline');
      this.d.dispatch(await this.d.store.dropNode(dead, now));
      this.d.metrics.reapedNodes.inc();
    }
  }

  /**
   * Makes the store's record of this node's connections equal its live sockets. The store's list
   * is read before the sockets are, so a connection that appears in between is re-registered
   * (connect is idempotent) rather than removed.
   */
  async repair(): Promise<{ added: number; removed: number }> {
    const stored = await this.d.store.nodeConnections(this.d.nodeId);
    const live = this.d.liveConnections();
    const storedIds = new Set(stored.map((c) => c.connId));
    const liveIds = new Set(live.map((c) => c.connId));
    let added = 0;
    let removed = 0;
    const now = this.d.now();
    for (const c of live) {
      if (storedIds.has(c.connId)) continue;
      try {
        await this.d.store.connect({ ...c, nodeId: this.d.nodeId, now });
        added++;
      } catch (err) {
        if (err && typeof err === 'object' && 'code' in err && err.code === 'session_not_found') this.d.dropLocal(c.connId);
        else throw err;
      }
    }
    for (const c of stored) {
      if (liveIds.has(c.connId)) continue;
      this.d.dispatch(await this.d.store.disconnect(c.userId, c.connId, now));
      removed++;
    }
    if (added) this.d.metrics.repairs.inc({ kind: 'added' }, added);
    if (removed) this.d.metrics.repairs.inc({ kind: 'removed' }, removed);
    if (added || removed) this.d.log.warn({ added, removed }, 'repaired drift between live sockets and the store');
    return { added, removed };
  }
}
