import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { OnlineChart } from '../../renderer/views/OnlineChart.js';
import { FakeBridge, connectedSnapshot, stats } from './fake-bridge.js';
import { renderWithBridge } from './render.js';

afterEach(cleanup);

const T = Date.UTC(2025, 0, 1, 12, 0);
const history = Array.from({ length: 30 }, (_, i) => ({
  t: T + i * 60_000,
  onlineUsers: 10 + (i % 7),
  activeUsers: 30,
  availableUsers: 1,
  connectedUsers: 2,
}));

describe('OnlineChart', () => {
  it('asks for an hour of history once connected', async () => {
    const { bridge } = await renderWithBridge(<OnlineChart />);
    expect(bridge.calls).toEqual([{ name: 'refreshHistory', args: [60] }]);
  });

  it('does not ask while disconnected', async () => {
    const bridge = new FakeBridge(connectedSnapshot({ connection: { status: 'offline', reason: 'x' } }));
    await renderWithBridge(<OnlineChart />, bridge);
    expect(bridge.calls).toEqual([]);
  });

  it('draws history plus live points with axis labels and an accessible summary', async () => {
    const bridge = new FakeBridge(connectedSnapshot({ history, stats: { stats: stats({ onlineUsers: 21 }), seq: 5, timestamp: T + 30 * 60_000, degraded: false, recent: [] } }));
    await renderWithBridge(<OnlineChart />, bridge);
    const img = screen.getByRole('img');
    expect(img.getAttribute('aria-label')).toMatch(/^Now 21 online; peak 21 since/);
    const labels = [...img.querySelectorAll('text')].map((t) => t.textContent);
    expect(labels).toContain('0');
    expect(labels).toContain('40'); // the rounded top of the y axis
    expect(labels.filter((l) => l?.includes(':')).length).toBeGreaterThanOrEqual(2); // clock times on x
    expect(img.querySelector('.chart__line')?.getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){30}$/);
  });

  it('waits for data before drawing', async () => {
    await renderWithBridge(<OnlineChart />, new FakeBridge(connectedSnapshot({ stats: null })));
    expect(screen.queryByRole('img')).toBeNull();
    expect(screen.getByText(/fills in as the numbers arrive/)).toBeTruthy();
  });
});
