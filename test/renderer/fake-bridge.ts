/**
 * A Bridge for component tests: the seam between the renderer and the client. It holds a
 * snapshot, pushes changes to listeners like the preload/PresenceClient would, and records every
 * action call. Actions resolve by default; a test can replace one to fail or to change state.
 */
import type { Bridge, ClientActions, ClientSnapshot } from '../../client/types.js';
import { initialSnapshot } from '../../client/types.js';
import type { OnlineUser, PublicUser, Stats } from '../../server/protocol.js';

export type Call = { [K in keyof ClientActions]: { name: K; args: Parameters<ClientActions[K]> } }[keyof ClientActions];

export const ME: PublicUser = { id: 'u-me', username: 'quiet_fox' };
export const SAM: PublicUser = { id: 'u-sam', username: 'sam' };

export function stats(partial: Partial<Stats> = {}): Stats {
  return { totalUsers: 10, onlineUsers: 4, activeUsers: 6, availableUsers: 1, connectedUsers: 2, ...partial };
}

export function onlineUser(i: number, status: OnlineUser['status'] = 'online'): OnlineUser {
  return { id: `u-${i}`, username: `user_${i}`, status, since: 1_700_000_000_000 - i * 60_000 };
}

/** A connected, visible user with stats: the usual starting point. */
export function connectedSnapshot(over: Partial<ClientSnapshot> = {}): ClientSnapshot {
  return {
    ...initialSnapshot('http://server.test'),
    connection: { status: 'connected', since: 1_700_000_000_000 },
    me: {
      user: ME,
      presence: { isOnline: true, isSearching: false, partner: null, chatId: null, lastSeen: 1_700_000_000_000 },
    },
    stats: { stats: stats(), seq: 1, timestamp: 1_700_000_000_000, degraded: false, recent: [] },
    ...over,
  };
}

type Impl = { [K in keyof ClientActions]?: (...args: Parameters<ClientActions[K]>) => ReturnType<ClientActions[K]> };

export class FakeBridge implements Bridge {
  snapshot: ClientSnapshot;
  readonly calls: Call[] = [];
  readonly impl: Impl = {};
  private readonly listeners = new Set<(s: ClientSnapshot) => void>();

  constructor(snapshot: ClientSnapshot = connectedSnapshot()) {
    this.snapshot = snapshot;
  }

  /** Pushes a new snapshot (a fresh deep copy, as IPC would deliver it). */
  push(change: Partial<ClientSnapshot> | ((s: ClientSnapshot) => ClientSnapshot)): void {
    const next = typeof change === 'function' ? change(this.snapshot) : { ...this.snapshot, ...change };
    this.snapshot = structuredClone(next);
    for (const l of this.listeners) l(structuredClone(this.snapshot));
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  names(): string[] {
    return this.calls.map((c) => c.name);
  }

  getSnapshot(): Promise<ClientSnapshot> {
    return Promise.resolve(structuredClone(this.snapshot));
  }

  onSnapshot(listener: (s: ClientSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private call<K extends keyof ClientActions>(name: K, args: Parameters<ClientActions[K]>, fallback: ReturnType<ClientActions[K]>) {
    this.calls.push({ name, args } as Call);
    const fn = this.impl[name] as ((...a: Parameters<ClientActions[K]>) => ReturnType<ClientActions[K]>) | undefined;
    return fn ? fn(...args) : fallback;
  }

  setVisible(visible: boolean) {
    return this.call('setVisible', [visible], Promise.resolve());
  }
  search() {
    return this.call('search', [], Promise.resolve());
  }
  cancelSearch() {
    return this.call('cancelSearch', [], Promise.resolve());
  }
  sendMessage(text: string) {
    return this.call('sendMessage', [text], Promise.resolve());
  }
  leaveChat() {
    return this.call('leaveChat', [], Promise.resolve());
  }
  loadMoreOnline() {
    return this.call('loadMoreOnline', [], Promise.resolve({ users: [], nextCursor: null }));
  }
  subscribeOnline() {
    return this.call('subscribeOnline', [], Promise.resolve());
  }
  unsubscribeOnline() {
    return this.call('unsubscribeOnline', [], Promise.resolve());
  }
  refreshHistory(minutes?: number) {
    return this.call('refreshHistory', [minutes], Promise.resolve());
  }
  startOver() {
    return this.call('startOver', [], Promise.resolve());
  }
}
