/**
 * Builds the app store around a Bridge and wires the Bridge's snapshots into it. The store core
 * has no React in it (zustand/vanilla), so slices are tested without rendering anything.
 */
import { createStore } from 'zustand/vanilla';
import type { Bridge, ClientSnapshot } from '../../client/types.js';
import { connectionFromSnapshot, createConnectionSlice } from './connection-slice.js';
import { createMatchSlice, matchFromSnapshot } from './match-slice.js';
import { createMeSlice, meFromSnapshot } from './me-slice.js';
import { createOnlineSlice, onlineFromSnapshot } from './online-slice.js';
import { createStatsSlice, statsFromSnapshot } from './stats-slice.js';
import type { AppState, AppStore, PendingKey, SliceContext, SnapshotReducer } from './types.js';
import { createUiSlice } from './ui-slice.js';

const reducers: readonly SnapshotReducer[] = [
  connectionFromSnapshot,
  meFromSnapshot,
  statsFromSnapshot,
  onlineFromSnapshot,
  matchFromSnapshot,
];

/** The state a snapshot leads to: each slice takes its part, unchanged parts keep identity. */
export function reduceSnapshot(prev: AppState, snapshot: ClientSnapshot): Partial<AppState> {
  const patch: Partial<AppState> = { loaded: true };
  for (const reduce of reducers) Object.assign(patch, reduce(prev, snapshot));
  return patch;
}

/** Creates the store; it does not listen to the Bridge until `connectStore` is called. */
export function createAppStore(bridge: Bridge): AppStore {
  return createStore<AppState>()((set, get) => {
    const setPending = (key: PendingKey, on: boolean): void =>
      set((s) => {
        const pending = { ...s.pending };
        if (on) pending[key] = true;
        else delete pending[key];
        return { pending };
      });

    const ctx: SliceContext = {
      bridge,
      run: async (key, task) => {
        if (key && get().pending[key]) return; // a second click while the first is in flight
        if (key) setPending(key, true);
        try {
          await task();
        } catch (err) {
          get().reportError(err);
        } finally {
          if (key) setPending(key, false);
        }
      },
    };

    return {
      ...createConnectionSlice(set, get, ctx),
      ...createMeSlice(set, get, ctx),
      ...createStatsSlice(set, get, ctx),
      ...createOnlineSlice(set, get, ctx),
      ...createMatchSlice(set, get, ctx),
      ...createUiSlice(set, get, ctx),
      applySnapshot: (snapshot) => set((s) => reduceSnapshot(s, snapshot)),
    };
  });
}

/**
 * Feeds the store from the Bridge: pushed snapshots, plus the current one on load (so a reload
 * shows the state at once). Subscribes first, and drops the initial snapshot if a push already
 * arrived, so an older state never overwrites a newer one. Returns the unsubscribe function.
 */
export function connectStore(store: AppStore, bridge: Bridge): () => void {
  let pushed = false;
  let closed = false;
  const off = bridge.onSnapshot((snapshot) => {
    pushed = true;
    store.getState().applySnapshot(snapshot);
  });
  bridge
    .getSnapshot()
    .then((snapshot) => {
      if (!pushed && !closed) store.getState().applySnapshot(snapshot);
    })
    .catch((err: unknown) => {
      if (!closed) store.getState().reportError(err);
    });
  return () => {
    closed = true;
    off();
  };
}
