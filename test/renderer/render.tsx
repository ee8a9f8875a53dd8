/** Renders a view inside a real store fed by a FakeBridge, and waits for the first snapshot. */
import { act, render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { connectStore, createAppStore } from '../../renderer/store/create-store.js';
import { StoreProvider } from '../../renderer/store/react.js';
import type { AppStore } from '../../renderer/store/types.js';
import { FakeBridge } from './fake-bridge.js';

export interface Rendered extends RenderResult {
  bridge: FakeBridge;
  store: AppStore;
  /** pushes a snapshot change inside act() */
  push: FakeBridge['push'];
}

export async function renderWithBridge(ui: ReactElement, bridge = new FakeBridge()): Promise<Rendered> {
  const store = createAppStore(bridge);
  connectStore(store, bridge);
  const result = render(<StoreProvider store={store}>{ui}</StoreProvider>);
  await act(async () => {}); // let getSnapshot() resolve
  const push: FakeBridge['push'] = (change) => act(() => bridge.push(change));
  return { ...result, bridge, store, push };
}

/** Flushes pending promises (Bridge calls) inside act(). */
export async function settle(): Promise<void> {
  await act(async () => {});
}
