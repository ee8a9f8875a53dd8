/**
 * StatsBroadcaster: once per STATS_INTERVAL_MS each node reads the O(1) stats snapshot and emits
 * `realtime:stats` to its own sockets only when the snapshot changed (its seq moved or degraded
 * flipped), then folds the online-user change log into one `users:online:update` for the local
 * subscribers. Bytes per client per second stay flat in the number of users.
 */
import type { Logger } from 'pino';
import type { OnlineUser, OnlineUsersUpdate } from '../protocol.js';
import type { Metrics } from '../metrics.js';
import type { OnlineChange, PresenceStore } from '../store/types.js';
import { ONLINE_SUBSCRIBERS, type IoServer } from './dispatch.js';

const CHANGES_PER_TICK = 5_000;

/** Folds a run of changes into one diff: the last change of each user wins. */
export function foldChanges(changes: OnlineChange[], seq: number): OnlineUsersUpdate {
  const last = new Map<string, OnlineChange>();
  for (const c of changes) {
    const id = c.kind === 'joined' ? c.user.id : c.userId;
    last.delete(id);
    last.set(id, c);
  }
  const joined: OnlineUser[] = [];
  const left: string[] = [];
  for (const [id, c] of last) {
    if (c.kind === 'joined') joined.push(c.user);
    else left.push(id);
  }
  return { seq, joined, left };
}

export interface BroadcasterDeps {
  io: IoServer;
  store: PresenceStore;
  now: () => number;
  degraded: () => boolean;
  metrics: Metrics;
  log: Logger;
}

export class StatsBroadcaster {
  private lastSeq: number | null = null;
  private lastDegraded = false;
  private cursor: string | null = null;


  constructor(private readonly d: BroadcasterDeps) {}

  /** Takes the change log's head before any socket is served, so no change is missed. */
  async start(): Promise<void> {
    this.cursor = (await this.d.store.readChanges(null, 0)).cursor;
  }

  /** One broadcast tick. */
  async tick(): Promise<void> {
    const end = this.d.metrics.broadcastSeconds.startTimer();
    try {
      const now = this.d.now();
      const snap = await this.d.store.stats(now);
      const degraded = this.d.degraded();
      if (snap.seq !== this.lastSeq || degraded !== this.lastDegraded) {
        this.lastSeq = snap.seq;
        this.lastDegraded = degraded;
        this.d.io.local.emit('realtime:stats', { stats: snap.stats, onlineUsers: snap.recent, timestamp: now, seq: snap.seq, degraded });
        for (const [k, v] of Object.entries(snap.stats)) this.d.metrics.stats.set({ stat: k }, v);
      }
      await this.flushChanges(snap.seq);
    } finally {
      end();
    }
  }

  private async flushChanges(seq: number): Promise<void> {
    const subscribers = this.d.io.of('/').adapter.rooms.get(ONLINE_SUBSCRIBERS)?.size ?? 0;
    if (subscribers === 0) {
      // Nobody here listens: just keep the cursor at the head of the log.
      this.cursor = (await this.d.store.readChanges(null, 0)).cursor;
      return;
    }
    const read = await this.d.store.readChanges(this.cursor, CHANGES_PER_TICK);
    this.cursor = read.cursor;
    if (read.truncated) this.d.log.warn('online-user change log overran; subscribers may have missed changes');
    if (read.changes.length === 0) return;
    this.d.io.local.to(ONLINE_SUBSCRIBERS).emit('users:online:update', foldChanges(read.changes, seq));
  }
}
