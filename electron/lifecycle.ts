/**
 * App lifecycle: the app lives in the tray (closing the window does not quit, and does not touch
 * the socket), the dock icon reopens the window, and quitting runs the shutdown sequence first
 * (client.stop(), so the server sees the user leave at once; then the embedded server).
 */
import { app } from 'electron';

export interface LifecycleOptions {
  showWindow: () => void;
  /** single-flight and time-bounded (shutdown.ts) */
  shutdown: () => Promise<void>;
}

/** Wires window-all-closed, activate, before-quit and the terminal's signals. */
export function setupLifecycle({ showWindow, shutdown }: LifecycleOptions): void {
  // Having a listener is what keeps Electron from quitting when the last window closes.
  app.on('window-all-closed', () => undefined);
  app.on('activate', () => showWindow());

  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    void shutdown().finally(() => {
      stopped = true;
      app.quit();
    });
  });

  // Ctrl+C in the terminal of `npm start` should leave as cleanly as the Quit menu item.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => app.quit());
}
