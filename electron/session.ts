/** The guest session store for this machine: userData + safeStorage (see session-store.ts). */
import { join } from 'node:path';
import { app, safeStorage } from 'electron';
import { chooseEncryptor, createMemorySessionStore, createSessionStore } from './session-store.js';
import type { SessionStore } from './session-store.js';

export const SESSION_FILE = 'session.json';

/**
 * Builds the store. `sessionKey` null (a server whose sessions die with this process) keeps the
 * session in memory without asking the keystore at all. Call after app `ready`.
 */
export async function setupSession(sessionKey: string | null, warn: (message: string) => void): Promise<SessionStore> {
  if (sessionKey === null) return createMemorySessionStore();
  const encryptor = await chooseEncryptor(safeStorage, process.platform);
  return createSessionStore({ file: join(app.getPath('userData'), SESSION_FILE), server: sessionKey, encryptor, warn });
}
