/** The conversation: a live log that keeps the newest message in view. */
import { useLayoutEffect, useRef } from 'react';
import type { ChatEntry } from '../../client/types.js';
import { formatClock } from '../format.js';

const STATE_TEXT: Record<ChatEntry['state'], string | null> = {
  sending: 'Sending…',
  sent: null,
  failed: 'Not sent',
};

/** Within this many pixels of the bottom counts as "reading the newest", so we follow new ones. */
const STICK_PX = 80;

export function Messages({ entries, partnerName }: { entries: readonly ChatEntry[]; partnerName: string }) {
  const ref = useRef<HTMLOListElement>(null);
  const count = entries.length;
  const lastMine = entries.at(-1)?.mine ?? false;
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const nearBottom = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX + 60;
    // Follow new messages unless the user scrolled up to read; always show what I just sent.
    if (nearBottom || lastMine) el.scrollTop = el.scrollHeight;
  }, [count, lastMine]);

  return (
    <div className="messages__frame">
      {/* The hint sits outside the list, so the list holds messages and nothing else. */}
      {count === 0 && (
        <p className="messages__empty">
          <span>
            You are now chatting with <strong>{partnerName}</strong>. Say hi!
          </span>
        </p>
      )}
      <ol className="messages" data-testid="messages" role="log" aria-live="polite" aria-label={`Messages with ${partnerName}`} ref={ref}>
        {/* Keyed by position: a message's id changes from a local one to the server's when it is
            acknowledged, and an id key would remount the row and replay its entry animation. */}
        {entries.map((m, i) => (
          <li key={i} className={`msg ${m.mine ? 'msg--mine' : 'msg--theirs'} msg--${m.state}`} data-state={m.state}>
            <span className="sr-only">{m.mine ? 'You' : m.from.username}: </span>
            <span className="msg__bubble">{m.text}</span>
            <span className="msg__meta">
              {STATE_TEXT[m.state] ?? <time dateTime={new Date(m.sentAt).toISOString()}>{formatClock(m.sentAt)}</time>}
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}
