/** The match area: lobby → searching → chat → ended, following the snapshot's match state. */
import { useApp } from '../store/react.js';
import { ChatPanel, EndedChat } from './ChatPanel.js';
import { Lobby, Searching } from './Lobby.js';

export function MatchPanel() {
  const match = useApp((s) => s.match);
  let body;
  switch (match.status) {
    case 'searching':
      body = <Searching since={match.since} />;
      break;
    case 'chatting':
      body = <ChatPanel chatId={match.chatId} partner={match.partner} />;
      break;
    case 'idle':
      body = match.lastEnded ? <EndedChat ended={match.lastEnded} /> : <Lobby />;
      break;
  }
  return (
    <section className="card match" aria-label="Meet someone">
      {body}
    </section>
  );
}
