/**
 * The guest session on disk (a JSON file in `userData`), with the token encrypted by the OS
 * keystore through safeStorage's async API. Pure: the encryptor is passed in, so tests use a
 * fake one and session.ts passes Electron's.
 *
 * Decision on Linux's `basic_text` backend (no keyring found): its "encryption" uses a key
 * hard-coded in Chromium, so writing that would be plain text with a false label. We keep the
 * token in memory only and write nothing: a guest token is a bearer credential, while losing it
 * costs only a fresh guest name on the next launch (guest sessions are short-lived anyway).
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { memorySessionStorage } from '../client/session-storage.js';
import type { SessionStorage, StoredSession } from '../client/types.js';

/** PresenceClient's SessionStorage, saying where the token actually lives. */
export interface SessionStore extends SessionStorage {
  /** the OS keystore (an encrypted file in userData) or this process's memory only */
  readonly protection: 'os-keystore' | 'memory-only';
}

/** A store that never touches disk: for servers whose sessions cannot outlive this process. */
export function createMemorySessionStore(): SessionStore {
  const { load, save, clear } = memorySessionStorage();
  return { protection: 'memory-only', load, save, clear };
}

/** The encryption the store needs; session.ts adapts Electron's safeStorage to it. */
export interface TokenEncryptor {
  encrypt(plain: string): Promise<Buffer>;
  /** `stale`: the OS rotated the key, so the caller should encrypt and write it again */
  decrypt(data: Buffer): Promise<{ plain: string; stale: boolean }>;
}

/** The part of Electron's safeStorage this module uses (async API only; the sync one blocks). */
export interface AsyncSafeStorage {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ shouldReEncrypt: boolean; result: string }>;
  getSelectedStorageBackend(): string;
}

/**
 * Picks the encryptor: safeStorage when its async encryption is available and, on Linux, backed
 * by a real keyring; null (memory only) otherwise. Call after app `ready` (the backend reads
 * `unknown` before it, which is treated as not safe).
 */
export async function chooseEncryptor(
  safeStorage: AsyncSafeStorage,
  platform: NodeJS.Platform,
): Promise<TokenEncryptor | null> {
  if (platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend();
    if (backend === 'basic_text' || backend === 'unknown') return null;
  }
  if (!(await safeStorage.isAsyncEncryptionAvailable())) return null;
  return {
    encrypt: (plain) => safeStorage.encryptStringAsync(plain),
    decrypt: async (data) => {
      const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(data);
      return { plain: result, stale: shouldReEncrypt };
    },
  };
}

const FILE_VERSION = 1;

const fileSchema = z.object({
  version: z.literal(FILE_VERSION),
  /** which server the session belongs to: a token is meaningless anywhere else */
  server: z.string(),
  user: z.object({ id: z.string().min(1), username: z.string().min(1) }),
  tokenExpiresAt: z.number(),
  token: z.object({ encryption: z.literal('safeStorage'), data: z.string().min(1) }),
});
type SessionFile = z.infer<typeof fileSchema>;

export interface SessionStoreOptions {
  /** the JSON file, e.g. `<userData>/session.json` */
  file: string;
  /** identifies the server; a stored session for another server is ignored */
  server: string;
  encryptor: TokenEncryptor | null;
  /** told once when the token cannot be written safely, or a stored file is unusable */
  warn?: (message: string) => void;
}

/** Creates the session store described at the top of this file. */
export function createSessionStore(options: SessionStoreOptions): SessionStore {
  const { file, server, encryptor, warn = () => undefined } = options;
  if (!encryptor) {
    warn('no OS keystore for safeStorage (Linux basic_text backend?): the guest token is kept in memory only');
    return createMemorySessionStore();
  }
  let memory: StoredSession | null = null;

  const write = async (session: StoredSession): Promise<void> => {
    const data = await encryptor.encrypt(session.token);
    const body: SessionFile = {
      version: FILE_VERSION,
      server,
      user: { id: session.user.id, username: session.user.username },
      tokenExpiresAt: session.tokenExpiresAt,
      token: { encryption: 'safeStorage', data: data.toString('base64') },
    };
    // Write then rename, so a crash mid-write never leaves half a file behind.
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(body, null, 2), { mode: 0o600 });
    await rename(tmp, file);
  };

  const read = async (): Promise<StoredSession | null> => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return null; // no session yet
    }
    let parsed: SessionFile;
    try {
      parsed = fileSchema.parse(JSON.parse(text));
    } catch {
      warn(`ignoring an unreadable session file: ${file}`);
      await rm(file, { force: true });
      return null;
    }
    if (parsed.server !== server) return null;
    try {
      const { plain, stale } = await encryptor.decrypt(Buffer.from(parsed.token.data, 'base64'));
      const session = { user: parsed.user, token: plain, tokenExpiresAt: parsed.tokenExpiresAt };
      if (stale) await write(session);
      return session;
    } catch {
      // The keystore changed (new machine, reset keyring): the token is unrecoverable.
      warn('the stored guest token could not be decrypted; starting a new guest session');
      await rm(file, { force: true });
      return null;
    }
  };

  return {
    protection: 'os-keystore',
    async load() {
      memory ??= await read();
      return memory;
    },
    async save(session) {
      memory = { ...session };
      await write(session);
    },
    async clear() {
      memory = null;
      await rm(file, { force: true });
    },
  };
}
