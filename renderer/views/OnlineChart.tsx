/** Online users over the last hour: the server's history samples plus live points, in plain SVG. */
import { useEffect, useMemo } from 'react';
import { formatClock, formatCompact, formatCount } from '../format.js';
import { useElementWidth } from '../hooks/use-element-width.js';
import { useApp } from '../store/react.js';
import { LIVE_WINDOW_MS } from '../store/stats-slice.js';
import { layoutChart, mergeSeries, type Box, type ChartLayout } from './chart-geometry.js';

const HISTORY_MINUTES = 60;
/** The server samples history once a minute; asking more often would fetch the same points. */
const REFRESH_MS = 60_000;
const MARGINS: Omit<Box, 'width'> = { height: 220, left: 40, right: 14, top: 14, bottom: 28 };

function ChartSvg({ chart, box, summary }: { chart: ChartLayout; box: Box; summary: string }) {
  return (
    <svg className="chart__svg" width={box.width} height={box.height} viewBox={`0 0 ${box.width} ${box.height}`} role="img" aria-label={summary}>
      <defs>
        <linearGradient id="chart-fill" x1="0" y1="0" x2="0" y2="1">
          <stop offset="0" className="chart__fill-top" />
          <stop offset="1" className="chart__fill-bottom" />
        </linearGradient>
      </defs>
      <g className="chart__grid">
        {chart.yTicks.map((tick) => (
          <g key={`y${tick.value}`}>
            <line x1={box.left} x2={box.width - box.right} y1={tick.pos} y2={tick.pos} />
            <text x={box.left - 8} y={tick.pos} textAnchor="end" dominantBaseline="middle">
              {formatCompact(tick.value)}
            </text>
          </g>
        ))}
        {chart.xTicks.map((tick) => (
          <text key={`x${tick.value}`} x={tick.pos} y={box.height - 8} textAnchor="middle">
            {formatClock(tick.value)}
          </text>
        ))}
      </g>
      <path className="chart__area" d={chart.area} fill="url(#chart-fill)" />
      <path className="chart__line" d={chart.line} />
      {chart.last && <circle className="chart__dot" cx={chart.last.x} cy={chart.last.y} r={4} />}
    </svg>
  );
}

export function OnlineChart() {
  const history = useApp((s) => s.history);
  const live = useApp((s) => s.live);
  const connected = useApp((s) => s.connection.status === 'connected');
  const refreshHistory = useApp((s) => s.refreshHistory);
  // Drawn at the real pixel width, so labels keep their size on a phone.
  const [frameRef, width] = useElementWidth<HTMLDivElement>(640);

  useEffect(() => {
    if (!connected) return;
    void refreshHistory(HISTORY_MINUTES);
    const timer = setInterval(() => void refreshHistory(HISTORY_MINUTES), REFRESH_MS);
    return () => clearInterval(timer);
  }, [connected, refreshHistory]);

  const box: Box = useMemo(() => ({ ...MARGINS, width }), [width]);
  const series = useMemo(() => mergeSeries(history, live, LIVE_WINDOW_MS), [history, live]);
  const chart = useMemo(() => layoutChart(series, box), [series, box]);
  const now = series.at(-1)?.v;
  const peak = series.reduce((m, p) => Math.max(m, p.v), 0);
  const summary =
    now === undefined
      ? 'No data yet.'
      : `Now ${formatCount(now)} online; peak ${formatCount(peak)} since ${formatClock(chart.t0)}.`;

  return (
    <section className="card chart" aria-labelledby="chart-title">
      <header className="card__head">
        <h2 id="chart-title">Online over time</h2>
        <p className="card__meta">{now === undefined ? 'last hour' : `peak ${formatCount(peak)} · last hour`}</p>
      </header>
      <div className="chart__frame" ref={frameRef}>
        {series.length === 0 ? (
          <p className="chart__empty">The chart fills in as the numbers arrive.</p>
        ) : (
          <ChartSvg chart={chart} box={box} summary={summary} />
        )}
      </div>
    </section>
  );
}
