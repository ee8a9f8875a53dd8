/** A bounded in-memory log of online-user changes, read by cursor (MemoryStore's stream). */
import type { ChangeLogRead, OnlineChange } from './types.js';

export class ChangeLog {
  private entries: { n: number; change: OnlineChange }[] = [];
  private last = 0;

  constructor(private readonly max: number) {}

  /** Appends one change. */
  append(change: OnlineChange): void {
    this.entries.push({ n: ++this.last, change });
    // Trim in batches so appends stay O(1) amortised.
    if (this.entries.length > this.max * 2) this.entries = this.entries.slice(-this.max);
  }

  /** Changes after `cursor` (null: from now on). */
  read(cursor: string | null, max: number): ChangeLogRead {
    const after = cursor === null ? this.last : Number.parseInt(cursor, 10);
    if (!Number.isSafeInteger(after) || after < 0 || after > this.last) {
      return { cursor: String(this.last), changes: [], truncated: cursor !== null };
    }
    const first = this.entries[0]?.n ?? this.last + 1;
    const truncated = after + 1 < first;
    const start = Math.max(0, after + 1 - first);
    const slice = this.entries.slice(start, start + max);
    const lastN = slice.at(-1)?.n ?? after;
    return { cursor: String(lastN), changes: slice.map((e) => e.change), truncated };
  }
}
