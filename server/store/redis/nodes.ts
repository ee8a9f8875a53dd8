/**
 * The RedisStore operations around server nodes and outages: node leases (renew, expired),
 * the connections a node registered (self-repair) and writing sessions back after an outage.
 * Kept apart from store.ts, which holds the per-user presence operations.
 */
import type { NodeConnection, SessionRecord } from '../types.js';
import type { StoreKeys } from './keys.js';
import { presenceKeys } from './keys.js';
import type { ScriptArg, ScriptRunner } from './runner.js';
import { SCRIPTS } from './scripts.js';

export interface NodeOpsContext {
  run: ScriptRunner;
  keys: StoreKeys;
  /** ARGV[1..6] of the presence scripts at `now` */
  common(now: number): ScriptArg[];
  /** items per script call */
  batchSize: number;
}

/** Paged loops stop here even if Redis keeps answering `more` (a bug, not a workload). */
const MAX_PAGES = 10_000;
/** Expired leases returned per call: dead nodes are few, and the next reap sees the rest. */
const MAX_EXPIRED = 1_000;
/** Sessions per restore_sessions call: KEYS and ARGV grow with it, so keep calls moderate. */
const RESTORE_BATCH = 100;

export async function renewNode(c: NodeOpsContext, nodeId: string, now: number, leaseMs: number): Promise<void> {
  await c.run.raw(SCRIPTS.renew_node, [c.keys.nodes], [nodeId, now + leaseMs]);
}

export async function expiredNodes(c: NodeOpsContext, now: number): Promise<string[]> {
  const ids = await c.run.raw(SCRIPTS.expired_nodes, [c.keys.nodes], [now, MAX_EXPIRED]);
  if (!Array.isArray(ids)) throw new Error('expired_nodes: reply is not a list');
  return ids.map(String);
}

export async function nodeConnections(c: NodeOpsContext, nodeId: string): Promise<NodeConnection[]> {
  const found: NodeConnection[] = [];
  let cursor = '';
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await c.run.json(SCRIPTS.node_connections, [c.keys.node(nodeId)], [c.keys.base, nodeId, cursor, c.batchSize]);
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

export async function restoreSessions(c: NodeOpsContext, records: readonly SessionRecord[], now: number): Promise<number> {
  let written = 0;
  for (let start = 0; start < records.length; start += RESTORE_BATCH) {
    const batch = records.slice(start, start + RESTORE_BATCH);
    const keys = [...presenceKeys(c.keys), ...batch.flatMap((r) => [c.keys.user(r.id), c.keys.conns(r.id)])];
    const args: ScriptArg[] = [...c.common(now), batch.length];
    for (const r of batch) args.push(r.id, r.username, r.createdAt, r.expiresAt, r.lastSeen, r.hidden ? 1 : 0);
    const n = await c.run.raw(SCRIPTS.restore_sessions, keys, args);
    if (typeof n !== 'number') throw new Error('restore_sessions: reply is not a number');
    written += n;
  }
  return written;
}
