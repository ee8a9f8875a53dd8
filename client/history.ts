/** Pure functions over the online-count history the chart shows. */
import type { HistoryPoint, Stats } from '../server/protocol.js';

/** The most points kept (24 h at one per minute). */
export const HISTORY_MAX = 1440;
/** The server's default sample period, used until the loaded history shows the real one. */
export const DEFAULT_SAMPLE_MS = 60_000;

/** A history point from live stats. */
export function historyPoint(stats: Stats, t: number): HistoryPoint {
  return {
    t,
    onlineUsers: stats.onlineUsers,
    activeUsers: stats.activeUsers,
    availableUsers: stats.availableUsers,
    connectedUsers: stats.connectedUsers,
  };
}

/** The sample period the server used, from the last two points (fallback when fewer). */
export function sampleSpacing(points: HistoryPoint[], fallback = DEFAULT_SAMPLE_MS): number {
  const last = points[points.length - 1];
  const prev = points[points.length - 2];
  return last && prev && last.t > prev.t ? last.t - prev.t : fallback;
}

/** Appends a live point once a sample period has passed since the last one; else unchanged. */
export function appendHistoryPoint(
  points: HistoryPoint[],
  point: HistoryPoint,
  spacingMs: number,
  max = HISTORY_MAX,
): HistoryPoint[] {
  const last = points[points.length - 1];
  if (last && point.t < last.t + spacingMs) return points;
  const next = [...points, point];
  return next.length > max ? next.slice(next.length - max) : next;
}
