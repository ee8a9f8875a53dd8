/** Connection slice: where we talk to and how the link is doing. */
import { shareEqual } from './share.js';
import type { ConnectionSlice, SliceCreator, SnapshotReducer } from './types.js';

export const createConnectionSlice: SliceCreator<ConnectionSlice> = () => ({
  serverUrl: null,
  connection: { status: 'idle' },
});

export const connectionFromSnapshot: SnapshotReducer = (prev, snap) => ({
  serverUrl: snap.serverUrl,
  connection: shareEqual(prev.connection, snap.connection),
});
