/** The guest session against the real server: create, reuse, refresh, loss, start over. */
import { afterEach, describe, expect, it } from 'vitest';
import { ClientError } from '../../client/errors.js';
import { memorySessionStorage } from '../../client/session-storage.js';
import { cleanup, connectedClient, diagsOf, newClient, restOf, sleep, startServer, waitFor, waitForDiag } from './support/harness.js';

afterEach(cleanup);

describe('guest session', () => {
  it('creates a guest when none is stored (with the asked name) and reuses it next launch', async () => {
    const server = await startServer();
    const storage = memorySessionStorage();
    const first = await connectedClient(server.url, { storage, username: 'Ada Lovelace' });
    const stored = storage.peek();
    expect(stored?.user.username).toBe('Ada Lovelace');
    expect(first.client.getSnapshot().me?.user).toEqual(stored?.user);
    await first.client.stop();

    const second = await connectedClient(server.url, { storage, username: 'Someone Else' });
    expect(second.client.getSnapshot().me?.user).toEqual(stored?.user);
    expect((await restOf(server.url).stats()).stats.totalUsers).toBe(1);
  });

  it('falls back to a generated name when the asked one is refused', async () => {
    const server = await startServer();
    const c = await connectedClient(server.url, { username: '  bad!!name  ' });
    expect(c.client.getSnapshot().me?.user.username).toMatch(/^\S.+\S$/);
    expect(c.client.getSnapshot().me?.user.username).not.toContain('!');
  });

  it('token_expired on connect: refreshes with the old token, saves it, reconnects as the same user', async () => {
    const server = await startServer({ tokenTtlMs: 1_000, heartbeatIntervalMs: 30_000, staleTimeoutMs: 75_000 });
    const c = await connectedClient(server.url);
    const before = c.storage.peek();
    if (!before) throw new Error('no session stored');
    await waitFor('token expiry', () => Date.now() > before.tokenExpiresAt + 50, 3_000);
    c.client.pause();
    c.client.resume(); // a new handshake with the expired token
    const refused = await waitForDiag(c, 'connect_error');
    expect(refused.code).toBe('token_expired');
    await waitForDiag(c, 'token_refreshed');
    await waitFor('reconnected', () => diagsOf(c, 'connected').length === 2);
    const after = c.storage.peek();
    expect(after?.user).toEqual(before.user);
    expect(after?.token).not.toBe(before.token);
    expect(after?.tokenExpiresAt).toBeGreaterThan(before.tokenExpiresAt);
    expect(c.client.getSnapshot().me?.user.id).toBe(before.user.id);
    expect(c.client.getSnapshot().sessionRecreated).toBeNull();
  });

  it('session ended elsewhere, autoRecreateSession off: offline with the reason, no new guest', async () => {
    const server = await startServer();
    const c = await connectedClient(server.url, { autoRecreateSession: false });
    await restOf(server.url).deleteMe(c.storage.peek()?.token ?? '');
    await waitFor('offline', () => c.client.getSnapshot().connection.status === 'offline');
    expect(c.client.getSnapshot().connection).toEqual({ status: 'offline', reason: 'deleted' });
    await sleep(300);
    expect(diagsOf(c, 'socket_opened')).toHaveLength(1);
    expect((await restOf(server.url).stats()).stats.totalUsers).toBe(0);
  });

  it('a stored session the server does not know, autoRecreateSession off: offline session_not_found', async () => {
    const server = await startServer();
    const storage = memorySessionStorage();
    const gone = await connectedClient(server.url, { storage });
    await gone.client.stop();
    await restOf(server.url).deleteMe(storage.peek()?.token ?? '');
    const c = newClient(server.url, { storage, autoRecreateSession: false });
    await c.client.start();
    expect(c.client.getSnapshot().connection).toEqual({ status: 'offline', reason: 'session_not_found' });
  });

  it('session lost, autoRecreateSession on: a new guest with the same name, reported in the snapshot', async () => {
    const server = await startServer();
    const c = await connectedClient(server.url, { username: 'Grace Hopper' });
    const old = c.client.getSnapshot().me?.user;
    await restOf(server.url).deleteMe(c.storage.peek()?.token ?? '');
    await waitFor('new guest', () => {
      const s = c.client.getSnapshot();
      return s.connection.status === 'connected' && s.me && s.me.user.id !== old?.id;
    });
    const s = c.client.getSnapshot();
    expect(s.me?.user.username).toBe('Grace Hopper');
    expect(s.sessionRecreated).toMatchObject({ reason: 'deleted', previousUser: old });
    expect(c.storage.peek()?.user.id).toBe(s.me?.user.id);
    expect((await restOf(server.url).stats()).stats.totalUsers).toBe(1);
  });

  it('startOver(): ends the session on the server and starts a new guest with a generated name', async () => {
    const server = await startServer();
    const c = await connectedClient(server.url, { username: 'Old Name' });
    const oldToken = c.storage.peek()?.token ?? '';
    const oldId = c.client.getSnapshot().me?.user.id;
    await c.client.startOver();
    await waitFor('connected anew', () => c.client.getSnapshot().connection.status === 'connected');
    const me = c.client.getSnapshot().me?.user;
    expect(me?.id).not.toBe(oldId);
    expect(me?.username).not.toBe('Old Name');
    expect(c.storage.peek()?.user).toEqual(me);
    await expect(restOf(server.url).me(oldToken)).rejects.toMatchObject({ status: 401 });
    const stats = await restOf(server.url).stats();
    expect(stats.stats).toMatchObject({ totalUsers: 1, onlineUsers: 1 });
    expect(c.client.getSnapshot().sessionRecreated).toBeNull(); // asked for, not a loss
  });

  it('stop(): the server sees the connection close at once, not after the stale timeout', async () => {
    const server = await startServer({ heartbeatIntervalMs: 30_000, staleTimeoutMs: 60_000, leaveGraceMs: 100 });
    const c = await connectedClient(server.url);
    expect((await restOf(server.url).stats()).stats.onlineUsers).toBe(1);
    await c.client.stop();
    expect(c.client.getSnapshot().connection).toEqual({ status: 'idle' });
    const started = Date.now();
    for (let i = 0; i < 100 && (await restOf(server.url).stats()).stats.onlineUsers !== 0; i++) await sleep(20);
    expect((await restOf(server.url).stats()).stats.onlineUsers).toBe(0);
    expect(Date.now() - started).toBeLessThan(1_500); // leave grace + a sweep, far below 60 s
  });

  it('surfaces failed REST calls as ClientError with the protocol code', async () => {
    const server = await startServer();
    await expect(restOf(server.url).me('not-a-token')).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
    await expect(restOf('http://127.0.0.1:1').stats()).rejects.toBeInstanceOf(ClientError);
  });
});
