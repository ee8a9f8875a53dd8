/** The always-visible link state: connected, reconnecting in N s, offline, or server degraded. */
import type { ConnectionState } from '../../client/types.js';
import { useNow } from '../hooks/use-now.js';
import { useApp } from '../store/react.js';

type Tone = 'ok' | 'warn' | 'bad' | 'idle';

interface StatusView {
  tone: Tone;
  label: string;
  detail: string;
}

/** What to say about the link; `now` drives the reconnect countdown. */
export function describeConnection(c: ConnectionState, degraded: boolean, now: number): StatusView {
  switch (c.status) {
    case 'connected':
      return degraded
        ? { tone: 'warn', label: 'Server degraded', detail: 'The server is running on its fallback store; numbers may lag.' }
        : { tone: 'ok', label: 'Connected', detail: 'Live: numbers update as people come and go.' };
    case 'reconnecting': {
      const seconds = Math.max(0, Math.ceil((c.nextRetryAt - now) / 1000));
      const label = seconds > 0 ? `Reconnecting in ${seconds} s` : 'Reconnecting…';
      return { tone: 'warn', label, detail: c.lastError ? `Connection lost: ${c.lastError}` : 'Connection lost.' };
    }
    case 'connecting':
      return { tone: 'idle', label: 'Connecting…', detail: 'Reaching the HereNow server.' };
    case 'paused':
      return { tone: 'idle', label: 'Paused', detail: 'Paused while the computer sleeps.' };
    case 'offline':
      return { tone: 'bad', label: 'Offline', detail: c.reason };
    case 'idle':
      return { tone: 'idle', label: 'Starting…', detail: 'Getting ready.' };
  }
}

export function ConnectionStatus() {
  const connection = useApp((s) => s.connection);
  const degraded = useApp((s) => s.stats?.degraded ?? false);
  // Tick only while counting down, so a steady connection costs no renders.
  const now = useNow(500, connection.status === 'reconnecting');
  const view = describeConnection(connection, degraded, now);
  return (
    <div
      className={`conn conn--${view.tone}`}
      data-testid="connection-status"
      data-status={degraded && connection.status === 'connected' ? 'degraded' : connection.status}
      role="status"
      aria-live="polite"
      title={view.detail}
    >
      <span className="conn__dot" aria-hidden="true" />
      <span className="conn__label">{view.label}</span>
    </div>
  );
}
