import { describe, expect, it } from 'vitest';
import { connectErrorCode, isErrorCode, toClientError, ClientError } from '../../client/errors.js';
import {
  decodeStoredSession,
  encodeStoredSession,
  keyValueSessionStorage,
  memorySessionStorage,
  parseStoredSession,
  type KeyValueStore,
} from '../../client/session-storage.js';
import type { StoredSession } from '../../client/types.js';

const session: StoredSession = { user: { id: 'u1', username: 'Ann' }, token: 't.k.n', tokenExpiresAt: 123 };

describe('stored session codec', () => {
  it('round-trips and rejects corrupt or foreign data', () => {
    expect(decodeStoredSession(encodeStoredSession(session))).toEqual(session);
    expect(decodeStoredSession(null)).toBeNull();
    expect(decodeStoredSession('{not json')).toBeNull();
    expect(parseStoredSession({ user: { id: 'u1' }, token: 'x', tokenExpiresAt: 1 })).toBeNull();
    expect(parseStoredSession({ ...session, token: '' })).toBeNull();
    expect(parseStoredSession('string')).toBeNull();
  });
});

describe('SessionStorage implementations', () => {
  it('memory: load, save, clear', async () => {
    const s = memorySessionStorage();
    expect(await s.load()).toBeNull();
    await s.save(session);
    expect(await s.load()).toEqual(session);
    expect(s.peek()).toEqual(session);
    await s.clear();
    expect(await s.load()).toBeNull();
  });

  it('key/value (localStorage-like): persists under its key and survives garbage', async () => {
    const map = new Map<string, string>();
    const kv: KeyValueStore = {
      getItem: (k) => map.get(k) ?? null,
      setItem: (k, v) => void map.set(k, v),
      removeItem: (k) => void map.delete(k),
    };
    const s = keyValueSessionStorage(kv, 'k');
    await s.save(session);
    expect(JSON.parse(map.get('k') ?? 'null')).toEqual(session);
    expect(await keyValueSessionStorage(kv, 'k').load()).toEqual(session);
    map.set('k', 'garbage');
    expect(await s.load()).toBeNull();
    await s.clear();
    expect(map.has('k')).toBe(false);
  });
});

describe('errors', () => {
  it('reads the refusal code of a connect_error from data or message', () => {
    expect(connectErrorCode({ message: 'token_expired' })).toBe('token_expired');
    expect(connectErrorCode({ message: 'whatever', data: { code: 'session_not_found' } })).toBe('session_not_found');
    expect(connectErrorCode({ message: 'websocket error' })).toBeNull();
    expect(connectErrorCode({ message: 'x', data: { code: 'not_a_code' } })).toBeNull();
  });

  it('wraps unknown failures as unavailable and keeps ClientErrors', () => {
    const e = new ClientError('rate_limited', 'slow down', 429);
    expect(toClientError(e)).toBe(e);
    expect(toClientError(new Error('boom'))).toMatchObject({ code: 'unavailable', message: 'boom' });
    expect(isErrorCode('not_in_chat')).toBe(true);
    expect(isErrorCode('nope')).toBe(false);
  });
});
