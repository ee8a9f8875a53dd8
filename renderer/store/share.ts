/**
 * Structural sharing for pushed snapshots. Every snapshot from the Bridge is a fresh object (IPC
 * clones it), so without this a stats tick would hand the chat a "new" message list and every
 * subscriber would re-render. `shareEqual` returns `prev` wherever `next` holds the same data,
 * reusing unchanged sub-objects, so zustand's `Object.is` selectors stay quiet.
 */

type Plain = Record<string, unknown>;

function isPlainObject(value: unknown): value is Plain {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Returns `prev` (or parts of it) wherever `next` is deeply equal; otherwise `next`'s data. */
export function shareEqual<T>(prev: T, next: T): T {
  if (Object.is(prev, next)) return prev;
  if (Array.isArray(prev) && Array.isArray(next)) {
    const out: unknown[] = next.map((item: unknown, i) => shareEqual<unknown>(prev[i], item));
    const same = out.length === prev.length && out.every((item, i) => Object.is(item, prev[i]));
    return (same ? prev : out) as T;
  }
  if (isPlainObject(prev) && isPlainObject(next)) {
    const prevKeys = Object.keys(prev);
    const nextKeys = Object.keys(next);
    const out: Plain = {};
    let same = prevKeys.length === nextKeys.length;
    for (const key of nextKeys) {
      out[key] = shareEqual<unknown>(prev[key], next[key]);
      if (!Object.is(out[key], prev[key]) || !(key in prev)) same = false;
    }
    return (same ? prev : out) as T;
  }
  return next;
}
