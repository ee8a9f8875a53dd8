/**
 * Ordered Maps standing in for Redis's sorted sets (MemoryStore): re-inserting a key moves it to
 * the end, so a Map whose values only grow with `now` stays ordered by value and can be pruned
 * from the front in amortised O(1).
 */

/** Counts the leading entries whose value is <= limit, deleting them when `prune`. */
export function countLeadingAtMost(map: Map<string, number>, limit: number, prune: boolean): number {
  let n = 0;
  for (const [key, value] of map) {
    if (value > limit) break;
    if (prune) map.delete(key);
    n++;
  }
  return n;
}

/** Rebuilds a Map in value order (stable for equal values). */
export function sortByValue(map: Map<string, number>): void {
  const entries = [...map].sort((a, b) => a[1] - b[1]);
  map.clear();
  for (const [key, value] of entries) map.set(key, value);
}

/** Re-inserts `key` so the Map stays ordered by value. */
export function moveToEnd(map: Map<string, number>, key: string, value: number): void {
  map.delete(key);
  map.set(key, value);
}
