/** Me: my guest name, whether others can see me, and starting over as someone new. */
import { useState } from 'react';
import { useApp } from '../store/react.js';
import { Avatar } from './Avatar.js';

function StartOver() {
  const startOver = useApp((s) => s.startOver);
  const busy = useApp((s) => s.pending.startOver === true);
  const [confirming, setConfirming] = useState(false);
  // Two steps, because starting over ends the session (and any chat) for good.
  if (!confirming) {
    return (
      <button type="button" className="btn btn--ghost btn--small" onClick={() => setConfirming(true)} disabled={busy}>
        {busy ? 'Starting over…' : 'Start over'}
      </button>
    );
  }
  return (
    <div className="me__confirm" role="group" aria-label="Confirm start over">
      <span>New name, new session?</span>
      <button
        type="button"
        className="btn btn--danger btn--small"
        autoFocus
        onClick={() => {
          setConfirming(false);
          void startOver();
        }}
      >
        Start over
      </button>
      <button type="button" className="btn btn--ghost btn--small" onClick={() => setConfirming(false)}>
        Keep me
      </button>
    </div>
  );
}

export function MePanel() {
  const me = useApp((s) => s.me);
  const setVisible = useApp((s) => s.setVisible);
  const busy = useApp((s) => s.pending.visibility === true);
  const connected = useApp((s) => s.connection.status === 'connected');
  const recreated = useApp((s) => s.sessionRecreated);

  if (!me) {
    return (
      <section className="card me" aria-label="You">
        <p className="me__loading">Setting up your guest session…</p>
      </section>
    );
  }
  const visible = me.presence.isOnline;
  return (
    <section className="card me" aria-label="You">
      <div className="me__who">
        <Avatar id={me.user.id} username={me.user.username} size="lg" />
        <div className="me__text">
          <span className="me__caption">You are</span>
          <span className="me__name" data-testid="me-username">
            {me.user.username}
          </span>
        </div>
      </div>
      {recreated && (
        <p className="me__recreated" role="status">
          {recreated.previousUser ? `Your earlier session as ${recreated.previousUser.username}` : 'Your earlier session'} had
          ended, so you are here under a new name.
        </p>
      )}
      <div className="me__row">
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            checked={visible}
            disabled={busy || !connected}
            onChange={(e) => void setVisible(e.target.checked)}
            data-testid="visibility-toggle"
          />
          <span className="switch__track" aria-hidden="true">
            <span className="switch__thumb" />
          </span>
          <span className="switch__text">
            <span className="switch__label">Visible to others</span>
            <span className="switch__hint">{visible ? 'You count as online.' : 'Hidden: you are not counted or listed.'}</span>
          </span>
        </label>
      </div>
      <div className="me__row me__row--end">
        <StartOver />
      </div>
    </section>
  );
}
