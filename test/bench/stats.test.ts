/**
 * The bench's pure helpers on fixed inputs: percentiles, summaries, histograms, number
 * formatting, the /metrics parser and the CPU-profile origin classifier.
 */
import { describe, expect, it } from 'vitest';
import { parseMetrics } from '../../bench/lib/http.js';
import { originOf } from '../../bench/lib/profile.js';
import { fmt, histogram, isFlat, linearEdges, percentile, renderHistogram, round, sortedCopy, summarize } from '../../bench/lib/stats.js';

describe('percentile (nearest rank)', () => {
  const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  it('returns observed values by nearest rank', () => {
    expect(percentile(sorted, 50)).toBe(5);
    expect(percentile(sorted, 90)).toBe(9);
    expect(percentile(sorted, 99)).toBe(10);
    expect(percentile(sorted, 100)).toBe(10);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile(sorted, 10)).toBe(1);
    expect(percentile(sorted, 11)).toBe(2);
  });

  it('p99 of 1..1000 is 990, and a single sample is every percentile', () => {
    const thousand = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentile(thousand, 99)).toBe(990);
    expect(percentile([42], 1)).toBe(42);
    expect(percentile([42], 99)).toBe(42);
  });

  it('is NaN for no samples and clamps p outside [0, 100]', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(percentile(sorted, 150)).toBe(10);
    expect(percentile(sorted, -5)).toBe(1);
  });
});

describe('summarize', () => {
  it('sorts numerically (not as strings) before taking percentiles', () => {
    const s = summarize([10, 9, 100, 1, 2]);
    expect(s).toEqual({ n: 5, min: 1, mean: 24.4, p50: 9, p90: 100, p99: 100, max: 100 });
    expect([...sortedCopy([10, 9, 100])]).toEqual([9, 10, 100]);
  });

  it('gives NaN fields for an empty input', () => {
    const s = summarize([]);
    expect(s.n).toBe(0);
    expect(s.p50).toBeNaN();
    expect(s.mean).toBeNaN();
  });
});

describe('histogram', () => {
  it('counts [lo, hi) buckets, clamps low samples into the first and adds an overflow bucket', () => {
    const b = histogram([-1, 0, 0.5, 1, 1.99, 2, 5, 7], [0, 1, 2, 3]);
    expect(b.map((x) => [x.lo, x.hi, x.count])).toEqual([
      [0, 1, 3],
      [1, 2, 2],
      [2, 3, 1],
      [3, Number.POSITIVE_INFINITY, 2],
    ]);
    expect(b.reduce((s, x) => s + x.count, 0)).toBe(8);
  });

  it('has no overflow bucket when nothing reaches the last edge, and rejects bad edges', () => {
    expect(histogram([0.1, 0.2], [0, 1])).toEqual([{ lo: 0, hi: 1, count: 2 }]);
    expect(() => histogram([1], [0])).toThrow();
    expect(() => histogram([1], [0, 2, 1])).toThrow();
  });

  it('builds round equal-width edges covering the maximum', () => {
    expect(linearEdges(1000, 4, 250)).toEqual([0, 250, 500, 750, 1000]);
    expect(linearEdges(1001, 4, 250)).toEqual([0, 500, 1000, 1500, 2000]);
    expect(linearEdges(0, 2, 250)).toEqual([0, 250, 500]);
  });

  it('renders one aligned bar line per bucket with counts and shares', () => {
    const lines = renderHistogram(histogram([1, 1, 1, 3], [0, 2, 4]), 'ms', 10);
    expect(lines).toEqual([
      '0–2 ms | ########## 3 (75.0%)',
      '2–4 ms | ###        1 (25.0%)',
    ]);
  });
});

describe('formatting and flatness', () => {
  it('formats by magnitude and shows missing values as an en dash', () => {
    expect(fmt(1234.5)).toBe('1,235');
    expect(fmt(12.345)).toBe('12.3');
    expect(fmt(1.2345)).toBe('1.23');
    expect(fmt(0.12345)).toBe('0.123');
    expect(fmt(7)).toBe('7');
    expect(fmt(Number.NaN)).toBe('–');
    expect(fmt(null)).toBe('–');
    expect(fmt(2, 1)).toBe('2.0');
    expect(round(1.23456, 2)).toBe(1.23);
    expect(round(Number.NaN)).toBeNull();
  });

  it('calls growth flat within the relative or absolute allowance', () => {
    expect(isFlat(1, 1.2)).toBe(true);
    expect(isFlat(1, 1.3)).toBe(false);
    expect(isFlat(0.2, 0.35, 0.25, 0.2)).toBe(true);
  });
});

describe('parseMetrics and originOf', () => {
  it('reads Prometheus sample lines, labels included, comments skipped', () => {
    const m = parseMetrics('# HELP x y\n# TYPE x gauge\nnodejs_heap_size_used_bytes 1234\nherenow_stats{stat="onlineUsers"} 5\n\n');
    expect(m.get('nodejs_heap_size_used_bytes')).toBe(1234);
    expect(m.get('herenow_stats{stat="onlineUsers"}')).toBe(5);
    expect(m.size).toBe(2);
  });

  it('classifies profile frames by package, repo folder, Node and V8', () => {
    expect(originOf({ functionName: 'f', url: 'file:///w/node_modules/@redis/client/dist/x.js', lineNumber: 1 })).toBe('@redis/client');
    expect(originOf({ functionName: 'f', url: 'file:///w/node_modules/ws/lib/sender.js', lineNumber: 1 })).toBe('ws');
    expect(originOf({ functionName: 'f', url: 'file:///work/main/server/socket/handlers.ts', lineNumber: 1 })).toBe('server/socket');
    expect(originOf({ functionName: 'f', url: 'node:net', lineNumber: 1 })).toBe('node internals');
    expect(originOf({ functionName: '(garbage collector)', url: '', lineNumber: -1 })).toBe('GC');
    expect(originOf({ functionName: '(idle)', url: '', lineNumber: -1 })).toBe('(idle)');
  });
});
