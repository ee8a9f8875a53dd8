import { describe, expect, it } from 'vitest';
import { MIN_SPAN_MS, layoutChart, mergeSeries, niceMax, timeTicks } from '../../renderer/views/chart-geometry.js';

const MIN = 60_000;
const box = { width: 200, height: 100, left: 20, right: 0, top: 0, bottom: 20 };
const hp = (t: number, v: number) => ({ t, onlineUsers: v, activeUsers: v, availableUsers: 0, connectedUsers: 0 });

describe('chart geometry', () => {
  it('merges live points after the last history sample, within the window', () => {
    const series = mergeSeries([hp(0, 1), hp(MIN, 2)], [{ t: 30_000, onlineUsers: 9 }, { t: 90_000, onlineUsers: 3 }], 60 * MIN);
    expect(series).toEqual([{ t: 0, v: 1 }, { t: MIN, v: 2 }, { t: 90_000, v: 3 }]);
    expect(mergeSeries([hp(0, 1), hp(61 * MIN, 2)], [], 60 * MIN)).toEqual([{ t: 61 * MIN, v: 2 }]);
    expect(mergeSeries([], [], 60 * MIN)).toEqual([]);
  });

  it('rounds the y axis up to an even, readable top', () => {
    expect(niceMax(0)).toBe(4);
    expect(niceMax(3)).toBe(4);
    expect(niceMax(5)).toBe(6);
    expect(niceMax(11)).toBe(20);
    expect(niceMax(31)).toBe(40);
    expect(niceMax(999)).toBe(1000);
    expect(niceMax(1001)).toBe(2000);
  });

  it('puts time ticks on whole minutes, at most five', () => {
    const ticks = timeTicks(3 * MIN + 5_000, 63 * MIN + 5_000);
    expect(ticks.length).toBeLessThanOrEqual(5);
    for (const t of ticks) expect(t % MIN).toBe(0);
    expect(timeTicks(0, 5 * MIN)).toEqual([0, 2 * MIN, 4 * MIN]);
  });

  it('maps the series into the box, spanning at least five minutes', () => {
    const chart = layoutChart([{ t: 10 * MIN, v: 4 }], box);
    expect(chart.t1 - chart.t0).toBe(MIN_SPAN_MS);
    expect(chart.last).toEqual({ x: 200, y: 0 });
    expect(chart.yTicks.map((t) => t.value)).toEqual([0, 2, 4]);
    expect(chart.yTicks[0]!.pos).toBe(80);
    const two = layoutChart([{ t: 0, v: 0 }, { t: 10 * MIN, v: 2 }], box);
    expect(two.line).toBe('M20.0,80.0L200.0,40.0');
    expect(two.area).toBe('M20.0,80.0L200.0,40.0L200.0,80.0L20.0,80.0Z');
  });
});
