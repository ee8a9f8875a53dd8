/**
 * Who is online: a virtualized list (thousands of rows stay smooth), paged from the server as you
 * scroll, and live (subscribed) only while it is shown and the window is visible.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useId, useRef, useState } from 'react';
import type { OnlineStatus, OnlineUser } from '../../server/protocol.js';
import { formatCount, formatSince } from '../format.js';
import { useNow } from '../hooks/use-now.js';
import { useApp } from '../store/react.js';
import { Avatar } from './Avatar.js';

const ROW_HEIGHT = 52;
/** Ask for the next page while this many rows are still left below the viewport. */
const PREFETCH_ROWS = 15;

const STATUS_LABEL: Record<OnlineStatus, string> = {
  online: 'Online',
  searching: 'Looking',
  chatting: 'Chatting',
};

function usePageVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState !== 'hidden');
  useEffect(() => {
    const update = () => setVisible(document.visibilityState !== 'hidden');
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);
  return visible;
}

/** Subscribes to live list updates while mounted and the page is visible. */
function useOnlineSubscription(): void {
  const subscribe = useApp((s) => s.subscribeOnline);
  const unsubscribe = useApp((s) => s.unsubscribeOnline);
  const connected = useApp((s) => s.connection.status === 'connected');
  const visible = usePageVisible();
  useEffect(() => {
    if (!connected || !visible) return;
    void subscribe();
    return () => void unsubscribe();
  }, [connected, visible, subscribe, unsubscribe]);
}

function Row({ user, isMe, now }: { user: OnlineUser; isMe: boolean; now: number }) {
  const since = formatSince(user.since, now);
  return (
    <>
      <Avatar id={user.id} username={user.username} size="sm" />
      <span className="person__text">
        <span className="person__line">
          <span className="person__name">{user.username}</span>
          {isMe && <span className="person__you">you</span>}
        </span>
        <span className="person__since">{since === 'just now' ? 'joined just now' : `online for ${since}`}</span>
      </span>
      <span className={`badge badge--${user.status}`}>{STATUS_LABEL[user.status]}</span>
    </>
  );
}

function OnlineList() {
  useOnlineSubscription();
  const online = useApp((s) => s.online);
  const meId = useApp((s) => s.me?.user.id ?? null);
  const loadingMore = useApp((s) => s.pending.loadMore === true);
  const loadMore = useApp((s) => s.loadMoreOnline);
  const now = useNow(30_000);
  const scrollRef = useRef<HTMLDivElement>(null);
  const { users, nextCursor } = online;

  const virtualizer = useVirtualizer({
    count: users.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => users[index]?.id ?? index,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;

  // One automatic request per list length: if a page brings nothing (or fails), scrolling must
  // not turn into a request loop; the "Load more" button remains for a deliberate retry.
  const requestedAt = useRef(-1);
  useEffect(() => {
    if (nextCursor === null || loadingMore || requestedAt.current === users.length) return;
    if (lastIndex < users.length - PREFETCH_ROWS) return;
    requestedAt.current = users.length;
    void loadMore();
  }, [lastIndex, users.length, nextCursor, loadingMore, loadMore]);

  if (users.length === 0) {
    return <p className="people__empty">{online.subscribed ? 'Nobody is online yet.' : 'Loading who is here…'}</p>;
  }
  return (
    <div className="people__scroll" ref={scrollRef} tabIndex={0} role="group" aria-label="Online users, scrollable">
      <ul className="people__list" role="list" aria-label="Online users" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((item) => {
          const user = users[item.index];
          if (!user) return null;
          return (
            <li
              key={item.key}
              className="person"
              aria-setsize={nextCursor === null ? users.length : -1}
              aria-posinset={item.index + 1}
              style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
            >
              <Row user={user} isMe={user.id === meId} now={now} />
            </li>
          );
        })}
      </ul>
      {nextCursor !== null && (
        <div className="people__more">
          <button type="button" className="btn btn--ghost btn--small" disabled={loadingMore} onClick={() => void loadMore()}>
            {loadingMore ? 'Loading more…' : 'Load more'}
          </button>
        </div>
      )}
    </div>
  );
}

export function OnlineUsers() {
  const [shown, setShown] = useState(true);
  const count = useApp((s) => s.stats?.stats.onlineUsers ?? null);
  const bodyId = useId();
  return (
    <section className="card people" aria-labelledby="people-title">
      <header className="card__head">
        <h2 id="people-title">
          Online now{count !== null && <span className="card__count">{formatCount(count)}</span>}
        </h2>
        <button
          type="button"
          className="btn btn--ghost btn--small"
          aria-expanded={shown}
          aria-controls={bodyId}
          onClick={() => setShown((v) => !v)}
        >
          {shown ? 'Hide' : 'Show'}
        </button>
      </header>
      <div id={bodyId} className="people__body" hidden={!shown}>
        {shown && <OnlineList />}
      </div>
    </section>
  );
}
