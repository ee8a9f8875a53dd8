/**
 * SessionStorage implementations that need neither Node nor the DOM: in memory (tests, and a
 * client that must not persist), and over any localStorage-like key/value store (the browser).
 * The Electron main process brings its own (userData + safeStorage) and can reuse the codec.
 */
import { z } from 'zod';
import type { SessionStorage, StoredSession } from './types.js';

const storedSessionSchema = z.object({
  user: z.object({ id: z.string().min(1), username: z.string().min(1) }),
  token: z.string().min(1),
  tokenExpiresAt: z.number(),
});

/** Validates a persisted session read back from disk or localStorage; null when unusable. */
export function parseStoredSession(raw: unknown): StoredSession | null {
  const parsed = storedSessionSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** Serializes a session for a string store. */
export function encodeStoredSession(session: StoredSession): string {
  return JSON.stringify(session);
}

/** Reads a session written by encodeStoredSession; null for missing or corrupt text. */
export function decodeStoredSession(text: string | null): StoredSession | null {
  if (text === null) return null;
  try {
    return parseStoredSession(JSON.parse(text));
  } catch {
    return null;
  }
}

/** A SessionStorage in memory; `initial` seeds it. */
export function memorySessionStorage(initial: StoredSession | null = null): SessionStorage & { peek(): StoredSession | null } {
  let current = initial;
  return {
    load: () => Promise.resolve(current),
    save: (session) => {
      current = session;
      return Promise.resolve();
    },
    clear: () => {
      current = null;
      return Promise.resolve();
    },
    peek: () => current,
  };
}

/** The part of the Web Storage API we use (window.localStorage fits). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A SessionStorage over localStorage (or anything shaped like it) under one key. */
export function keyValueSessionStorage(store: KeyValueStore, key = 'herenow.session'): SessionStorage {
  return {
    load: () => Promise.resolve(decodeStoredSession(store.getItem(key))),
    save: (session) => Promise.resolve(store.setItem(key, encodeStoredSession(session))),
    clear: () => Promise.resolve(store.removeItem(key)),
  };
}
