/**
 * The one place the concrete PresenceClient is constructed. Everything else in electron/ codes
 * against PresenceClientApi, so its tests never need the client (or a server).
 */
import { PresenceClient } from '../client/presence-client.js';
import type { PresenceClientApi, SessionStorage } from '../client/types.js';

/** Creates the main process's client: it owns the socket for the app's whole life. */
export function setupClient(serverUrl: string, storage: SessionStorage, warn: (message: string) => void): PresenceClientApi {
  return new PresenceClient({
    serverUrl,
    storage,
    // A desktop user never chose to lose their session; replace a lost one and say so in the UI.
    autoRecreateSession: true,
    onDiagnostic: (d) => {
      if (d.type === 'session_lost') warn(`guest session lost (${d.reason}); starting a new one`);
    },
  });
}
