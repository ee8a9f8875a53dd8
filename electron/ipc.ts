/**
 * Every IPC channel of the app, registered in one place. Requests are `invoke`/`handle` and
 * answer an IpcResult value; snapshots are pushed with `webContents.send`. Each request's sender
 * must be the main frame of one of our windows showing our renderer: anything else (an iframe,
 * a page that got navigated, another webContents) is refused without touching the client.
 */
import { ipcMain } from 'electron';
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import type { ClientSnapshot, PresenceClientApi } from '../client/types.js';
import { ACTION_ARGS, ACTION_NAMES, IPC_CHANNELS, isTrustedRendererUrl, toIpcError } from './ipc-contract.js';
import type { ActionName, IpcResult } from './ipc-contract.js';

/** The windows IPC may talk to. */
export interface IpcWindows {
  /** the webContents of our windows (possibly destroyed: checked before every send) */
  contents(): WebContents[];
  /** the page our renderer is served from (`app://herenow/index.html` or the dev server) */
  readonly rendererUrl: string;
}

/** True when `event` comes from the main frame of one of our windows showing our renderer. */
export function isTrustedSender(event: IpcMainInvokeEvent, windows: IpcWindows): boolean {
  const frame = event.senderFrame;
  if (frame === null || frame.parent !== null) return false;
  if (!windows.contents().some((wc) => wc.id === event.sender.id && !wc.isDestroyed())) return false;
  return isTrustedRendererUrl(frame.url, windows.rendererUrl);
}

const refused: IpcResult<never> = {
  ok: false,
  error: { code: 'unauthorized', message: 'this frame may not use the HereNow API' },
};

/**
 * Registers the request handlers and pushes every client snapshot to our windows.
 * Returns the teardown (handlers removed, client unsubscribed).
 */
export function setupIpc(
  client: PresenceClientApi,
  windows: IpcWindows,
  warn: (message: string) => void = () => undefined,
): () => void {
  const guard = (event: IpcMainInvokeEvent, channel: string): boolean => {
    if (isTrustedSender(event, windows)) return true;
    warn(`refused IPC ${channel} from ${event.senderFrame?.url ?? 'a gone frame'}`);
    return false;
  };

  ipcMain.handle(IPC_CHANNELS.getSnapshot, (event): IpcResult<ClientSnapshot> => {
    if (!guard(event, IPC_CHANNELS.getSnapshot)) return refused;
    return { ok: true, value: client.getSnapshot() };
  });

  for (const name of ACTION_NAMES) {
    const channel = IPC_CHANNELS[name];
    ipcMain.handle(channel, async (event, ...args: unknown[]): Promise<IpcResult<unknown>> => {
      if (!guard(event, channel)) return refused;
      try {
        return { ok: true, value: await runAction(client, name, args) };
      } catch (err) {
        return { ok: false, error: toIpcError(err) };
      }
    });
  }

  const unsubscribe = client.subscribe((snapshot) => pushSnapshot(windows, snapshot));

  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_CHANNELS.getSnapshot);
    for (const name of ACTION_NAMES) ipcMain.removeHandler(IPC_CHANNELS[name]);
  };
}

/** Validates the arguments against the action's schema, then calls the client. */
async function runAction(client: PresenceClientApi, name: ActionName, args: unknown[]): Promise<unknown> {
  const valid = ACTION_ARGS[name].parse(args) as unknown[];
  // The schema fixed the argument types per action; this indirection is the one untyped hop.
  const action = client[name] as (...a: unknown[]) => Promise<unknown>;
  return action.apply(client, valid);
}

/**
 * Sends a snapshot to every live window still showing our renderer. A window closing between
 * two snapshots is normal, so a destroyed webContents is skipped, never sent to.
 */
export function pushSnapshot(windows: IpcWindows, snapshot: ClientSnapshot): void {
  for (const wc of windows.contents()) {
    if (wc.isDestroyed()) continue;
    if (!isTrustedRendererUrl(wc.getURL(), windows.rendererUrl)) continue;
    wc.send(IPC_CHANNELS.snapshot, snapshot);
  }
}
