/**
 * A PresenceClientApi double for the electron/ tests: every action is a vi.fn, and `emit`
 * plays the client publishing a snapshot. (The real client is tested against a real server in
 * test/client; here only the shell's reactions are under test.)
 */
import { vi } from 'vitest';
import { initialSnapshot } from '../../client/types.js';
import type { ClientSnapshot, PresenceClientApi } from '../../client/types.js';
import type { Stats } from '../../server/protocol.js';

export type FakeClient = PresenceClientApi & {
  emit(snapshot: ClientSnapshot): void;
  listenerCount(): number;
};

export function fakeClient(initial: ClientSnapshot = initialSnapshot('http://127.0.0.1:1')): FakeClient {
  let current = initial;
  const listeners = new Set<(s: ClientSnapshot) => void>();
  return {
    start: vi.fn(() => Promise.resolve()),
    stop: vi.fn(() => Promise.resolve()),
    pause: vi.fn(),
    resume: vi.fn(),
    getSnapshot: vi.fn(() => current),
    subscribe: vi.fn((listener: (s: ClientSnapshot) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    }),
    setVisible: vi.fn(() => Promise.resolve()),
    search: vi.fn(() => Promise.resolve()),
    cancelSearch: vi.fn(() => Promise.resolve()),
    sendMessage: vi.fn(() => Promise.resolve()),
    leaveChat: vi.fn(() => Promise.resolve()),
    loadMoreOnline: vi.fn(() => Promise.resolve({ users: [], nextCursor: null })),
    subscribeOnline: vi.fn(() => Promise.resolve()),
    unsubscribeOnline: vi.fn(() => Promise.resolve()),
    refreshHistory: vi.fn(() => Promise.resolve()),
    startOver: vi.fn(() => Promise.resolve()),
    emit(snapshot) {
      current = snapshot;
      for (const l of [...listeners]) l(snapshot);
    },
    listenerCount: () => listeners.size,
  };
}

/** A snapshot of a connected client seeing `online` people, visible or hidden. */
export function connectedSnapshot(online: number, visible = true): ClientSnapshot {
  const stats: Stats = {
    totalUsers: online + 5,
    onlineUsers: online,
    activeUsers: online + 2,
    availableUsers: 0,
    connectedUsers: 0,
  };
  return {
    ...initialSnapshot('http://127.0.0.1:1'),
    connection: { status: 'connected', since: 1 },
    me: {
      user: { id: 'u1', username: 'ada' },
      presence: { isOnline: visible, isSearching: false, partner: null, chatId: null, lastSeen: 1 },
    },
    stats: { stats, seq: online, timestamp: 1, degraded: false, recent: [] },
  };
}

/** A manual clock for throttles: `advance` runs what came due, in order. */
export function manualClock(start = 0) {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout: (fn: () => void, ms: number): unknown => {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (handle: unknown) => {
      timers.delete(handle as number);
    },
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = until;
    },
    pending: () => timers.size,
  };
}
