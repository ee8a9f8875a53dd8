/**
 * The browser build's Bridge: PresenceClient runs in the page and talks to the server that served
 * it (same origin, so no CORS setup). Loaded with a dynamic import, so the desktop app, which gets
 * its Bridge from the preload, never downloads socket.io-client.
 */
import { PresenceClient } from '../../client/presence-client.js';
import type { Bridge } from '../../client/types.js';
import { bridgeFromClient } from './client-bridge.js';
import { localSessionStorage } from './local-session-storage.js';

export function startBrowserBridge(serverUrl: string = location.origin): Bridge {
  const client = new PresenceClient({
    serverUrl,
    storage: localSessionStorage(),
    // A web visitor whose session expired should simply get a new one, not a dead page.
    autoRecreateSession: true,
  });
  // Failures show up in the snapshot's connection state; the client keeps retrying by itself.
  client.start().catch((err: unknown) => console.warn('HereNow: could not start', err));
  // Back on the network (laptop lid, Wi-Fi): reconnect now instead of waiting out the backoff.
  window.addEventListener('online', () => client.resume());
  return bridgeFromClient(client);
}
