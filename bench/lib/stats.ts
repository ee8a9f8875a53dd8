/**
 * Pure statistics helpers for the bench: percentiles, summaries and text histograms. No I/O, so
 * test/bench checks them on fixed inputs.
 */

export interface Summary {
  n: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * Nearest-rank percentile of an ascending array: the smallest value with at least p% of the
 * samples at or below it. Nearest-rank (not interpolation) so every reported value is one that
 * was really observed. NaN for an empty array.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const clamped = Math.min(100, Math.max(0, p));
  const rank = Math.max(1, Math.ceil((clamped / 100) * n));
  return sorted[rank - 1] as number;
}

/** Sorts a copy ascending (numeric; Float64Array sorts numerically, plain arrays must be told). */
export function sortedCopy(samples: ArrayLike<number>): Float64Array {
  return Float64Array.from(samples).sort();
}

/** n, min, mean, p50, p90, p99, max of the samples (NaN fields when there are none). */
export function summarize(samples: ArrayLike<number>): Summary {
  const s = sortedCopy(samples);
  let sum = 0;
  for (const v of s) sum += v;
  const n = s.length;
  return {
    n,
    min: n ? (s[0] as number) : Number.NaN,
    mean: n ? sum / n : Number.NaN,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: n ? (s[n - 1] as number) : Number.NaN,
  };
}

export interface Bucket {
  /** inclusive lower edge */
  lo: number;
  /** exclusive upper edge (Infinity for the overflow bucket) */
  hi: number;
  count: number;
}

/**
 * Counts samples into [edges[i], edges[i+1]) buckets. Samples below edges[0] go to the first
 * bucket and samples at or above the last edge to an overflow bucket, so no sample is lost.
 */
export function histogram(samples: ArrayLike<number>, edges: readonly number[]): Bucket[] {
  if (edges.length < 2) throw new Error('histogram needs at least two edges');
  for (let i = 1; i < edges.length; i++) {
    if ((edges[i] as number) <= (edges[i - 1] as number)) throw new Error('histogram edges must ascend');
  }
  const buckets: Bucket[] = [];
  for (let i = 0; i + 1 < edges.length; i++) buckets.push({ lo: edges[i] as number, hi: edges[i + 1] as number, count: 0 });
  const last = edges[edges.length - 1] as number;
  const overflow: Bucket = { lo: last, hi: Number.POSITIVE_INFINITY, count: 0 };
  for (let j = 0; j < samples.length; j++) {
    const v = samples[j] as number;
    if (v >= last) {
      overflow.count++;
      continue;
    }
    // Binary search for the bucket whose lower edge is the largest one <= v.
    let lo = 0;
    let hi = buckets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((buckets[mid] as Bucket).lo <= v) lo = mid;
      else hi = mid - 1;
    }
    (buckets[lo] as Bucket).count++;
  }
  if (overflow.count > 0) buckets.push(overflow);
  return buckets;
}

/** `count` equal-width edges from 0 up to a round number just above max (at least `step`). */
export function linearEdges(max: number, count: number, step = 1): number[] {
  const rawWidth = Math.max(step, max / Math.max(1, count));
  const width = Math.ceil(rawWidth / step) * step;
  const edges: number[] = [];
  for (let i = 0; i <= count; i++) edges.push(i * width);
  return edges;
}

/** A text histogram: one line per bucket with its range, a bar scaled to `width` and the count. */
export function renderHistogram(buckets: readonly Bucket[], unit: string, width = 40): string[] {
  const most = Math.max(1, ...buckets.map((b) => b.count));
  const total = buckets.reduce((s, b) => s + b.count, 0);
  const label = (b: Bucket) => (Number.isFinite(b.hi) ? `${fmt(b.lo)}–${fmt(b.hi)} ${unit}` : `>= ${fmt(b.lo)} ${unit}`);
  const labels = buckets.map(label);
  const pad = Math.max(...labels.map((l) => l.length));
  return buckets.map((b, i) => {
    const bar = '#'.repeat(Math.round((b.count / most) * width));
    const pct = total ? ((100 * b.count) / total).toFixed(1) : '0.0';
    return `${(labels[i] as string).padStart(pad)} | ${bar.padEnd(width)} ${b.count} (${pct}%)`;
  });
}

/** A number for a table: fixed decimals chosen by magnitude, '–' for NaN/undefined. */
export function fmt(v: number | null | undefined, digits?: number): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  const d = digits ?? (Math.abs(v) >= 100 || Number.isInteger(v) ? 0 : Math.abs(v) >= 10 ? 1 : Math.abs(v) >= 1 ? 2 : 3);
  return v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** Rounds to `digits` decimals for JSON output (keeps NaN as null for valid JSON). */
export function round(v: number, digits = 3): number | null {
  if (!Number.isFinite(v)) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** A Summary rounded for JSON. */
export function roundSummary(s: Summary, digits = 3): Record<keyof Summary, number | null> {
  return {
    n: s.n,
    min: round(s.min, digits),
    mean: round(s.mean, digits),
    p50: round(s.p50, digits),
    p90: round(s.p90, digits),
    p99: round(s.p99, digits),
    max: round(s.max, digits),
  };
}

/** True when `last` grew by no more than `ratio` (relative) or `abs` (absolute) over `first`. */
export function isFlat(first: number, last: number, ratio = 0.25, abs = 0): boolean {
  return last <= first * (1 + ratio) || last - first <= abs;
}
