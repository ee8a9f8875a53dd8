/** The guest session file in userData, with a fake encryptor standing in for safeStorage. */
import { mkdtempSync, readFileSync, existsSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chooseEncryptor, createMemorySessionStore, createSessionStore } from '../../electron/session-store.js';
import type { AsyncSafeStorage, TokenEncryptor } from '../../electron/session-store.js';
import type { StoredSession } from '../../client/types.js';

/** Reversible and recognisable: the bytes never contain the plain token. */
function fakeEncryptor(opts: { stale?: boolean; broken?: boolean } = {}): TokenEncryptor & { encrypted: string[] } {
  const encrypted: string[] = [];
  return {
    encrypted,
    encrypt: (plain) => {
      encrypted.push(plain);
      return Promise.resolve(Buffer.from(`enc:${[...plain].reverse().join('')}`));
    },
    decrypt: (data) => {
      if (opts.broken) return Promise.reject(new Error('keychain said no'));
      const text = data.toString();
      return Promise.resolve({ plain: [...text.slice(4)].reverse().join(''), stale: opts.stale ?? false });
    },
  };
}

const session: StoredSession = {
  user: { id: 'user-1', username: 'quiet-otter' },
  token: 'eyJ.secret-token.sig',
  tokenExpiresAt: 1_700_000_000_000,
};

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'herenow-session-'));
  file = join(dir, 'nested', 'session.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('createSessionStore with an OS keystore', () => {
  it('writes the token encrypted only, and reads the session back in a new process', async () => {
    const store = createSessionStore({ file, server: 'http://a', encryptor: fakeEncryptor() });
    expect(store.protection).toBe('os-keystore');
    await store.save(session);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(session.token);
    expect(JSON.parse(text)).toMatchObject({ version: 1, server: 'http://a', user: session.user });
    const again = createSessionStore({ file, server: 'http://a', encryptor: fakeEncryptor() });
    expect(await again.load()).toEqual(session);
  });

  it('ignores a session that belongs to another server', async () => {
    await createSessionStore({ file, server: 'http://a', encryptor: fakeEncryptor() }).save(session);
    expect(await createSessionStore({ file, server: 'http://b', encryptor: fakeEncryptor() }).load()).toBeNull();
  });

  it('returns null when there is no file, and clear removes it', async () => {
    const store = createSessionStore({ file, server: 'http://a', encryptor: fakeEncryptor() });
    expect(await store.load()).toBeNull();
    await store.save(session);
    await store.clear();
    expect(existsSync(file)).toBe(false);
    expect(await store.load()).toBeNull();
  });

  it('drops a corrupt file with a warning instead of failing the launch', async () => {
    await createSessionStore({ file, server: 'http://a', encryptor: fakeEncryptor() }).save(session);
    writeFileSync(file, '{"version":1,"server":');
    const warn = vi.fn();
    expect(await createSessionStore({ file, server: 'http://a', encryptor: fakeEncryptor(), warn }).load()).toBeNull();
    expect(warn).toHaveBeenCalledOnce();
    expect(existsSync(file)).toBe(false);
  });

  it('drops a token the keystore can no longer decrypt', async () => {
    await createSessionStore({ file, server: 'http://a', encryptor: fakeEncryptor() }).save(session);
    const warn = vi.fn();
    const store = createSessionStore({ file, server: 'http://a', encryptor: fakeEncryptor({ broken: true }), warn });
    expect(await store.load()).toBeNull();
    expect(warn.mock.calls[0]?.[0]).toMatch(/could not be decrypted/);
    expect(existsSync(file)).toBe(false);
  });

  it('re-encrypts when the keystore says the key rotated', async () => {
    await createSessionStore({ file, server: 'http://a', encryptor: fakeEncryptor() }).save(session);
    const enc = fakeEncryptor({ stale: true });
    expect(await createSessionStore({ file, server: 'http://a', encryptor: enc }).load()).toEqual(session);
    expect(enc.encrypted).toEqual([session.token]);
  });
});

describe('memory-only sessions', () => {
  it('keeps the token in memory and writes nothing when there is no safe encryptor', async () => {
    const warn = vi.fn();
    const store = createSessionStore({ file, server: 'http://a', encryptor: null, warn });
    expect(store.protection).toBe('memory-only');
    expect(warn.mock.calls[0]?.[0]).toMatch(/memory only/);
    await store.save(session);
    expect(await store.load()).toEqual(session);
    expect(existsSync(file)).toBe(false);
    const fresh = createMemorySessionStore();
    expect(await fresh.load()).toBeNull();
  });
});

describe('chooseEncryptor', () => {
  const storage = (backend: string, available: boolean): AsyncSafeStorage & { getSelectedStorageBackend: ReturnType<typeof vi.fn> } => ({
    isAsyncEncryptionAvailable: vi.fn(() => Promise.resolve(available)),
    encryptStringAsync: vi.fn((s: string) => Promise.resolve(Buffer.from(`x${s}`))),
    decryptStringAsync: vi.fn((b: Buffer) => Promise.resolve({ result: b.toString().slice(1), shouldReEncrypt: true })),
    getSelectedStorageBackend: vi.fn(() => backend),
  });

  it("refuses Linux's basic_text backend even though it claims to encrypt", async () => {
    expect(await chooseEncryptor(storage('basic_text', true), 'linux')).toBeNull();
    expect(await chooseEncryptor(storage('unknown', true), 'linux')).toBeNull();
  });

  it('uses a real Linux keyring through the async API', async () => {
    const enc = await chooseEncryptor(storage('gnome_libsecret', true), 'linux');
    expect(enc).not.toBeNull();
    const data = await enc!.encrypt('tok');
    expect(await enc!.decrypt(data)).toEqual({ plain: 'tok', stale: true });
  });

  it('needs async encryption to be available, and asks the backend only on Linux', async () => {
    expect(await chooseEncryptor(storage('basic_text', false), 'darwin')).toBeNull();
    const mac = storage('basic_text', true);
    expect(await chooseEncryptor(mac, 'darwin')).not.toBeNull();
    expect(mac.getSelectedStorageBackend).not.toHaveBeenCalled();
  });
});
