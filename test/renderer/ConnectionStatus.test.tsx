import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectionStatus, describeConnection } from '../../renderer/views/ConnectionStatus.js';
import { FakeBridge, connectedSnapshot, stats } from './fake-bridge.js';
import { renderWithBridge } from './render.js';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('ConnectionStatus', () => {
  it('says connected', async () => {
    await renderWithBridge(<ConnectionStatus />);
    const el = screen.getByTestId('connection-status');
    expect(el.textContent).toBe('Connected');
    expect(el.getAttribute('role')).toBe('status');
  });

  it('says server degraded while the server runs on its fallback store', async () => {
    const { push } = await renderWithBridge(<ConnectionStatus />);
    push({ stats: { stats: stats(), seq: 2, timestamp: 2, degraded: true, recent: [] } });
    expect(screen.getByTestId('connection-status').textContent).toBe('Server degraded');
    expect(screen.getByTestId('connection-status').dataset.status).toBe('degraded');
  });

  it('counts down to the next reconnect attempt', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(1_000_000);
    const bridge = new FakeBridge(
      connectedSnapshot({ connection: { status: 'reconnecting', attempt: 2, nextRetryAt: 1_004_200, lastError: 'xhr poll error' } }),
    );
    await renderWithBridge(<ConnectionStatus />, bridge);
    const el = screen.getByTestId('connection-status');
    expect(el.textContent).toBe('Reconnecting in 5 s');
    expect(el.title).toContain('xhr poll error');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(el.textContent).toBe('Reconnecting in 3 s');
    await vi.advanceTimersByTimeAsync(3_000);
    expect(el.textContent).toBe('Reconnecting…');
  });

  it('says offline with the reason', async () => {
    const { push } = await renderWithBridge(<ConnectionStatus />);
    push({ connection: { status: 'offline', reason: 'session ended' } });
    const el = screen.getByTestId('connection-status');
    expect(el.textContent).toBe('Offline');
    expect(el.title).toBe('session ended');
  });

  it('describes every connection state', () => {
    expect(describeConnection({ status: 'idle' }, false, 0).label).toBe('Starting…');
    expect(describeConnection({ status: 'connecting', attempt: 1 }, false, 0).label).toBe('Connecting…');
    expect(describeConnection({ status: 'paused' }, false, 0).label).toBe('Paused');
    expect(describeConnection({ status: 'connected', since: 0 }, true, 0).tone).toBe('warn');
  });
});
