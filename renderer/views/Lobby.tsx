/** Idle: the one-click way to meet someone, and searching (with cancel) once clicked. */
import { useEffect, useRef } from 'react';
import { formatCount } from '../format.js';
import { useNow } from '../hooks/use-now.js';
import { useApp } from '../store/react.js';
import { RecentFaces } from './RecentFaces.js';

/** Why "Find someone" is unavailable right now, or null when it can be used. */
function useFindBlocker(): string | null {
  const connected = useApp((s) => s.connection.status === 'connected');
  const me = useApp((s) => s.me);
  if (!connected) return 'Waiting for the connection…';
  if (!me) return 'Setting up your guest session…';
  if (!me.presence.isOnline) return 'You are hidden. Turn on “Visible to others” to meet someone.';
  return null;
}

/** The primary call to action; also used under an ended chat. */
export function FindButton({ label = 'Find someone', autoFocus = false }: { label?: string; autoFocus?: boolean }) {
  const search = useApp((s) => s.search);
  const busy = useApp((s) => s.pending.search === true);
  const blocker = useFindBlocker();
  return (
    <div className="find">
      <button
        type="button"
        className="btn btn--primary btn--large"
        data-testid="find-button"
        disabled={blocker !== null || busy}
        autoFocus={autoFocus}
        onClick={() => void search()}
      >
        {busy ? 'Starting…' : label}
      </button>
      {blocker && <p className="find__hint">{blocker}</p>}
    </div>
  );
}

function Radar({ active }: { active: boolean }) {
  return (
    <div className={`radar${active ? ' radar--active' : ''}`} aria-hidden="true">
      <span className="radar__ring" />
      <span className="radar__ring" />
      <span className="radar__ring" />
      <span className="radar__core" />
    </div>
  );
}

export function Lobby() {
  const available = useApp((s) => s.stats?.stats.availableUsers ?? null);
  return (
    <div className="lobby">
      <Radar active={false} />
      <h2 className="lobby__title">Meet someone new</h2>
      <p className="lobby__text">
        One click pairs you with a random person who is here right now, for a private 1:1 chat.
        {available !== null && available > 0 && (
          <>
            {' '}
            <strong>{formatCount(available)}</strong> {available === 1 ? 'person is' : 'people are'} looking.
          </>
        )}
      </p>
      <FindButton />
      <RecentFaces />
    </div>
  );
}

export function Searching({ since }: { since: number }) {
  const cancel = useApp((s) => s.cancelSearch);
  const busy = useApp((s) => s.pending.cancel === true);
  const now = useNow(1000);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const seconds = Math.max(0, Math.floor((now - since) / 1000));

  useEffect(() => {
    // Focus moves to Cancel so Enter/Space undo the click; Escape works from anywhere.
    cancelRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') void cancel();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [cancel]);

  return (
    <div className="lobby lobby--searching">
      <Radar active />
      <h2 className="lobby__title" role="status">
        Looking for someone…
      </h2>
      <p className="lobby__text">
        {seconds < 3 ? 'Hang on, checking who is around.' : `Searching for ${seconds} s. Someone new may walk in any moment.`}
      </p>
      <button type="button" className="btn btn--secondary" data-testid="cancel-button" ref={cancelRef} disabled={busy} onClick={() => void cancel()}>
        Cancel <kbd>Esc</kbd>
      </button>
    </div>
  );
}
