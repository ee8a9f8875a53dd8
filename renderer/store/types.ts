/**
 * The renderer's one store, as slices. Each slice owns a part of the snapshot plus the actions
 * that ask the Bridge to change it; nothing else writes to the store. Slice state mirrors
 * ClientSnapshot so that a pushed snapshot maps onto it one to one.
 */
import type { StoreApi } from 'zustand/vanilla';
import type {
  Bridge,
  ChatEntry,
  ClientSnapshot,
  ConnectionState,
  MatchState,
  MeState,
  OnlineListState,
  SessionRecreated,
  StatsState,
} from '../../client/types.js';
import type { HistoryPoint } from '../../server/protocol.js';

/** Actions that show a busy state and ignore a second click while the first is in flight. */
export type PendingKey = 'visibility' | 'search' | 'cancel' | 'leave' | 'startOver' | 'loadMore';

/** One online-count sample taken from a live stats push (between the server's history samples). */
export interface LivePoint {
  t: number;
  onlineUsers: number;
}

export interface Notice {
  id: number;
  text: string;
}

export interface ConnectionSlice {
  serverUrl: string | null;
  connection: ConnectionState;
}

export interface MeSlice {
  me: MeState | null;
  /** set when the client had to replace a lost session by a new one */
  sessionRecreated: SessionRecreated | null;
  setVisible(visible: boolean): Promise<void>;
  startOver(): Promise<void>;
}

export interface StatsSlice {
  stats: StatsState | null;
  history: HistoryPoint[];
  live: LivePoint[];
  refreshHistory(minutes?: number): Promise<void>;
}

export interface OnlineSlice {
  online: OnlineListState;
  loadMoreOnline(): Promise<void>;
  subscribeOnline(): Promise<void>;
  unsubscribeOnline(): Promise<void>;
}

export interface MatchSlice {
  match: MatchState;
  chat: ChatEntry[];
  search(): Promise<void>;
  cancelSearch(): Promise<void>;
  sendMessage(text: string): Promise<void>;
  leaveChat(): Promise<void>;
  /** leaves the current chat (if any) and searches again */
  next(): Promise<void>;
}

export interface UiSlice {
  /** false until the first snapshot arrived */
  loaded: boolean;
  pending: Readonly<Partial<Record<PendingKey, true>>>;
  notice: Notice | null;
  /** shows a failed action (or a failed first load) as the notice */
  reportError(err: unknown): void;
  dismissNotice(): void;
  applySnapshot(snapshot: ClientSnapshot): void;
}

export type AppState = ConnectionSlice & MeSlice & StatsSlice & OnlineSlice & MatchSlice & UiSlice;
export type AppStore = StoreApi<AppState>;

export interface SliceContext {
  bridge: Bridge;
  /** runs a Bridge call: marks `key` pending, turns a failure into a notice */
  run(key: PendingKey | null, task: () => Promise<unknown>): Promise<void>;
}

export type SliceCreator<S> = (
  set: AppStore['setState'],
  get: AppStore['getState'],
  ctx: SliceContext,
) => S;

/** How a slice takes its part of a pushed snapshot (pure; `prev` is the whole current state). */
export type SnapshotReducer = (prev: AppState, snapshot: ClientSnapshot) => Partial<AppState>;
