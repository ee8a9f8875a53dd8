/**
 * The renderer's only door: a narrow API on `window.herenow`, one method per Bridge member.
 *
 * CommonJS because a sandboxed preload cannot be an ES module, and self-contained because its
 * `require` only knows `electron` and a few Node built-ins: the channel names are repeated here,
 * and `satisfies IpcChannels` makes tsc fail if they drift from ipc-contract.ts. Only types are
 * imported from other modules; they vanish from the emitted preload.cjs.
 */
// verbatimModuleSyntax in a CommonJS file allows only this form of import for runtime values.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import electron = require('electron');
import type { IpcChannels, IpcResult } from './ipc-contract.js';
import type { Bridge, ClientSnapshot } from '../client/types.js';
import type { ErrorCode, OnlineUsersPage } from '../server/protocol.js';

const CHANNELS = {
  getSnapshot: 'herenow:get-snapshot',
  snapshot: 'herenow:snapshot',
  setVisible: 'herenow:set-visible',
  search: 'herenow:search',
  cancelSearch: 'herenow:cancel-search',
  sendMessage: 'herenow:send-message',
  leaveChat: 'herenow:leave-chat',
  loadMoreOnline: 'herenow:load-more-online',
  subscribeOnline: 'herenow:subscribe-online',
  unsubscribeOnline: 'herenow:unsubscribe-online',
  refreshHistory: 'herenow:refresh-history',
  startOver: 'herenow:start-over',
} as const satisfies IpcChannels;

type RequestChannel = Exclude<keyof typeof CHANNELS, 'snapshot'>;

/**
 * What a failed action rejects with in the page: the ClientError's fields as a plain object.
 * Not an Error instance on purpose: the contextBridge documents copying a plain object's fields,
 * but rebuilds an Error from its message alone, which would lose the `code` the UI needs.
 */
export interface BridgeError {
  name: 'ClientError';
  code: ErrorCode;
  message: string;
}

/** Invokes a request channel and unwraps its `IpcResult` (a failure rejects with a BridgeError). */
async function call<T>(channel: RequestChannel, ...args: unknown[]): Promise<T> {
  const result = (await electron.ipcRenderer.invoke(CHANNELS[channel], ...args)) as IpcResult<T>;
  if (result.ok) return result.value;
  const error: BridgeError = { name: 'ClientError', code: result.error.code, message: result.error.message };
  throw error;
}

const api = {
  getSnapshot: () => call<ClientSnapshot>('getSnapshot'),
  onSnapshot(listener: (snapshot: ClientSnapshot) => void): () => void {
    // Wrap the listener so the page never sees the IPC event (and its `sender`).
    const forward = (_event: electron.IpcRendererEvent, snapshot: ClientSnapshot): void => listener(snapshot);
    electron.ipcRenderer.on(CHANNELS.snapshot, forward);
    return () => {
      electron.ipcRenderer.removeListener(CHANNELS.snapshot, forward);
    };
  },
  setVisible: (visible: boolean) => call<void>('setVisible', visible),
  search: () => call<void>('search'),
  cancelSearch: () => call<void>('cancelSearch'),
  sendMessage: (text: string) => call<void>('sendMessage', text),
  leaveChat: () => call<void>('leaveChat'),
  loadMoreOnline: () => call<OnlineUsersPage>('loadMoreOnline'),
  subscribeOnline: () => call<void>('subscribeOnline'),
  unsubscribeOnline: () => call<void>('unsubscribeOnline'),
  refreshHistory: (minutes?: number) => call<void>('refreshHistory', ...(minutes === undefined ? [] : [minutes])),
  startOver: () => call<void>('startOver'),
} satisfies Bridge;

electron.contextBridge.exposeInMainWorld('herenow', api);

/** The renderer's type of `window.herenow`. */
export type PreloadApi = typeof api;
