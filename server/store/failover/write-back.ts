/**
 * Reconciliation after an outage: what the node did from memory is written to the primary store
 * so that it holds the truth again, whether it kept its data (a short outage) or came back empty
 * (a restarted Redis). Every step is idempotent: if the primary fails half-way, the node stays
 * degraded and the next attempt starts over from the same memory.
 */
import { type PresenceEvent, type PresenceStore, type SessionRecord, StoreError } from '../types.js';
import type { Ledger } from './ledger.js';
import type { Outage } from './outage.js';

export interface WriteBackResult {
  /** what the users concerned must be told (the server dispatches them) */
  events: PresenceEvent[];
  /** sessions written to the primary (created during the outage, or lost by a restarted Redis) */
  restored: number;
  /** live connections re-registered */
  reasserted: number;
}

/** Connections re-registered per round of parallel calls (node-redis pipelines them). */
const PARALLEL = 100;

/** Throws `unavailable` when the attempt was abandoned (timed out), so a late step stops early. */
export type AbortCheck = () => void;

export async function writeBack(
  primary: PresenceStore,
  outage: Outage,
  ledger: Ledger,
  now: number,
  checkAbort: AbortCheck,
): Promise<WriteBackResult> {
  const events: PresenceEvent[] = [];
  const memory = outage.memory;
  // 1. Leases first: no other node may take this node for dead and reap what follows.
  for (const [nodeId, leaseMs] of ledger.leases) await primary.renewNode(nodeId, now, leaseMs);
  checkAbort();

  // 2. Sessions of users connected here, created or used during the outage, as memory holds
  //    them (none is lost); existing ones are left as they are. Also those of users connected
  //    here that memory never held (a restarted Redis lost them). Other sessions the ledger
  //    knows are NOT written back: another node may have deleted one (its tombstone went with
  //    the data); a user who is away gets their session back from their token on return
  //    (auth/session.ts).
  const connected = new Set(ledger.connectedUsers());
  const wanted = [...outage.seeded].filter((id) => connected.has(id) || outage.used.has(id) || outage.changed.has(id));
  const records = (await Promise.all(wanted.map((id) => memory.getSession(id, now)))).filter(
    (r): r is SessionRecord => r !== null,
  );
  const unseen = ledger.records(now).filter((r) => connected.has(r.id) && !outage.seeded.has(r.id) && !outage.deleted.has(r.id));
  const restored = await primary.restoreSessions([...records, ...unseen], now);
  checkAbort();

  // 3. Deletions and closed connections the primary (if it kept its data) has not seen.
  for (const id of outage.deleted) events.push(...(await primary.endSession(id, now, 'deleted')).events);
  const closed = [...outage.dropped].filter(([connId]) => !ledger.conns.has(connId));
  await inRounds(closed, checkAbort, async ([connId, userId]) => {
    events.push(...(await primary.disconnect(userId, connId, now)).events);
  });

  // 4. Live connections: the users come online again, once each (connect is idempotent).
  let reasserted = 0;
  await inRounds([...ledger.conns], checkAbort, async ([connId, c]) => {
    try {
      await primary.connect({ userId: c.userId, connId, nodeId: c.nodeId, now });
      reasserted++;
    } catch (err) {
      // The session ended meanwhile: the server's own re-assert finds out and drops the socket.
      if (!(err instanceof StoreError && err.code === 'session_not_found')) throw err;
    }
  });

  // 5. Visibility, queue and chat as memory has them (see reconcileUser). One user at a time:
  //    re-queued searchers may pair with each other, in a well-defined order.
  for (const m of records) events.push(...(await reconcileUser(primary, m, outage.changed.has(m.id), now)));
  checkAbort();

  // 6. History points sampled meanwhile (appendHistory keeps the first per period).
  for (const p of await memory.readHistory(0)) await primary.appendHistory(p);
  return { events, restored, reasserted };
}

/**
 * Brings one user's visibility, queue and chat in the primary in line with memory.
 * - A searcher in memory who is neither searching nor chatting in the primary (a restarted Redis
 *   lost the queue) searches again there: a match found now is a real one, its events go out.
 * - The rest only for a user who acted during the outage (`changed`): memory's word wins over a
 *   primary that kept its data. Without that condition a short outage would end every chat that
 *   began before it, since memory never held those chats.
 * A chat made in memory cannot be carried over (only the primary pairs users); chatsLost tells
 * its users it ended.
 */
async function reconcileUser(primary: PresenceStore, m: SessionRecord, changed: boolean, now: number): Promise<PresenceEvent[]> {
  const events: PresenceEvent[] = [];
  if (!changed && !m.searching) return events;
  const r = await primary.getSession(m.id, now);
  if (!r) return events;
  const tolerate = async (op: () => Promise<{ events: PresenceEvent[] }>) => {
    try {
      events.push(...(await op()).events);
    } catch (err) {
      // A race with another node (the user matched or left there meanwhile): nothing to undo.
      if (!(err instanceof StoreError) || err.code === 'unavailable') throw err;
    }
  };
  if (!changed) {
    if (!r.searching && !r.partner && r.onlineSince !== null) await tolerate(() => primary.setSearching(m.id, true, now));
    return events;
  }
  if (m.hidden) {
    if (!r.hidden) await tolerate(() => primary.setOnline(m.id, false, now));
    return events;
  }
  if (r.hidden) await tolerate(() => primary.setOnline(m.id, true, now));
  // The primary's chat predates the outage; the user has moved on from it (left, searched...).
  if (r.partner && r.chatId !== m.chatId) await tolerate(() => primary.leaveChat(m.id, now));
  if (m.searching && !r.searching) await tolerate(() => primary.setSearching(m.id, true, now));
  if (!m.searching && r.searching) await tolerate(() => primary.setSearching(m.id, false, now));
  return events;
}

/**
 * Chats the node's connected users were last told about that the primary does not have (made in
 * memory, or lost with a restarted Redis): each such user is told it ended, once.
 */
export async function chatsLost(primary: PresenceStore, ledger: Ledger, now: number, checkAbort: AbortCheck): Promise<PresenceEvent[]> {
  const events: PresenceEvent[] = [];
  await inRounds(ledger.connectedUsers(), checkAbort, async (userId) => {
    const chatId = ledger.get(userId)?.chatId;
    if (!chatId) return;
    const r = await primary.getSession(userId, now);
    if (r?.chatId !== chatId) events.push({ type: 'chat_ended', chatId, userId, reason: 'partner_gone' });
  });
  return events;
}

/** Runs `fn` over `items`, PARALLEL calls at a time (node-redis pipelines them), checking abort per round. */
async function inRounds<T>(items: readonly T[], checkAbort: AbortCheck, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += PARALLEL) {
    await Promise.all(items.slice(i, i + PARALLEL).map(fn));
    checkAbort();
  }
}
