import { cleanup, screen } from '@testing-library/react';
import { Profiler } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../renderer/views/App.js';
import { MatchPanel } from '../../renderer/views/MatchPanel.js';
import { FakeBridge, SAM, connectedSnapshot, stats } from './fake-bridge.js';
import { renderWithBridge } from './render.js';

afterEach(cleanup);

const TEST_IDS = [
  'stat-totalUsers',
  'stat-onlineUsers',
  'stat-activeUsers',
  'stat-availableUsers',
  'stat-connectedUsers',
  'connection-status',
  'find-button',
];

describe('App', () => {
  it('renders every view with the binding test ids and landmarks', async () => {
    await renderWithBridge(<App />);
    for (const id of TEST_IDS) expect(screen.getByTestId(id)).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1, name: 'HereNow' })).toBeTruthy();
    expect(screen.getByRole('main')).toBeTruthy();
    expect(screen.getByRole('region', { name: 'Online over time' })).toBeTruthy();
    expect(screen.getByRole('region', { name: /Online now/ })).toBeTruthy();
    expect(screen.getByRole('region', { name: 'You' })).toBeTruthy();
  });

  it('does not re-render the chat on a stats tick', async () => {
    const bridge = new FakeBridge(
      connectedSnapshot({
        match: { status: 'chatting', chatId: 'c1', partner: SAM, since: 1 },
        chat: [{ id: 'm1', chatId: 'c1', from: SAM, text: 'hi', sentAt: 1, mine: false, state: 'sent' }],
      }),
    );
    let commits = 0;
    const { push } = await renderWithBridge(
      <>
        <App />
        <Profiler id="chat" onRender={() => (commits += 1)}>
          <MatchPanel />
        </Profiler>
      </>,
      bridge,
    );
    const before = commits;
    push({ stats: { stats: stats({ onlineUsers: 40, activeUsers: 50, totalUsers: 60 }), seq: 9, timestamp: 9, degraded: false, recent: [] } });
    expect(screen.getByTestId('stat-onlineUsers').textContent).toBe('40');
    expect(commits).toBe(before);
    push((s) => ({ ...s, chat: [...s.chat, { id: 'm2', chatId: 'c1', from: SAM, text: 'there', sentAt: 2, mine: false, state: 'sent' }] }));
    expect(commits).toBeGreaterThan(before);
  });
});
