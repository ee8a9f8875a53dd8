/** Socket.IO presence and stats per PROTOCOL.md, real server and socket.io-client, every store. */
import { io as connect } from 'socket.io-client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CLIENT_EVENTS, type RealtimeStats, type StatsResponse } from '../../server/protocol.js';
import { type Harness, type TestSocket, dropTransport, getJson, next, rawEmit, until } from '../support/server.js';
import { harnessOn, storeKinds } from '../support/stores.js';

const stats = async (h: Harness) => (await getJson<StatsResponse>(h.url, '/api/stats')).body.stats;

/** Sends heartbeats every `ms` so a socket is not taken as stale. */
function keepAlive(socket: TestSocket, ms = 100): () => void {
  const t = setInterval(() => socket.emit('presence:heartbeat', {}, () => undefined), ms);
  return () => clearInterval(t);
}

for (const kind of storeKinds()) {
  describe(`Socket presence (${kind.name} store)`, () => {
    let h: Harness;
    afterAll(() => kind.teardown());
    afterEach(async () => {
      expect(h.violations).toEqual([]);
      await h.close();
    });

    it('refuses connections without a valid token with the protocol codes', async () => {
      let clock = Date.now();
      h = await harnessOn(kind, { tokenTtlMs: 60_000 }, { now: () => clock });
      await expect(h.client('')).rejects.toMatchObject({ message: 'unauthorized', data: { code: 'unauthorized' } });
      await expect(h.client('not.a.jwt')).rejects.toMatchObject({ message: 'unauthorized' });
      const guest = await h.guest();
      const noAuth = connect(h.url, { transports: ['websocket'], reconnection: false, forceNew: true });
      const err = await new Promise<Error & { data?: unknown }>((resolve) => noAuth.once('connect_error', resolve));
      expect(err).toMatchObject({ message: 'unauthorized', data: { code: 'unauthorized' } });
      noAuth.close();
      clock += 61_000;
      await expect(h.client(guest.token)).rejects.toMatchObject({ message: 'token_expired', data: { code: 'token_expired' } });
      expect((await stats(h)).onlineUsers).toBe(0);
    });

    it('establishes a connection with user, presence, interval, stats and seq', async () => {
      h = await harnessOn(kind);
      const guest = await h.guest('hello_there');
      const { established } = await h.client(guest.token);
      expect(established).toMatchObject({
        user: { id: guest.user.id, username: 'hello_there' },
        presence: { isOnline: true, isSearching: false, partner: null },
        heartbeatIntervalMs: 200,
        stats: { totalUsers: 1, onlineUsers: 1, activeUsers: 1, availableUsers: 0, connectedUsers: 0 },
        seq: expect.any(Number),
      });
      expect(Math.abs(established.serverTime - Date.now())).toBeLessThan(5_000);
    });

    it('acks heartbeats with the server time and interval', async () => {
      h = await harnessOn(kind);
      const { socket } = await h.user();
      const ack = await rawEmit(socket, 'presence:heartbeat', {});
      expect(ack).toMatchObject({ ok: true, heartbeatIntervalMs: 200, serverTime: expect.any(Number) });
    });

    it('counts several connections of one user once, and goes offline only after the grace', async () => {
      h = await harnessOn(kind, { leaveGraceMs: 300 });
      const a = await h.user();
      const second = await h.client(a.guest.token);
      expect((await stats(h)).onlineUsers).toBe(1);
      dropTransport(a.socket);
      await new Promise((r) => setTimeout(r, 50));
      expect((await stats(h)).onlineUsers).toBe(1);
      dropTransport(second.socket);
      await new Promise((r) => setTimeout(r, 100));
      expect((await stats(h)).onlineUsers).toBe(1);
      await until(async () => (await stats(h)).onlineUsers === 0, 3_000);
      expect(await stats(h)).toMatchObject({ activeUsers: 1, totalUsers: 1 });
    });

    it('a client that says goodbye (app quit) is offline at once, without the grace', async () => {
      h = await harnessOn(kind, { leaveGraceMs: 5_000 });
      const a = await h.user();
      const b = await h.user();
      expect((await stats(h)).onlineUsers).toBe(2);
      a.socket.disconnect();
      await until(async () => (await stats(h)).onlineUsers === 1, 1_000);
      const me = await getJson<{ presence: { isOnline: boolean } }>(h.url, '/api/guest/me', a.guest.token);
      expect(me.body.presence.isOnline).toBe(false);
      // A second connection keeps the user online: only the last goodbye counts.
      const b2 = await h.client(b.guest.token);
      b2.socket.disconnect();
      await new Promise((r) => setTimeout(r, 150));
      expect((await stats(h)).onlineUsers).toBe(1);
    });

    it('a reconnect inside the grace keeps the user online without a leave', async () => {
      h = await harnessOn(kind, { leaveGraceMs: 400 });
      const watcher = await h.user();
      const stop = keepAlive(watcher.socket);
      const seen: RealtimeStats[] = [];
      watcher.socket.on('realtime:stats', (p) => seen.push(p));
      const a = await h.user();
      await until(() => seen.at(-1)?.stats.onlineUsers === 2);
      dropTransport(a.socket);
      await h.client(a.guest.token);
      await new Promise((r) => setTimeout(r, 600));
      expect(seen.every((p) => p.stats.onlineUsers === 2 || p.stats.onlineUsers === 1)).toBe(true);
      expect(seen.at(-1)?.stats.onlineUsers).toBe(2);
      expect(seen.filter((p) => p.stats.onlineUsers === 1).length).toBe(seen.findIndex((p) => p.stats.onlineUsers === 2));
      stop();
    });

    it('drops a connection silent for the stale timeout', async () => {
      h = await harnessOn(kind, { staleTimeoutMs: 400, heartbeatIntervalMs: 100, leaveGraceMs: 0 });
      const silent = await h.user();
      const live = await h.user();
      const stop = keepAlive(live.socket, 80);
      const dropped = new Promise<string>((resolve) => silent.socket.once('disconnect', resolve));
      expect(await dropped).toBe('io server disconnect');
      expect(live.socket.connected).toBe(true);
      await until(async () => (await stats(h)).onlineUsers === 1);
      stop();
    });

    it('hides and shows a user: not online, still active', async () => {
      h = await harnessOn(kind);
      const a = await h.user();
      const hidden = await rawEmit(a.socket, 'presence:online', { isOnline: false });
      expect(hidden).toMatchObject({ ok: true, presence: { isOnline: false } });
      expect(await stats(h)).toMatchObject({ onlineUsers: 0, activeUsers: 1 });
      const shown = await rawEmit(a.socket, 'presence:online', { isOnline: true });
      expect(shown).toMatchObject({ ok: true, presence: { isOnline: true } });
      expect((await stats(h)).onlineUsers).toBe(1);
    });

    it('enters and leaves the match queue', async () => {
      h = await harnessOn(kind);
      const a = await h.user();
      expect(await rawEmit(a.socket, 'presence:searching', { isSearching: true })).toMatchObject({
        ok: true,
        presence: { isSearching: true },
      });
      expect((await stats(h)).availableUsers).toBe(1);
      expect(await rawEmit(a.socket, 'presence:searching', { isSearching: false })).toMatchObject({
        ok: true,
        presence: { isSearching: false },
      });
      expect((await stats(h)).availableUsers).toBe(0);
      expect(await rawEmit(a.socket, 'presence:searching', { isSearching: false })).toMatchObject({
        ok: false,
        error: { code: 'not_searching' },
      });
    });

    it('answers bad payloads on every event with invalid_payload and changes nothing', async () => {
      h = await harnessOn(kind, { eventsPerSecond: 1_000 });
      const a = await h.user();
      const before = await stats(h);
      const bad: unknown[] = [undefined, null, 42, 'text', [], { extra: 1 }, { isOnline: 'yes' }, { isSearching: 1 },
        { text: '' }, { text: '   ' }, { text: 'x'.repeat(2_001) }, { limit: 0 }, { limit: 101 }, { cursor: 5 },
        JSON.parse('{"__proto__":{"polluted":true}}'), { constructor: { prototype: { polluted: true } } }];
      for (const event of CLIENT_EVENTS) {
        for (const payload of bad) {
          const acceptable = (event === 'users:online:list' && payload !== null && typeof payload === 'object' && !Array.isArray(payload) &&
            Object.keys(payload).length === 0);
          if (acceptable) continue;
          const ack = payload === undefined ? await rawEmit(a.socket, event) : await rawEmit(a.socket, event, payload);
          expect(ack, `${event} ${JSON.stringify(payload)}`).toMatchObject({ ok: false, error: { code: 'invalid_payload', message: expect.any(String) } });
        }
      }
      expect(await stats(h)).toEqual(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      const me = await getJson<{ presence: unknown }>(h.url, '/api/guest/me', a.guest.token);
      expect(me.body.presence).toMatchObject({ isOnline: true, isSearching: false, partner: null });
    });

    it('ignores events without an ack and unknown events', async () => {
      h = await harnessOn(kind);
      const a = await h.user();
      const raw = a.socket as unknown as { emit(e: string, ...args: unknown[]): void };
      raw.emit('presence:online', { isOnline: false });
      raw.emit('presence:searching', { isSearching: true });
      raw.emit('no:such:event', { x: 1 });
      expect(await rawEmit(a.socket, 'no:such:event', {})).toEqual({ ok: false, error: { code: 'invalid_payload', message: 'unknown event' } });
      const ack = await rawEmit(a.socket, 'presence:heartbeat', {});
      expect(ack).toMatchObject({ ok: true });
      expect(await stats(h)).toMatchObject({ onlineUsers: 1, availableUsers: 0 });
    });

    it('rate-limits events per connection with rate_limited acks', async () => {
      h = await harnessOn(kind, { eventsPerSecond: 5 });
      const a = await h.user();
      const acks = await Promise.all(Array.from({ length: 30 }, () => rawEmit(a.socket, 'presence:heartbeat', {})));
      const limited = acks.filter((x) => (x as { ok: boolean }).ok === false);
      expect(limited.length).toBeGreaterThan(0);
      expect(acks.length - limited.length).toBeGreaterThanOrEqual(5);
      expect(acks.length - limited.length).toBeLessThanOrEqual(10);
      for (const x of limited) expect(x).toMatchObject({ error: { code: 'rate_limited' } });
    });

    it('answers stats:request with an ack and a stats:update', async () => {
      h = await harnessOn(kind);
      const a = await h.user();
      const update = next(a.socket, 'stats:update');
      const ack = await rawEmit(a.socket, 'stats:request', {});
      expect(ack).toMatchObject({ ok: true, stats: { onlineUsers: 1 }, seq: expect.any(Number), timestamp: expect.any(Number) });
      expect(await update).toMatchObject({ stats: { onlineUsers: 1 } });
    });

    it('coalesces realtime:stats: at most one per interval, only on change, seq increasing', async () => {
      h = await harnessOn(kind, { statsIntervalMs: 100 });
      const watcher = await h.user();
      const stop = keepAlive(watcher.socket, 150);
      const seen: RealtimeStats[] = [];
      watcher.socket.on('realtime:stats', (p) => seen.push(p));
      const started = Date.now();
      const others = [];
      for (let i = 0; i < 12; i++) others.push(await h.user(`churn${i}`));
      for (const o of others) o.socket.disconnect();
      await new Promise((r) => setTimeout(r, 400));
      const elapsed = Date.now() - started;
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 1);
      for (let i = 1; i < seen.length; i++) expect((seen[i] as RealtimeStats).seq).toBeGreaterThan((seen[i - 1] as RealtimeStats).seq);
      const last = seen.at(-1) as RealtimeStats;
      expect(last.onlineUsers.length).toBeLessThanOrEqual(20);
      expect(last.degraded).toBe(false);
      const quiet = seen.length;
      await new Promise((r) => setTimeout(r, 500));
      expect(seen.length).toBe(quiet);
      stop();
    });

    it('lists online users in pages and pushes diffs to subscribers only', async () => {
      h = await harnessOn(kind);
      const sub = await h.user('subscriber');
      const plain = await h.user('plain');
      const stopSub = keepAlive(sub.socket);
      const stopPlain = keepAlive(plain.socket);
      const page = (await rawEmit(sub.socket, 'users:online:subscribe', {})) as { ok: boolean; users: { username: string }[] };
      expect(page.ok).toBe(true);
      expect(page.users.map((u) => u.username)).toEqual(['plain', 'subscriber']);
      let plainGotUpdate = false;
      plain.socket.on('users:online:update', () => (plainGotUpdate = true));
      const joined = next(sub.socket, 'users:online:update', (u) => u.joined.some((x) => x.username === 'newcomer'));
      const c = await h.user('newcomer');
      expect((await joined).joined.find((x) => x.username === 'newcomer')).toMatchObject({ status: 'online' });
      const left = next(sub.socket, 'users:online:update', (u) => u.left.includes(c.guest.user.id));
      c.socket.disconnect();
      await left;
      expect(await rawEmit(sub.socket, 'users:online:unsubscribe', {})).toEqual({ ok: true });
      let afterUnsub = 0;
      sub.socket.on('users:online:update', () => afterUnsub++);
      const d = await h.user('late');
      await new Promise((r) => setTimeout(r, 200));
      expect(afterUnsub).toBe(0);
      expect(plainGotUpdate).toBe(false);
      const listed = (await rawEmit(sub.socket, 'users:online:list', { limit: 2 })) as { users: unknown[]; nextCursor: string };
      expect(listed.users).toHaveLength(2);
      const rest = (await rawEmit(sub.socket, 'users:online:list', { cursor: listed.nextCursor })) as { users: unknown[]; nextCursor: null };
      expect(rest.users).toHaveLength(1);
      expect(rest.nextCursor).toBeNull();
      d.socket.disconnect();
      stopSub();
      stopPlain();
    });
  });
}
