/**
 * Pure geometry for the online-users chart: merge the server's history samples with live pushes,
 * choose readable ticks, and turn it all into SVG path data. No React, so it is tested directly.
 */
import type { HistoryPoint } from '../../server/protocol.js';
import type { LivePoint } from '../store/types.js';

export interface SeriesPoint {
  t: number;
  v: number;
}

export interface Box {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface Tick {
  pos: number;
  value: number;
}

export interface ChartLayout {
  line: string;
  area: string;
  xTicks: Tick[];
  yTicks: Tick[];
  last: { x: number; y: number } | null;
  t0: number;
  t1: number;
}

const MINUTE = 60_000;
export const MIN_SPAN_MS = 5 * MINUTE;

/** History samples first; live samples only where the history has not reached yet. */
export function mergeSeries(history: readonly HistoryPoint[], live: readonly LivePoint[], windowMs: number): SeriesPoint[] {
  const points: SeriesPoint[] = history.map((p) => ({ t: p.t, v: p.onlineUsers }));
  const lastHistory = points.at(-1)?.t ?? -Infinity;
  for (const p of live) if (p.t > lastHistory) points.push({ t: p.t, v: p.onlineUsers });
  points.sort((a, b) => a.t - b.t);
  const end = points.at(-1)?.t;
  return end === undefined ? [] : points.filter((p) => p.t >= end - windowMs);
}

/**
 * The smallest of 2, 4, 6, 8, 10 × 10^k that is at least `max` (and at least 4, so tiny counts
 * breathe). Even steps keep the middle grid line on a whole number of people.
 */
export function niceMax(max: number): number {
  const target = Math.max(4, max);
  const magnitude = 10 ** Math.floor(Math.log10(target));
  for (const step of [1, 2, 4, 6, 8, 10]) if (step * magnitude >= target) return step * magnitude;
  return 10 * magnitude;
}

const X_STEPS_MIN = [1, 2, 5, 10, 15, 30, 60, 120, 240];

/** Time ticks on whole minutes, at most five of them. */
export function timeTicks(t0: number, t1: number): number[] {
  const spanMin = (t1 - t0) / MINUTE;
  const stepMin = X_STEPS_MIN.find((s) => spanMin / s <= 4) ?? 240;
  const step = stepMin * MINUTE;
  const ticks: number[] = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) ticks.push(t);
  return ticks;
}

/** Lays the series out in `box`; the x span is at least MIN_SPAN_MS so a new server is not a dot. */
export function layoutChart(series: readonly SeriesPoint[], box: Box): ChartLayout {
  const last = series.at(-1);
  const first = series[0];
  const t1 = last?.t ?? 0;
  const t0 = Math.min(first?.t ?? t1, t1 - MIN_SPAN_MS);
  const top = niceMax(Math.max(0, ...series.map((p) => p.v)));
  const innerW = box.width - box.left - box.right;
  const innerH = box.height - box.top - box.bottom;
  const x = (t: number) => box.left + ((t - t0) / (t1 - t0)) * innerW;
  const y = (v: number) => box.top + innerH - (v / top) * innerH;
  const coords = series.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`);
  const line = coords.length ? `M${coords.join('L')}` : '';
  const base = (box.top + innerH).toFixed(1);
  const area =
    first && last ? `${line}L${x(last.t).toFixed(1)},${base}L${x(first.t).toFixed(1)},${base}Z` : '';
  return {
    line,
    area,
    xTicks: series.length ? timeTicks(t0, t1).map((t) => ({ pos: x(t), value: t })) : [],
    yTicks: [0, top / 2, top].map((v) => ({ pos: y(v), value: v })),
    last: last ? { x: x(last.t), y: y(last.v) } : null,
    t0,
    t1,
  };
}
