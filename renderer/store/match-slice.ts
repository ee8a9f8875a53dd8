/** Match slice: searching, the current partner, and the conversation with them. */
import { shareEqual } from './share.js';
import type { MatchSlice, SliceCreator, SnapshotReducer } from './types.js';

export const createMatchSlice: SliceCreator<MatchSlice> = (_set, get, { bridge, run }) => ({
  match: { status: 'idle', lastEnded: null },
  chat: [],
  search: () => run('search', () => bridge.search()),
  cancelSearch: () => run('cancel', () => bridge.cancelSearch()),
  sendMessage: async (text) => {
    const trimmed = text.trim();
    if (trimmed === '' || get().match.status !== 'chatting') return;
    // No pending flag: the client shows the message at once in its 'sending' state.
    await run(null, () => bridge.sendMessage(trimmed));
  },
  leaveChat: () => run('leave', () => bridge.leaveChat()),
  next: () =>
    run('search', async () => {
      // The partner may have left first; then there is nothing to leave and we only search.
      if (get().match.status === 'chatting') await bridge.leaveChat();
      await bridge.search();
    }),
});

export const matchFromSnapshot: SnapshotReducer = (prev, snap) => ({
  match: shareEqual(prev.match, snap.match),
  chat: shareEqual(prev.chat, snap.chat),
});
