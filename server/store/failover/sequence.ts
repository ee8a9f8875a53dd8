/**
 * Keeps what clients hold valid across a switch between the primary store and the fallback.
 *
 * - Stats `seq`: clients ignore a snapshot whose seq is not newer than the one they hold, but the
 *   fallback counts from 1 and a restarted Redis from 0. Each source (an "epoch": the primary
 *   until it fails, the memory of one outage, the primary again...) gets an offset chosen when
 *   its first snapshot arrives, so the seq this node reports never goes back. While the primary
 *   never failed the offset is 0 and the seq is the cluster-wide one.
 * - Change-log cursors are positions in one source's log: they are tagged with the epoch, and a
 *   cursor from another epoch reads from the current end with `truncated` (the reader reloads).
 */
import type { ChangeLogRead, StatsSnapshot } from '../types.js';

const TAGGED = /^e(\d{1,9})\.(.*)$/s;

export class SequenceMap {
  private floor = 0;
  private epoch = 0;
  private offset = 0;

  /** The snapshot with this node's seq, given the epoch of the source that answered. */
  stats(snap: StatsSnapshot, epoch: number): StatsSnapshot {
    if (epoch < this.epoch) return { ...snap, seq: this.floor }; // a late answer of an old source
    if (epoch > this.epoch) {
      this.epoch = epoch;
      this.offset = snap.seq > this.floor ? 0 : this.floor + 1 - snap.seq;
    }
    const seq = snap.seq + this.offset;
    this.floor = Math.max(this.floor, seq);
    return { ...snap, seq };
  }
}

/** The inner cursor when `cursor` was issued in `epoch`, else undefined (foreign or stale). */
export function innerCursor(cursor: string | null, epoch: number): string | null | undefined {
  if (cursor === null) return null;
  const m = TAGGED.exec(cursor);
  return m && Number(m[1]) === epoch ? (m[2] ?? '') : undefined;
}

/** A read with its cursor tagged; `foreign`: the caller's cursor was not for this epoch. */
export function tagRead(read: ChangeLogRead, epoch: number, foreign: boolean): ChangeLogRead {
  return { ...read, cursor: `e${epoch}.${read.cursor}`, truncated: read.truncated || foreign };
}
