import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatEntry, ClientSnapshot } from '../../client/types.js';
import { MatchPanel } from '../../renderer/views/MatchPanel.js';
import { FakeBridge, ME, SAM, connectedSnapshot, stats } from './fake-bridge.js';
import { renderWithBridge, settle } from './render.js';

afterEach(cleanup);

const chatting: Partial<ClientSnapshot> = { match: { status: 'chatting', chatId: 'c1', partner: SAM, since: 1 } };

function msg(id: string, text: string, mine: boolean, state: ChatEntry['state'] = 'sent'): ChatEntry {
  return { id, chatId: 'c1', from: mine ? ME : SAM, text, sentAt: 1_700_000_000_000, mine, state };
}

describe('MatchPanel: lobby and searching', () => {
  it('"Find someone" asks the Bridge to search', async () => {
    const { bridge } = await renderWithBridge(<MatchPanel />);
    const find = screen.getByTestId('find-button');
    expect(find.textContent).toBe('Find someone');
    fireEvent.click(find);
    await settle();
    expect(bridge.names()).toEqual(['search']);
  });

  it('shows a few faces of who is here (not me) under the call to action', async () => {
    const recent = [
      { ...ME, status: 'online' as const, since: 1 },
      { ...SAM, status: 'searching' as const, since: 1 },
      { id: 'u-kai', username: 'KaiRiver', status: 'online' as const, since: 1 },
    ];
    const bridge = new FakeBridge(
      connectedSnapshot({ stats: { stats: stats({ onlineUsers: 30 }), seq: 1, timestamp: 1, degraded: false, recent } }),
    );
    await renderWithBridge(<MatchPanel />, bridge);
    expect(screen.getByRole('img', { name: 'sam and 28 others are here now' })).toBeTruthy();
  });

  it('disables find while hidden or disconnected, and says why', async () => {
    const bridge = new FakeBridge(connectedSnapshot({ connection: { status: 'connecting', attempt: 1 } }));
    const { push } = await renderWithBridge(<MatchPanel />, bridge);
    expect((screen.getByTestId('find-button') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('Waiting for the connection…')).toBeTruthy();
    push((s) => ({
      ...s,
      connection: { status: 'connected', since: 1 },
      me: s.me && { ...s.me, presence: { ...s.me.presence, isOnline: false } },
    }));
    expect((screen.getByTestId('find-button') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText(/You are hidden/)).toBeTruthy();
  });

  it('while searching shows cancel (focused), which cancels; so does Escape', async () => {
    const bridge = new FakeBridge(connectedSnapshot({ match: { status: 'searching', since: Date.now() } }));
    await renderWithBridge(<MatchPanel />, bridge);
    expect(screen.queryByTestId('find-button')).toBeNull();
    const cancel = screen.getByTestId('cancel-button');
    expect(document.activeElement).toBe(cancel);
    expect(screen.getByRole('status').textContent).toBe('Looking for someone…');
    fireEvent.click(cancel);
    await settle();
    fireEvent.keyDown(document, { key: 'Escape' });
    await settle();
    expect(bridge.names()).toEqual(['cancelSearch', 'cancelSearch']);
  });
});

describe('MatchPanel: chat', () => {
  it('shows the partner and the messages, mine and theirs, with the sending state', async () => {
    const bridge = new FakeBridge(
      connectedSnapshot({ ...chatting, chat: [msg('m1', 'hi there', false), msg('local-1', 'hello!', true, 'sending')] }),
    );
    await renderWithBridge(<MatchPanel />, bridge);
    expect(screen.getByRole('region', { name: 'Chat with sam' })).toBeTruthy();
    const log = screen.getByTestId('messages');
    expect(log.getAttribute('role')).toBe('log');
    const items = log.querySelectorAll('li');
    expect(items).toHaveLength(2);
    expect(items[0]!.textContent).toContain('hi there');
    expect(items[0]!.className).toContain('msg--theirs');
    expect(items[1]!.className).toContain('msg--mine');
    expect(items[1]!.textContent).toContain('Sending…');
  });

  it('greets a new chat outside the message list, which holds only messages', async () => {
    await renderWithBridge(<MatchPanel />, new FakeBridge(connectedSnapshot(chatting)));
    expect(screen.getByText(/You are now chatting with/).textContent).toBe('You are now chatting with sam. Say hi!');
    expect(screen.getByTestId('messages').children).toHaveLength(0);
  });

  it('Enter sends and clears the box; Shift+Enter does not send', async () => {
    const { bridge } = await renderWithBridge(<MatchPanel />, new FakeBridge(connectedSnapshot(chatting)));
    const input = screen.getByTestId('message-input') as HTMLTextAreaElement;
    expect(document.activeElement).toBe(input);
    fireEvent.change(input, { target: { value: 'line one' } });
    fireEvent.keyDown(input, { key: 'Enter', shiftKey: true });
    expect(bridge.calls).toEqual([]);
    fireEvent.keyDown(input, { key: 'Enter' });
    await settle();
    expect(bridge.calls).toEqual([{ name: 'sendMessage', args: ['line one'] }]);
    expect(input.value).toBe('');
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(bridge.calls).toHaveLength(1);
  });

  it('the Send button sends too', async () => {
    const { bridge } = await renderWithBridge(<MatchPanel />, new FakeBridge(connectedSnapshot(chatting)));
    fireEvent.change(screen.getByTestId('message-input'), { target: { value: 'via button' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await settle();
    expect(bridge.calls).toEqual([{ name: 'sendMessage', args: ['via button'] }]);
  });

  it('Next leaves and searches again; Leave only leaves', async () => {
    const { bridge } = await renderWithBridge(<MatchPanel />, new FakeBridge(connectedSnapshot(chatting)));
    fireEvent.click(screen.getByTestId('next-button'));
    await settle();
    expect(bridge.names()).toEqual(['leaveChat', 'search']);
    fireEvent.click(screen.getByRole('button', { name: 'Leave' }));
    await settle();
    expect(bridge.names()).toEqual(['leaveChat', 'search', 'leaveChat']);
  });

  it('tells me when the partner left, keeps the conversation, and offers to search again', async () => {
    const bridge = new FakeBridge(connectedSnapshot({ ...chatting, chat: [msg('m1', 'bye!', false)] }));
    const { push } = await renderWithBridge(<MatchPanel />, bridge);
    push({ match: { status: 'idle', lastEnded: { reason: 'partner_left', partner: SAM } } });
    expect(screen.getByTestId('chat-ended').textContent).toBe('sam left the chat.');
    expect(screen.getByTestId('messages').textContent).toContain('bye!');
    expect(screen.queryByTestId('message-input')).toBeNull();
    const find = screen.getByTestId('find-button');
    expect(document.activeElement).toBe(find);
    fireEvent.click(find);
    await settle();
    fireEvent.click(screen.getByTestId('next-button'));
    await settle();
    expect(bridge.names()).toEqual(['search', 'search']);
  });

  it('words each way a chat can end', async () => {
    const bridge = new FakeBridge(connectedSnapshot({ match: { status: 'idle', lastEnded: { reason: 'partner_gone', partner: SAM } } }));
    const { push } = await renderWithBridge(<MatchPanel />, bridge);
    expect(screen.getByTestId('chat-ended').textContent).toBe('sam disconnected.');
    push({ match: { status: 'idle', lastEnded: { reason: 'left', partner: SAM } } });
    expect(screen.getByTestId('chat-ended').textContent).toBe('You left the chat.');
  });

  it('shows a readable notice when sending fails', async () => {
    const { NoticeToast } = await import('../../renderer/views/NoticeToast.js');
    const bridge = new FakeBridge(connectedSnapshot(chatting));
    bridge.impl.sendMessage = () => Promise.reject(Object.assign(new Error('x'), { code: 'not_in_chat' }));
    await renderWithBridge(
      <>
        <MatchPanel />
        <NoticeToast />
      </>,
      bridge,
    );
    fireEvent.change(screen.getByTestId('message-input'), { target: { value: 'hello?' } });
    fireEvent.keyDown(screen.getByTestId('message-input'), { key: 'Enter' });
    await settle();
    expect(screen.getByRole('alert').textContent).toContain('That chat has already ended.');
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
