import { describe, expect, it } from 'vitest';
import { initialSnapshot } from '../../client/types.js';
import { formatCount, sameTrayView, trayView } from '../../electron/tray-model.js';
import { connectedSnapshot } from './fake-client.js';

describe('formatCount', () => {
  it.each([
    [0, '0'],
    [7, '7'],
    [999, '999'],
    [1000, '1k'],
    [1234, '1.2k'],
    [1999, '1.9k'],
    [9999, '9.9k'],
    [10_000, '10k'],
    [12_345, '12k'],
    [999_999, '999k'],
    [1_000_000, '999k+'],
    [52_000_000, '999k+'],
    [-3, '0'],
    [4.7, '4'],
  ])('%d → %s', (n, text) => {
    expect(formatCount(n)).toBe(text);
  });

  it('never gets longer than five characters', () => {
    for (let n = 0; n < 2_000_000; n += 997) expect(formatCount(n).length).toBeLessThanOrEqual(5);
  });
});

describe('trayView', () => {
  it('shows the online count in the tooltip and title when connected', () => {
    const view = trayView(connectedSnapshot(12_345));
    expect(view).toMatchObject({ count: 12_345, tooltip: '12,345 online', title: '12k', visibilityLabel: 'Hide me' });
    expect(view.visibilityEnabled).toBe(true);
    expect(trayView(connectedSnapshot(1)).tooltip).toBe('1 online');
  });

  it('offers "Go online" to a hidden user', () => {
    expect(trayView(connectedSnapshot(3, false)).visibilityLabel).toBe('Go online');
  });

  it('has no count and a disabled toggle before the first connection', () => {
    const view = trayView(initialSnapshot());
    expect(view).toMatchObject({ count: null, tooltip: 'HereNow — connecting…', title: '', visibilityEnabled: false });
  });

  it('drops the count while reconnecting (stale numbers would mislead)', () => {
    const snap = {
      ...connectedSnapshot(9),
      connection: { status: 'reconnecting' as const, attempt: 2, nextRetryAt: 5, lastError: null },
    };
    expect(trayView(snap)).toMatchObject({ count: null, tooltip: 'HereNow — reconnecting…', visibilityEnabled: false });
  });

  it('compares views by what they draw', () => {
    expect(sameTrayView(null, trayView(connectedSnapshot(1)))).toBe(false);
    expect(sameTrayView(trayView(connectedSnapshot(1)), trayView(connectedSnapshot(1)))).toBe(true);
    expect(sameTrayView(trayView(connectedSnapshot(1)), trayView(connectedSnapshot(2)))).toBe(false);
  });
});
