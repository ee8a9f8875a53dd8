/** MemoryStore's record of which node registered which connection, and the nodes' leases. */
import type { NodeConnection } from './types.js';

export class NodeRegistry {
  private readonly conns = new Map<string, { userId: string; nodeId: string }>();
  private readonly nodes = new Map<string, Set<string>>();
  /** node id -> lease end */
  private readonly leases = new Map<string, number>();

  /** Records a connection (idempotent). */
  add(connId: string, userId: string, nodeId: string): void {
    this.conns.set(connId, { userId, nodeId });
    let set = this.nodes.get(nodeId);
    if (!set) this.nodes.set(nodeId, (set = new Set()));
    set.add(connId);
  }

  /** Forgets a connection if known. */
  forget(connId: string): void {
    const conn = this.conns.get(connId);
    if (!conn) return;
    this.conns.delete(connId);
    this.nodes.get(conn.nodeId)?.delete(connId);
  }

  /** The connections a node registered. */
  ofNode(nodeId: string): NodeConnection[] {
    return [...(this.nodes.get(nodeId) ?? [])].flatMap((connId) => {
      const conn = this.conns.get(connId);
      return conn ? [{ userId: conn.userId, connId }] : [];
    });
  }

  /** Forgets a node: its connection set and its lease. */
  dropNode(nodeId: string): void {
    this.nodes.delete(nodeId);
    this.leases.delete(nodeId);
  }

  renew(nodeId: string, until: number): void {
    this.leases.set(nodeId, until);
  }

  /** Nodes whose lease ended before `now`. */
  expired(now: number): string[] {
    return [...this.leases].filter(([, until]) => until < now).map(([id]) => id);
  }
}
