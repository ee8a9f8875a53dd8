/** A chat in progress, or the one that just ended (kept on screen with a notice). */
import type { ChatEntry, MatchState } from '../../client/types.js';
import type { PublicUser } from '../../server/protocol.js';
import { useApp } from '../store/react.js';
import { Avatar } from './Avatar.js';
import { Composer } from './Composer.js';
import { FindButton } from './Lobby.js';
import { Messages } from './Messages.js';

type Ended = Extract<MatchState, { status: 'idle' }>['lastEnded'] & {};

function endedText(ended: Ended): string {
  const name = ended.partner?.username ?? 'Your partner';
  switch (ended.reason) {
    case 'left':
      return 'You left the chat.';
    case 'partner_left':
      return `${name} left the chat.`;
    case 'partner_gone':
      return `${name} disconnected.`;
  }
}

function ChatHeader({ partner, live }: { partner: PublicUser; live: boolean }) {
  const next = useApp((s) => s.next);
  const leave = useApp((s) => s.leaveChat);
  const searching = useApp((s) => s.pending.search === true);
  const leaving = useApp((s) => s.pending.leave === true);
  return (
    <header className="chat__head">
      <Avatar id={partner.id} username={partner.username} />
      <div className="chat__who">
        <span className="chat__name">{partner.username}</span>
        <span className={`chat__state${live ? ' chat__state--live' : ''}`}>{live ? 'In chat with you' : 'Chat ended'}</span>
      </div>
      <div className="chat__actions">
        {live && (
          <button type="button" className="btn btn--ghost" onClick={() => void leave()} disabled={leaving}>
            Leave
          </button>
        )}
        <button type="button" className="btn btn--secondary" data-testid="next-button" onClick={() => void next()} disabled={searching}>
          Next →
        </button>
      </div>
    </header>
  );
}

/** The entries of one chat (the snapshot may still hold an older chat's while it switches). */
function entriesOf(chat: readonly ChatEntry[], chatId: string | null): readonly ChatEntry[] {
  return chatId === null ? [] : chat.filter((m) => m.chatId === chatId);
}

export function ChatPanel({ chatId, partner }: { chatId: string; partner: PublicUser }) {
  const chat = useApp((s) => s.chat);
  return (
    <div className="chat" aria-label={`Chat with ${partner.username}`} role="region">
      <ChatHeader partner={partner} live />
      <Messages entries={entriesOf(chat, chatId)} partnerName={partner.username} />
      <Composer key={chatId} partnerName={partner.username} />
    </div>
  );
}

export function EndedChat({ ended }: { ended: Ended }) {
  const chat = useApp((s) => s.chat);
  const lastChatId = chat.at(-1)?.chatId ?? null;
  const partner = ended.partner ?? { id: 'gone', username: 'Your partner' };
  return (
    <div className="chat chat--ended" aria-label={`Chat with ${partner.username} ended`} role="region">
      <ChatHeader partner={partner} live={false} />
      <Messages entries={entriesOf(chat, lastChatId)} partnerName={partner.username} />
      <div className="chat__ended">
        <p className="chat__notice" role="status" data-testid="chat-ended">
          {endedText(ended)}
        </p>
        <FindButton label="Find someone new" autoFocus />
      </div>
    </div>
  );
}
