/** The message box: Enter sends, Shift+Enter breaks the line. */
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { MESSAGE_MAX } from '../../server/protocol.js';
import { useApp } from '../store/react.js';

export function Composer({ partnerName }: { partnerName: string }) {
  const send = useApp((s) => s.sendMessage);
  const [draft, setDraft] = useState('');
  const inputRef = useRef<HTMLTextAreaElement>(null);

  // A new chat starts with the cursor in the box, so the user can type at once.
  useEffect(() => inputRef.current?.focus(), []);

  const submit = () => {
    if (draft.trim() === '') return;
    void send(draft);
    setDraft('');
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // isComposing: Enter that confirms an IME candidate must not send half a word.
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  return (
    <form className="composer" onSubmit={onSubmit}>
      <textarea
        ref={inputRef}
        className="composer__input"
        data-testid="message-input"
        aria-label={`Message ${partnerName}`}
        placeholder={`Message ${partnerName}…`}
        rows={1}
        maxLength={MESSAGE_MAX}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <button type="submit" className="btn btn--primary" disabled={draft.trim() === ''}>
        Send
      </button>
    </form>
  );
}
