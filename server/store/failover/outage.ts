/**
 * One outage of the primary store, as FailoverStore lives through it: the fallback MemoryStore
 * that serves meanwhile, which sessions it holds, and what changed that the primary must learn
 * on return (sessions deleted, connections closed, users whose chat, queue or visibility moved).
 */
import { MemoryStore } from '../memory.js';
import { type PresenceEvent, StoreError, type StoreTimings } from '../types.js';
import type { Ledger } from './ledger.js';

function ignoreStoreError(err: unknown): null {
  if (err instanceof StoreError) return null;
  throw err;
}

export class Outage {
  readonly memory: MemoryStore;
  /** wall-clock start, for the log */
  readonly startedAt = Date.now();
  /** sessions put into memory (seeded from the ledger or created during the outage) */
  readonly seeded = new Set<string>();
  /**
   * sessions this node used during the outage (created, or named by an operation): with the
   * connected users and those whose state memory changed, the ones written back on return
   */
  readonly used = new Set<string>();
  /** sessions deleted during the outage (expiry is left to the primary's own sweep) */
  readonly deleted = new Set<string>();
  /** connections closed during the outage: connId -> user id */
  readonly dropped = new Map<string, string>();
  /** users whose visibility, queue or chat the memory changed (or who asked to) */
  readonly changed = new Set<string>();
  /** resolves once the ledger's sessions and connections are in memory */
  seeding: Promise<void> = Promise.resolve();
  private inflight = 0;
  private drained: (() => void) | null = null;

  constructor(timings: StoreTimings) {
    this.memory = new MemoryStore(timings);
  }

  /** Counts a memory operation in flight (recovery waits for none before taking its snapshot). */
  begin(): void {
    this.inflight++;
  }

  end(): void {
    this.inflight--;
    if (this.inflight === 0 && this.drained) {
      this.drained();
      this.drained = null;
    }
  }

  /** Resolves when no memory operation is in flight. */
  drain(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => (this.drained = resolve));
  }

  /** Users named by events the memory produced: their chat or queue state moved. */
  noteEvents(events: readonly PresenceEvent[]): void {
    for (const e of events) {
      if (e.type === 'matched') for (const u of e.users) this.changed.add(u.id);
      else if (e.type === 'chat_ended') this.changed.add(e.userId);
    }
  }

  /**
   * Seeds memory with every live session the ledger knows, re-registers its connections and
   * puts its searchers back in the queue (they keep waiting, here). Chats cannot be seeded:
   * memory pairs users only by its own matching (see write-back.ts, chatsLost).
   */
  async seed(ledger: Ledger, now: number): Promise<void> {
    const records = ledger.records(now);
    await this.memory.restoreSessions(records, now);
    for (const r of records) this.seeded.add(r.id);
    for (const userId of ledger.connectedUsers()) await this.connectUser(ledger, userId, now);
    for (const r of records) {
      if (!r.searching || r.partner || ledger.userConns(r.id).length === 0) continue;
      // Two searchers known here pair at once, as they would have in the store.
      const res = await this.memory.setSearching(r.id, true, now).catch(ignoreStoreError);
      if (res) this.noteEvents(res.events);
    }
  }

  /**
   * Makes sure memory holds `userId` (a session the ledger learned after seeding, e.g. from an
   * operation that was in flight on the primary when it failed). False when the node does not
   * know the session at all: memory cannot tell whether it exists.
   */
  async ensure(ledger: Ledger, userId: string, now: number): Promise<boolean> {
    if (this.seeded.has(userId) || this.deleted.has(userId)) return true;
    const rec = ledger.get(userId);
    if (!rec) return false;
    await this.memory.restoreSessions([{ ...rec }], now);
    this.seeded.add(userId);
    await this.connectUser(ledger, userId, now);
    return true;
  }

  private async connectUser(ledger: Ledger, userId: string, now: number): Promise<void> {
    for (const [connId, conn] of ledger.userConns(userId)) {
      try {
        await this.memory.connect({ userId, connId, nodeId: conn.nodeId, now });
      } catch (err) {
        // An expired session: its sockets learn it from the sweep's session_ended.
        if (!(err instanceof StoreError && err.code === 'session_not_found')) throw err;
      }
    }
  }
}
