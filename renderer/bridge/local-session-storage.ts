/**
 * Where the browser build keeps its guest session, so a reload (or a second tab) is the same
 * person. localStorage can be missing or throw (private modes, blocked storage, quota 0); then the
 * session lives in memory for this page only: everything works, it just does not survive a reload.
 */
import { keyValueSessionStorage, memorySessionStorage, type KeyValueStore } from '../../client/session-storage.js';
import type { SessionStorage } from '../../client/types.js';

export const SESSION_KEY = 'herenow.session';

/** The page's localStorage if it can actually be written, else null. */
function usableLocalStorage(get: () => KeyValueStore | undefined): KeyValueStore | null {
  try {
    // Even reading window.localStorage throws where storage is blocked, hence the getter.
    const storage = get();
    if (!storage) return null;
    const probe = `${SESSION_KEY}.probe`;
    storage.setItem(probe, '1');
    storage.removeItem(probe);
    return storage;
  } catch {
    return null;
  }
}

/** A SessionStorage over localStorage (validated on read by the client's codec), or memory. */
export function localSessionStorage(storage?: KeyValueStore): SessionStorage {
  const usable = usableLocalStorage(() => storage ?? globalThis.localStorage);
  return usable ? keyValueSessionStorage(usable, SESSION_KEY) : memorySessionStorage();
}
