/** Me slice: who I am, whether others can see me, and starting over as someone new. */
import { shareEqual } from './share.js';
import type { MeSlice, SliceCreator, SnapshotReducer } from './types.js';

export const createMeSlice: SliceCreator<MeSlice> = (_set, _get, { bridge, run }) => ({
  me: null,
  sessionRecreated: null,
  setVisible: (visible) => run('visibility', () => bridge.setVisible(visible)),
  startOver: () => run('startOver', () => bridge.startOver()),
});

export const meFromSnapshot: SnapshotReducer = (prev, snap) => ({
  me: shareEqual(prev.me, snap.me),
  sessionRecreated: shareEqual(prev.sessionRecreated, snap.sessionRecreated ?? null),
});
