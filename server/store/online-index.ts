/**
 * Online users ordered by (since, id), kept as a sorted array: joins almost always append (since
 * is now), recent users are read from the end in O(1), and pages are found by binary search.
 */
export class OnlineIndex {
  private readonly ids: string[] = [];
  private readonly since = new Map<string, number>();

  get size(): number {
    return this.ids.length;
  }

  /** Adds (or moves) a user. */
  add(id: string, since: number): void {
    if (this.since.has(id)) this.remove(id);
    this.since.set(id, since);
    this.ids.splice(this.lowerBound(since, id), 0, id);
  }

  /** Removes a user if present. */
  remove(id: string): void {
    const since = this.since.get(id);
    if (since === undefined) return;
    const i = this.lowerBound(since, id);
    if (this.ids[i] === id) this.ids.splice(i, 1);
    this.since.delete(id);
  }

  /** The `n` most recent ids, newest first. */
  newest(n: number): string[] {
    return this.ids.slice(-n).reverse();
  }

  /** A page newest first, after the opaque `cursor`. */
  page(cursor: string | null, limit: number): { ids: string[]; nextCursor: string | null } {
    let end = this.ids.length;
    if (cursor) {
      const [s, ...rest] = cursor.split(':');
      const since = Number(s);
      const id = rest.join(':');
      end = Number.isFinite(since) && id ? this.lowerBound(since, id) : 0;
    }
    const start = Math.max(0, end - limit);
    const ids = this.ids.slice(start, end).reverse();
    const lastId = ids.at(-1);
    const nextCursor = start > 0 && lastId !== undefined ? `${this.since.get(lastId)}:${lastId}` : null;
    return { ids, nextCursor };
  }

  /** First index whose (since, id) is >= the given pair. */
  private lowerBound(since: number, id: string): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const midId = this.ids[mid] as string;
      const midSince = this.since.get(midId) ?? 0;
      if (midSince < since || (midSince === since && midId < id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
