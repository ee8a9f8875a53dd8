/** The one notice (a failed action), shown until dismissed or replaced; it fades after a while. */
import { useEffect } from 'react';
import { useApp } from '../store/react.js';

const SHOW_MS = 6_000;

export function NoticeToast() {
  const notice = useApp((s) => s.notice);
  const dismiss = useApp((s) => s.dismissNotice);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(dismiss, SHOW_MS);
    return () => clearTimeout(timer);
  }, [notice, dismiss]);
  if (!notice) return null;
  return (
    <div className="toast" role="alert">
      <span>{notice.text}</span>
      <button type="button" className="toast__close" aria-label="Dismiss" onClick={dismiss}>
        ×
      </button>
    </div>
  );
}
