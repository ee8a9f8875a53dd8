import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { MePanel } from '../../renderer/views/MePanel.js';
import { FakeBridge, connectedSnapshot } from './fake-bridge.js';
import { renderWithBridge, settle } from './render.js';

afterEach(cleanup);

describe('MePanel', () => {
  it('shows my name and a visibility switch that asks the Bridge', async () => {
    const { bridge } = await renderWithBridge(<MePanel />);
    expect(screen.getByTestId('me-username').textContent).toBe('quiet_fox');
    const toggle = screen.getByRole('switch', { name: /Visible to others/ });
    expect((toggle as HTMLInputElement).checked).toBe(true);
    fireEvent.click(toggle);
    await settle();
    expect(bridge.calls).toEqual([{ name: 'setVisible', args: [false] }]);
  });

  it('reflects hidden from the snapshot', async () => {
    const { push } = await renderWithBridge(<MePanel />);
    push((s) => ({ ...s, me: s.me && { ...s.me, presence: { ...s.me.presence, isOnline: false } } }));
    expect((screen.getByRole('switch') as HTMLInputElement).checked).toBe(false);
    expect(screen.getByText(/Hidden: you are not counted/)).toBeTruthy();
  });

  it('starts over only after a confirmation', async () => {
    const { bridge } = await renderWithBridge(<MePanel />);
    fireEvent.click(screen.getByRole('button', { name: 'Start over' }));
    expect(bridge.calls).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Keep me' }));
    fireEvent.click(screen.getByRole('button', { name: 'Start over' }));
    const group = screen.getByRole('group', { name: 'Confirm start over' });
    const confirm = group.querySelector('button');
    expect(document.activeElement).toBe(confirm);
    fireEvent.click(confirm!);
    await settle();
    expect(bridge.names()).toEqual(['startOver']);
  });

  it('waits for a session before showing anything to toggle', async () => {
    await renderWithBridge(<MePanel />, new FakeBridge(connectedSnapshot({ me: null })));
    expect(screen.getByText('Setting up your guest session…')).toBeTruthy();
    expect(screen.queryByRole('switch')).toBeNull();
  });

  it('explains a replaced session', async () => {
    const bridge = new FakeBridge(
      connectedSnapshot({ sessionRecreated: { at: 1, reason: 'expired', previousUser: { id: 'old', username: 'old_name' } } }),
    );
    await renderWithBridge(<MePanel />, bridge);
    expect(screen.getByText(/Your earlier session as old_name had/)).toBeTruthy();
  });
});
