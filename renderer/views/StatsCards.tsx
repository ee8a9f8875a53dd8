/** The five live numbers as cards. Each card selects only its own number. */
import type { Stats } from '../../server/protocol.js';
import { formatCount } from '../format.js';
import { useChangePulse } from '../hooks/use-change-pulse.js';
import { useApp } from '../store/react.js';

interface CardSpec {
  key: keyof Stats;
  label: string;
  hint: string;
}

/** The order: what people care about first (who is here) to the long tail (sessions). */
export const STAT_CARDS: readonly CardSpec[] = [
  { key: 'onlineUsers', label: 'Online', hint: 'here right now' },
  { key: 'availableUsers', label: 'Available', hint: 'looking for a chat' },
  { key: 'connectedUsers', label: 'In chats', hint: 'talking 1:1' },
  { key: 'activeUsers', label: 'Active', hint: 'seen in the last 5 min' },
  { key: 'totalUsers', label: 'Total', hint: 'guest sessions' },
];

function StatCard({ spec }: { spec: CardSpec }) {
  const value = useApp((s) => (s.stats ? s.stats.stats[spec.key] : null));
  const ref = useChangePulse<HTMLSpanElement>(value);
  const labelId = `stat-label-${spec.key}`;
  return (
    <li className={`stat stat--${spec.key}`} aria-labelledby={labelId}>
      <span className="stat__label" id={labelId}>
        <span className="stat__swatch" aria-hidden="true" />
        {spec.label}
      </span>
      <span className="stat__value" ref={ref} data-testid={`stat-${spec.key}`} data-value={value ?? ''}>
        {value === null ? '—' : formatCount(value)}
      </span>
      <span className="stat__hint">{spec.hint}</span>
    </li>
  );
}

export function StatsCards() {
  // Without a live connection the numbers are only the last known ones: say so by dimming them.
  const stale = useApp((s) => s.stats !== null && s.connection.status !== 'connected');
  return (
    <ul className={`stats${stale ? ' stats--stale' : ''}`} aria-label={stale ? 'Live numbers (last known)' : 'Live numbers'}>
      {STAT_CARDS.map((spec) => (
        <StatCard key={spec.key} spec={spec} />
      ))}
    </ul>
  );
}
