import { describe, expect, it } from 'vitest';
import { connectStore, createAppStore, reduceSnapshot } from '../../renderer/store/create-store.js';
import { appendLive } from '../../renderer/store/stats-slice.js';
import { ClientError } from '../../client/errors.js';
import { FakeBridge, SAM, connectedSnapshot, onlineUser, stats } from './fake-bridge.js';
import type { ChatEntry } from '../../client/types.js';

const flush = () => new Promise((r) => setTimeout(r, 0));

function entry(id: string, text: string, mine = false): ChatEntry {
  return { id, chatId: 'c1', from: mine ? { id: 'u-me', username: 'quiet_fox' } : SAM, text, sentAt: 1, mine, state: 'sent' };
}

describe('store slices fed by the Bridge', () => {
  it('takes the current snapshot on load, then every pushed one', async () => {
    const bridge = new FakeBridge();
    const store = createAppStore(bridge);
    expect(store.getState().loaded).toBe(false);
    connectStore(store, bridge);
    await flush();
    expect(store.getState().loaded).toBe(true);
    expect(store.getState().me?.user.username).toBe('quiet_fox');
    bridge.push({ stats: { stats: stats({ onlineUsers: 9 }), seq: 2, timestamp: 2, degraded: true, recent: [] } });
    expect(store.getState().stats?.stats.onlineUsers).toBe(9);
    expect(store.getState().stats?.degraded).toBe(true);
  });

  it('ignores the initial snapshot when a newer push beat it', async () => {
    const bridge = new FakeBridge();
    const store = createAppStore(bridge);
    connectStore(store, bridge);
    bridge.push({ connection: { status: 'offline', reason: 'quit' } });
    await flush();
    expect(store.getState().connection.status).toBe('offline');
  });

  it('reports a failed first load as a notice', async () => {
    const bridge = new FakeBridge();
    bridge.getSnapshot = () => Promise.reject(new Error('the app is still starting'));
    const store = createAppStore(bridge);
    connectStore(store, bridge);
    await flush();
    expect(store.getState().notice?.text).toBe('the app is still starting');
    expect(store.getState().loaded).toBe(false);
  });

  it('stops listening when disconnected', () => {
    const bridge = new FakeBridge();
    const store = createAppStore(bridge);
    const off = connectStore(store, bridge);
    expect(bridge.listenerCount).toBe(1);
    off();
    expect(bridge.listenerCount).toBe(0);
  });

  it('keeps unrelated slices identical on a stats tick (narrow selectors stay quiet)', () => {
    const bridge = new FakeBridge(connectedSnapshot({ chat: [entry('m1', 'hi')] }));
    const store = createAppStore(bridge);
    connectStore(store, bridge);
    bridge.push((s) => s); // a fresh clone of the same data
    const before = store.getState();
    bridge.push({ stats: { stats: stats({ onlineUsers: 5 }), seq: 2, timestamp: 2, degraded: false, recent: [] } });
    const after = store.getState();
    expect(after.stats).not.toBe(before.stats);
    expect(after.chat).toBe(before.chat);
    expect(after.match).toBe(before.match);
    expect(after.me).toBe(before.me);
    expect(after.online).toBe(before.online);
    expect(after.connection).toBe(before.connection);
  });

  it('reuses unchanged chat entries when a message is added', () => {
    const first = entry('m1', 'hi');
    const state = createAppStore(new FakeBridge()).getState();
    const one = { ...state, ...reduceSnapshot(state, connectedSnapshot({ chat: [first] })) };
    const two = reduceSnapshot(one, connectedSnapshot({ chat: [structuredClone(first), entry('m2', 'yo')] }));
    expect(two.chat?.[0]).toBe(one.chat[0]);
    expect(two.chat).toHaveLength(2);
  });

  it('adds a live chart point only for a newer stats push', () => {
    const bridge = new FakeBridge();
    const store = createAppStore(bridge);
    connectStore(store, bridge);
    bridge.push({});
    expect(store.getState().live).toHaveLength(1);
    bridge.push({}); // same seq
    expect(store.getState().live).toHaveLength(1);
    bridge.push({ stats: { stats: stats({ onlineUsers: 7 }), seq: 3, timestamp: 1_700_000_001_000, degraded: false, recent: [] } });
    expect(store.getState().live.map((p) => p.onlineUsers)).toEqual([4, 7]);
  });

  it('appendLive drops points older than the window and out-of-order ones', () => {
    const hour = 3_600_000;
    let live = appendLive([], { t: 0, onlineUsers: 1 });
    live = appendLive(live, { t: 10, onlineUsers: 2 });
    expect(appendLive(live, { t: 5, onlineUsers: 9 })).toBe(live);
    live = appendLive(live, { t: hour + 5, onlineUsers: 3 });
    expect(live.map((p) => p.t)).toEqual([10, hour + 5]);
  });

  it('mirrors the online list and its cursor, and pages only while there is more', async () => {
    const bridge = new FakeBridge(connectedSnapshot({ online: { subscribed: true, users: [onlineUser(1)], nextCursor: null } }));
    const store = createAppStore(bridge);
    connectStore(store, bridge);
    await flush();
    await store.getState().loadMoreOnline();
    expect(bridge.names()).toEqual([]);
    bridge.push({ online: { subscribed: true, users: [onlineUser(1)], nextCursor: 'c2' } });
    await store.getState().loadMoreOnline();
    expect(bridge.names()).toEqual(['loadMoreOnline']);
  });
});

describe('store actions', () => {
  it('marks an action pending while in flight and ignores a second click', async () => {
    const bridge = new FakeBridge();
    let resolve = () => {};
    bridge.impl.search = () => new Promise<void>((r) => (resolve = r));
    const store = createAppStore(bridge);
    const first = store.getState().search();
    expect(store.getState().pending.search).toBe(true);
    await store.getState().search();
    expect(bridge.names()).toEqual(['search']);
    resolve();
    await first;
    expect(store.getState().pending.search).toBeUndefined();
  });

  it('turns a failure into a readable notice, dismissable', async () => {
    const bridge = new FakeBridge();
    bridge.impl.search = () => Promise.reject(new ClientError('rate_limited', 'slow down'));
    const store = createAppStore(bridge);
    await store.getState().search();
    expect(store.getState().notice?.text).toMatch(/too many actions/);
    store.getState().dismissNotice();
    expect(store.getState().notice).toBeNull();
  });

  it('reads the code and message of the preload\'s plain-object rejections too', async () => {
    const bridge = new FakeBridge();
    bridge.impl.leaveChat = () => Promise.reject({ name: 'ClientError', code: 'internal', message: 'the app hiccuped' });
    bridge.impl.search = () => Promise.reject({ name: 'ClientError', code: 'unavailable', message: 'timeout' });
    const store = createAppStore(bridge);
    await store.getState().leaveChat();
    expect(store.getState().notice?.text).toBe('the app hiccuped');
    await store.getState().search();
    expect(store.getState().notice?.text).toMatch(/server is busy/);
    await store.getState().cancelSearch();
    bridge.impl.cancelSearch = () => Promise.reject(42);
    await store.getState().cancelSearch();
    expect(store.getState().notice?.text).toBe('Something went wrong. Please try again.');
  });

  it('sends trimmed text only while chatting', async () => {
    const bridge = new FakeBridge();
    const store = createAppStore(bridge);
    connectStore(store, bridge);
    await flush();
    await store.getState().sendMessage('hello');
    expect(bridge.calls).toEqual([]);
    bridge.push({ match: { status: 'chatting', chatId: 'c1', partner: SAM, since: 1 } });
    await store.getState().sendMessage('   ');
    await store.getState().sendMessage('  hello  ');
    expect(bridge.calls).toEqual([{ name: 'sendMessage', args: ['hello'] }]);
  });

  it('next leaves the chat then searches; after the partner left it only searches', async () => {
    const bridge = new FakeBridge(connectedSnapshot({ match: { status: 'chatting', chatId: 'c1', partner: SAM, since: 1 } }));
    const store = createAppStore(bridge);
    connectStore(store, bridge);
    await flush();
    await store.getState().next();
    expect(bridge.names()).toEqual(['leaveChat', 'search']);
    bridge.push({ match: { status: 'idle', lastEnded: { reason: 'partner_left', partner: SAM } } });
    await store.getState().next();
    expect(bridge.names()).toEqual(['leaveChat', 'search', 'search']);
  });

  it('passes visibility, start over, cancel and leave through to the Bridge', async () => {
    const bridge = new FakeBridge();
    const store = createAppStore(bridge);
    const s = store.getState();
    await s.setVisible(false);
    await s.startOver();
    await s.cancelSearch();
    await s.leaveChat();
    await s.refreshHistory(60);
    expect(bridge.calls).toEqual([
      { name: 'setVisible', args: [false] },
      { name: 'startOver', args: [] },
      { name: 'cancelSearch', args: [] },
      { name: 'leaveChat', args: [] },
      { name: 'refreshHistory', args: [60] },
    ]);
  });

  it('keeps quiet when (un)subscribing or refreshing history fails', async () => {
    const bridge = new FakeBridge();
    bridge.impl.subscribeOnline = () => Promise.reject(new Error('offline'));
    bridge.impl.refreshHistory = () => Promise.reject(new Error('offline'));
    const store = createAppStore(bridge);
    await store.getState().subscribeOnline();
    await store.getState().refreshHistory();
    expect(store.getState().notice).toBeNull();
  });
});
