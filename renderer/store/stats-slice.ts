/** Stats slice: the five numbers, the server's history samples and live samples in between. */
import { shareEqual } from './share.js';
import type { LivePoint, SliceCreator, SnapshotReducer, StatsSlice } from './types.js';

/** How far back live samples are kept: the chart's window. */
export const LIVE_WINDOW_MS = 60 * 60_000;
/** Hard cap so a long-running window never grows without bound. */
const LIVE_MAX = 4_000;

export const createStatsSlice: SliceCreator<StatsSlice> = (_set, _get, { bridge }) => ({
  stats: null,
  history: [],
  live: [],
  // Quiet on failure: the chart refreshes on a timer, and the live points keep it moving meanwhile.
  refreshHistory: (minutes) => bridge.refreshHistory(minutes).catch(() => undefined),
});

/** Appends a live sample when a newer stats push arrived; keeps the list time-ordered. */
export function appendLive(live: LivePoint[], point: LivePoint): LivePoint[] {
  const last = live.at(-1);
  if (last && point.t < last.t) return live;
  if (last && last.t === point.t && last.onlineUsers === point.onlineUsers) return live;
  const from = point.t - LIVE_WINDOW_MS;
  const kept = live.filter((p) => p.t >= from && p.t !== point.t);
  kept.push(point);
  return kept.length > LIVE_MAX ? kept.slice(kept.length - LIVE_MAX) : kept;
}

export const statsFromSnapshot: SnapshotReducer = (prev, snap) => {
  const stats = shareEqual(prev.stats, snap.stats);
  const fresh = stats !== null && (prev.stats === null || stats.seq !== prev.stats.seq);
  return {
    stats,
    history: shareEqual(prev.history, snap.history),
    live: fresh ? appendLive(prev.live, { t: stats.timestamp, onlineUsers: stats.stats.onlineUsers }) : prev.live,
  };
};
