import { describe, expect, it } from 'vitest';
import { shareEqual } from '../../renderer/store/share.js';

describe('shareEqual', () => {
  it('returns prev for deeply equal data', () => {
    const prev = { a: [1, { b: 2 }], c: null };
    expect(shareEqual(prev, structuredClone(prev))).toBe(prev);
  });

  it('keeps the unchanged branches and replaces the changed ones', () => {
    const prev = { same: { x: 1 }, changed: { y: 1 }, list: [{ id: 1 }, { id: 2 }] };
    const next = shareEqual(prev, { same: { x: 1 }, changed: { y: 2 }, list: [{ id: 1 }, { id: 3 }] });
    expect(next).not.toBe(prev);
    expect(next.same).toBe(prev.same);
    expect(next.changed).toEqual({ y: 2 });
    expect(next.list[0]).toBe(prev.list[0]);
    expect(next.list[1]).toEqual({ id: 3 });
  });

  it('notices added, removed and type-changed keys', () => {
    const prev: Record<string, unknown> = { a: 1 };
    expect(shareEqual(prev, { a: 1, b: undefined })).not.toBe(prev);
    expect(shareEqual<Record<string, unknown>>({ a: 1, b: 2 }, { a: 1 })).toEqual({ a: 1 });
    expect(shareEqual<unknown>([1], { 0: 1 })).toEqual({ 0: 1 });
    expect(shareEqual<unknown>(null, { a: 1 })).toEqual({ a: 1 });
  });

  it('handles shorter and longer arrays', () => {
    const prev = [1, 2, 3];
    expect(shareEqual(prev, [1, 2])).toEqual([1, 2]);
    expect(shareEqual(prev, [1, 2, 3, 4])).toEqual([1, 2, 3, 4]);
  });
});
