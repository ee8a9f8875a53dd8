/**
 * The RedisStore operations around server nodes and outages: node leases (renew, expired,
 * drop), the connections a node registered (self-repair) and writing sessions back after an
 * outage. A node's connections are kept per bucket (`n:<nodeId>` in each bucket that has one),
 * so these visit every bucket. Kept apart from store.ts, which holds the per-user operations.
 */
import type { Change, NodeConnection, PresenceEvent, RestorableSession } from '../types.js';
import type { StoreContext } from './context.js';
import type { BucketKeys } from './keys.js';
import type { ScriptArg } from './runner.js';
import { SCRIPTS } from './scripts.js';

/** Paged loops stop here even if Redis keeps answering `more` (a bug, not a workload). */
const MAX_PAGES = 10_000;
/** Expired leases returned per call: dead nodes are few, and the next reap sees the rest. */
const MAX_EXPIRED = 1_000;
/** Sessions per restore_sessions call: KEYS and ARGV grow with it, so keep calls moderate. */
const RESTORE_BATCH = 100;

export async function renewNode(c: StoreContext, nodeId: string, now: number, leaseMs: number): Promise<void> {
  await c.run.raw(SCRIPTS.renew_node, [c.keys.central.nodes], [nodeId, now + leaseMs]);
}

export async function expiredNodes(c: StoreContext, now: number): Promise<string[]> {
  const ids = await c.run.raw(SCRIPTS.expired_nodes, [c.keys.central.nodes], [now, MAX_EXPIRED]);
  if (!Array.isArray(ids)) throw new Error('expired_nodes: reply is not a list');
  return ids.map(String);
}

/** Drops the node's connections bucket by bucket, then its lease (an interrupted drop is retried). */
export async function dropNode(c: StoreContext, nodeId: string, now: number): Promise<Change> {
  const perBucket = await Promise.all(
    c.keys.buckets.map(async (b) => {
      const events: PresenceEvent[] = [];
      await c.batched(async () => {
        const out = await c.bucket('drop_node', b, now, [b.node(nodeId)], [nodeId, c.batchSize]);
        events.push(...(await c.follow(b, out, now)));
        return out;
      });
      return events;
    }),
  );
  await c.run.raw(SCRIPTS.drop_lease, [c.keys.central.nodes], [nodeId]);
  return { events: perBucket.flat() };
}

export async function nodeConnections(c: StoreContext, nodeId: string): Promise<NodeConnection[]> {
  const perBucket = await Promise.all(c.keys.buckets.map((b) => bucketConnections(c, b, nodeId)));
  return perBucket.flat();
}

async function bucketConnections(c: StoreContext, b: BucketKeys, nodeId: string): Promise<NodeConnection[]> {
  const found: NodeConnection[] = [];
  let cursor = '';
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await c.run.json(SCRIPTS.node_connections, [b.node(nodeId)], [b.base, nodeId, cursor, c.batchSize]);
    for (const row of Array.isArray(out.c) ? out.c : []) {
      if (!Array.isArray(row) || typeof row[0] !== 'string' || typeof row[1] !== 'string') {
        throw new Error(`node_connections: malformed row ${JSON.stringify(row)}`);
      }
      found.push({ userId: row[0], connId: row[1] });
    }
    if (typeof out.n !== 'string') break;
    cursor = out.n;
  }
  return found;
}

export async function restoreSessions(c: StoreContext, records: readonly RestorableSession[], now: number): Promise<number> {
  const byBucket = new Map<BucketKeys, RestorableSession[]>();
  for (const r of records) {
    const b = c.keys.bucketOf(r.id);
    const list = byBucket.get(b);
    if (list) list.push(r);
    else byBucket.set(b, [r]);
  }
  let written = 0;
  for (const [b, list] of byBucket) {
    for (let start = 0; start < list.length; start += RESTORE_BATCH) {
      const batch = list.slice(start, start + RESTORE_BATCH);
      const keys = [...b.indexes, ...batch.flatMap((r) => [b.user(r.id), b.conns(r.id)])];
      const args: ScriptArg[] = [...c.common(b, now), batch.length];
      for (const r of batch) args.push(r.id, r.username, r.createdAt, r.expiresAt, r.lastSeen, r.hidden ? 1 : 0);
      const n = await c.run.raw(SCRIPTS.restore_sessions, keys, args);
      if (typeof n !== 'number') throw new Error('restore_sessions: reply is not a number');
      written += n;
    }
  }
  return written;
}
