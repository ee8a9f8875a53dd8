import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OnlineUsers } from '../../renderer/views/OnlineUsers.js';
import { FakeBridge, ME, connectedSnapshot, onlineUser } from './fake-bridge.js';
import { renderWithBridge, settle } from './render.js';

// jsdom lays nothing out, so every element is 0×0 and the virtualizer would show no rows. Give
// the list's scroll box a viewport (this stands in for the browser's layout, not for our code).
const original = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientHeight');
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains('people__scroll') ? 416 : 0;
    },
  });
});
afterAll(() => {
  if (original) Object.defineProperty(HTMLElement.prototype, 'clientHeight', original);
});
afterEach(cleanup);

function many(n: number) {
  return Array.from({ length: n }, (_, i) => onlineUser(i, i % 3 === 0 ? 'chatting' : i % 3 === 1 ? 'searching' : 'online'));
}

describe('OnlineUsers', () => {
  it('subscribes on mount and unsubscribes on unmount', async () => {
    const { bridge, unmount } = await renderWithBridge(<OnlineUsers />);
    expect(bridge.names()).toEqual(['subscribeOnline']);
    unmount();
    expect(bridge.names()).toEqual(['subscribeOnline', 'unsubscribeOnline']);
  });

  it('subscribes only while shown: hiding the list unsubscribes', async () => {
    const { bridge } = await renderWithBridge(<OnlineUsers />);
    const toggle = screen.getByRole('button', { name: 'Hide' });
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    fireEvent.click(toggle);
    expect(bridge.names()).toEqual(['subscribeOnline', 'unsubscribeOnline']);
    fireEvent.click(screen.getByRole('button', { name: 'Show' }));
    expect(bridge.names()).toEqual(['subscribeOnline', 'unsubscribeOnline', 'subscribeOnline']);
  });

  it('waits for the connection before subscribing', async () => {
    const bridge = new FakeBridge(connectedSnapshot({ connection: { status: 'connecting', attempt: 1 } }));
    const { push } = await renderWithBridge(<OnlineUsers />, bridge);
    expect(bridge.names()).toEqual([]);
    push({ connection: { status: 'connected', since: 1 } });
    expect(bridge.names()).toEqual(['subscribeOnline']);
  });

  it('renders only the visible rows of a long list, with status badges and me marked', async () => {
    const users = [{ ...onlineUser(0), id: ME.id, username: ME.username }, ...many(5000).slice(1)];
    const bridge = new FakeBridge(connectedSnapshot({ online: { subscribed: true, users, nextCursor: null } }));
    await renderWithBridge(<OnlineUsers />, bridge);
    const rows = screen.getAllByRole('listitem');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(40);
    expect(within(rows[0]!).getByText('you')).toBeTruthy();
    expect(within(rows[1]!).getByText('Looking')).toBeTruthy();
    expect(within(rows[2]!).getByText('Online')).toBeTruthy();
    expect(within(rows[3]!).getByText('Chatting')).toBeTruthy();
    expect(rows[0]!.getAttribute('aria-setsize')).toBe('5000');
  });

  it('pages from the server when the end of the loaded rows comes into view', async () => {
    const bridge = new FakeBridge(connectedSnapshot({ online: { subscribed: true, users: many(10), nextCursor: 'p2' } }));
    // Like the client: a page appends users and moves the cursor (to null after the last page).
    bridge.impl.loadMoreOnline = () => {
      const page = { users: many(20).slice(10), nextCursor: null };
      bridge.push((s) => ({ ...s, online: { subscribed: true, users: [...s.online.users, ...page.users], nextCursor: null } }));
      return Promise.resolve(page);
    };
    await renderWithBridge(<OnlineUsers />, bridge);
    await settle();
    expect(bridge.names()).toEqual(['subscribeOnline', 'loadMoreOnline']);
    // 20 users known now, all pages loaded (the rows themselves stay virtualized)
    expect(screen.getAllByRole('listitem')[0]!.getAttribute('aria-setsize')).toBe('20');
  });

  it('asks once per list length when a page brings nothing, and offers a retry button', async () => {
    const bridge = new FakeBridge(connectedSnapshot({ online: { subscribed: true, users: many(10), nextCursor: 'p2' } }));
    bridge.impl.loadMoreOnline = () => Promise.reject(new Error('rate limited'));
    await renderWithBridge(<OnlineUsers />, bridge);
    await settle();
    await settle();
    expect(bridge.names()).toEqual(['subscribeOnline', 'loadMoreOnline']);
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await settle();
    expect(bridge.names()).toEqual(['subscribeOnline', 'loadMoreOnline', 'loadMoreOnline']);
  });

  it('does not page while a long list is scrolled to the top', async () => {
    const bridge = new FakeBridge(connectedSnapshot({ online: { subscribed: true, users: many(200), nextCursor: 'next' } }));
    await renderWithBridge(<OnlineUsers />, bridge);
    await settle();
    expect(bridge.names()).toEqual(['subscribeOnline']);
  });

  it('applies live diffs pushed by the client', async () => {
    const bridge = new FakeBridge(connectedSnapshot({ online: { subscribed: true, users: many(3), nextCursor: null } }));
    const { push } = await renderWithBridge(<OnlineUsers />, bridge);
    expect(screen.getByText('user_1')).toBeTruthy();
    push({ online: { subscribed: true, users: [onlineUser(0), onlineUser(2), onlineUser(7, 'searching')], nextCursor: null } });
    expect(screen.queryByText('user_1')).toBeNull();
    expect(screen.getByText('user_7')).toBeTruthy();
  });

  it('says so when nobody is online', async () => {
    const bridge = new FakeBridge(connectedSnapshot({ online: { subscribed: true, users: [], nextCursor: null } }));
    await renderWithBridge(<OnlineUsers />, bridge);
    expect(screen.getByText('Nobody is online yet.')).toBeTruthy();
  });
});
