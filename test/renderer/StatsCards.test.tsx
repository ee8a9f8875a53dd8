import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { StatsCards } from '../../renderer/views/StatsCards.js';
import { FakeBridge, connectedSnapshot, stats } from './fake-bridge.js';
import { renderWithBridge } from './render.js';

afterEach(cleanup);

const KEYS = ['totalUsers', 'onlineUsers', 'activeUsers', 'availableUsers', 'connectedUsers'] as const;

describe('StatsCards', () => {
  it('shows the five numbers under their test ids, formatted for the locale', async () => {
    const bridge = new FakeBridge(
      connectedSnapshot({
        stats: {
          stats: stats({ totalUsers: 1234567, activeUsers: 4321, onlineUsers: 1200, availableUsers: 3, connectedUsers: 8 }),
          seq: 1,
          timestamp: 1,
          degraded: false,
          recent: [],
        },
      }),
    );
    await renderWithBridge(<StatsCards />, bridge);
    const fmt = new Intl.NumberFormat();
    expect(screen.getByTestId('stat-totalUsers').textContent).toBe(fmt.format(1234567));
    expect(screen.getByTestId('stat-activeUsers').textContent).toBe(fmt.format(4321));
    expect(screen.getByTestId('stat-onlineUsers').textContent).toBe(fmt.format(1200));
    expect(screen.getByTestId('stat-availableUsers').textContent).toBe('3');
    expect(screen.getByTestId('stat-connectedUsers').textContent).toBe('8');
    expect(screen.getByRole('list', { name: 'Live numbers' })).toBeTruthy();
    expect(screen.getByRole('listitem', { name: 'In chats' })).toBeTruthy();
  });

  it('shows a dash before the first numbers arrive', async () => {
    await renderWithBridge(<StatsCards />, new FakeBridge(connectedSnapshot({ stats: null })));
    for (const key of KEYS) expect(screen.getByTestId(`stat-${key}`).textContent).toBe('—');
  });

  it('marks the numbers as last known while the connection is down', async () => {
    const { push } = await renderWithBridge(<StatsCards />);
    expect(screen.getByRole('list', { name: 'Live numbers' })).toBeTruthy();
    push({ connection: { status: 'reconnecting', attempt: 1, nextRetryAt: 0, lastError: null } });
    expect(screen.getByRole('list', { name: 'Live numbers (last known)' }).className).toContain('stats--stale');
    expect(screen.getByTestId('stat-onlineUsers').textContent).toBe('4');
  });

  it('updates live and marks the direction of the change', async () => {
    const { push } = await renderWithBridge(<StatsCards />);
    push({ stats: { stats: stats({ onlineUsers: 5, availableUsers: 0 }), seq: 2, timestamp: 2, degraded: false, recent: [] } });
    const online = screen.getByTestId('stat-onlineUsers');
    expect(online.textContent).toBe('5');
    expect(online.dataset.trend).toBe('up');
    expect(screen.getByTestId('stat-availableUsers').dataset.trend).toBe('down');
    expect(screen.getByTestId('stat-totalUsers').dataset.trend).toBeUndefined();
  });
});
