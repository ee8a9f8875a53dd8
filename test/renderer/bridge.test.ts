import { afterEach, describe, expect, it } from 'vitest';
import type { ClientSnapshot, PresenceClientApi } from '../../client/types.js';
import { bridgeFromClient } from '../../renderer/bridge/client-bridge.js';
import { SESSION_KEY, localSessionStorage } from '../../renderer/bridge/local-session-storage.js';
import { pickBridge } from '../../renderer/bridge/pick-bridge.js';
import { FakeBridge, connectedSnapshot } from './fake-bridge.js';

afterEach(() => localStorage.clear());

const session = { user: { id: 'u1', username: 'quiet_fox' }, token: 'jwt', tokenExpiresAt: 123 };

describe('localSessionStorage', () => {
  it('saves, loads and clears the guest session in localStorage', async () => {
    const storage = localSessionStorage();
    expect(await storage.load()).toBeNull();
    await storage.save(session);
    expect(JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null')).toEqual(session);
    expect(await localSessionStorage().load()).toEqual(session); // what a reload sees
    await storage.clear();
    expect(localStorage.getItem(SESSION_KEY)).toBeNull();
  });

  it('treats a corrupt or foreign value as no session', async () => {
    localStorage.setItem(SESSION_KEY, '{not json');
    expect(await localSessionStorage().load()).toBeNull();
    localStorage.setItem(SESSION_KEY, JSON.stringify({ token: 5 }));
    expect(await localSessionStorage().load()).toBeNull();
  });

  it('falls back to memory when storage throws', async () => {
    const broken = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {},
    };
    const storage = localSessionStorage(broken);
    await storage.save(session);
    expect(await storage.load()).toEqual(session);
  });
});

describe('bridgeFromClient', () => {
  it('delegates every action and the snapshot feed to PresenceClient', async () => {
    const snapshot: ClientSnapshot = connectedSnapshot();
    const listeners: ((s: ClientSnapshot) => void)[] = [];
    const calls: string[] = [];
    const act = (name: string) => () => {
      calls.push(name);
      return Promise.resolve();
    };
    const client: PresenceClientApi = {
      start: act('start'),
      stop: act('stop'),
      pause: () => {},
      resume: () => {},
      getSnapshot: () => snapshot,
      subscribe: (l) => {
        listeners.push(l);
        return () => calls.push('unsubscribe');
      },
      setVisible: (v) => act(`setVisible:${v}`)(),
      search: act('search'),
      cancelSearch: act('cancelSearch'),
      sendMessage: (t) => act(`sendMessage:${t}`)(),
      leaveChat: act('leaveChat'),
      loadMoreOnline: () => Promise.resolve({ users: [], nextCursor: 'n' }),
      subscribeOnline: act('subscribeOnline'),
      unsubscribeOnline: act('unsubscribeOnline'),
      refreshHistory: (m) => act(`refreshHistory:${m}`)(),
      startOver: act('startOver'),
    };
    const bridge = bridgeFromClient(client);
    expect(await bridge.getSnapshot()).toBe(snapshot);
    const seen: ClientSnapshot[] = [];
    const off = bridge.onSnapshot((s) => seen.push(s));
    listeners[0]?.(snapshot);
    off();
    await bridge.setVisible(false);
    await bridge.search();
    await bridge.cancelSearch();
    await bridge.sendMessage('hi');
    await bridge.leaveChat();
    expect(await bridge.loadMoreOnline()).toEqual({ users: [], nextCursor: 'n' });
    await bridge.subscribeOnline();
    await bridge.unsubscribeOnline();
    await bridge.refreshHistory(30);
    await bridge.startOver();
    expect(seen).toEqual([snapshot]);
    expect(calls).toEqual([
      'unsubscribe',
      'setVisible:false',
      'search',
      'cancelSearch',
      'sendMessage:hi',
      'leaveChat',
      'subscribeOnline',
      'unsubscribeOnline',
      'refreshHistory:30',
      'startOver',
    ]);
  });
});

// The browser path (PresenceClient in the page) is covered end to end in test/e2e.
describe('pickBridge', () => {
  it('uses the desktop preload when window.herenow exists', async () => {
    const desktop = new FakeBridge();
    const win = { herenow: desktop, location: { origin: 'http://x' } } as unknown as Window;
    expect(await pickBridge(win)).toBe(desktop);
  });

});
