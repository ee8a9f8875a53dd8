/** Online slice: the paged list of who is online, live while someone is looking at it. */
import { shareEqual } from './share.js';
import type { OnlineSlice, SliceCreator, SnapshotReducer } from './types.js';

export const createOnlineSlice: SliceCreator<OnlineSlice> = (_set, get, { bridge, run }) => ({
  online: { subscribed: false, users: [], nextCursor: null },
  loadMoreOnline: async () => {
    // Nothing more to fetch: don't spend a request (the list asks on every scroll near the end).
    if (get().online.nextCursor === null) return;
    await run('loadMore', () => bridge.loadMoreOnline());
  },
  // Quiet on failure: these follow the list's visibility, not a click, and the client re-subscribes
  // by itself after a reconnect, so a notice would only alarm the user about nothing.
  subscribeOnline: () => bridge.subscribeOnline().catch(() => undefined),
  unsubscribeOnline: () => bridge.unsubscribeOnline().catch(() => undefined),
});

export const onlineFromSnapshot: SnapshotReducer = (prev, snap) => ({
  online: shareEqual(prev.online, snap.online),
});
