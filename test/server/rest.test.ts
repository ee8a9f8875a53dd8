/** REST routes per PROTOCOL.md, against a real server on port 0, on every store. */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { GuestMe, OnlineUsersPage, RestError, StatsResponse } from '../../server/protocol.js';
import { type Harness, getJson, next, until } from '../support/server.js';
import { harnessOn, storeKinds } from '../support/stores.js';

async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

for (const kind of storeKinds()) {
  describe(`REST (${kind.name} store)`, () => {
    let h: Harness;
    afterAll(() => kind.teardown());
    afterEach(async () => {
      expect(h.violations).toEqual([]);
      await h.close();
    });

    it('creates guest sessions, with a chosen or a generated name', async () => {
      h = await harnessOn(kind);
      const named = await h.guest('Night Owl_7');
      expect(named.user).toMatchObject({ username: 'Night Owl_7', id: expect.any(String) });
      expect(named.user.expiresAt - named.user.createdAt).toBe(7_200_000);
      expect(named.tokenExpiresAt).toBeGreaterThan(Date.now());
      const generated = await h.guest();
      expect(generated.user.username).toMatch(/^[A-Za-z]+\d+$/);
      const suggestion = await getJson<{ username: string }>(h.url, '/api/guest/username');
      expect(suggestion.body.username).toMatch(/^[A-Za-z]+\d+$/);
      const { body } = await getJson<StatsResponse>(h.url, '/api/stats');
      expect(body).toMatchObject({ stats: { totalUsers: 2, onlineUsers: 0, activeUsers: 2 }, degraded: false });
    });

    it('refuses bad guest input with a clear code and creates nothing', async () => {
      h = await harnessOn(kind);
      for (const username of ['ab', 'x'.repeat(25), ' lead', 'trail ', 'two  spaces', 'semi;colon', '<b>', 42]) {
        const r = await post(h.url, '/api/guest', { username });
        expect(r.status, String(username)).toBe(400);
        expect((r.body as unknown as RestError).error.code).toBe('invalid_username');
      }
      for (const body of ['{not json', '[1,2]', '"text"', 'null', JSON.stringify({ username: 'okname', admin: true })]) {
        const r = await post(h.url, '/api/guest', body);
        expect(r.status, body).toBe(400);
        expect((r.body as unknown as RestError).error.code).toBe('invalid_payload');
      }
      const big = await post(h.url, '/api/guest', { username: 'x'.repeat(40_000) });
      expect(big.status).toBe(413);
      expect((big.body as unknown as RestError).error.code).toBe('payload_too_large');
      const polluted = await post(h.url, '/api/guest', '{"__proto__":{"admin":true}}');
      expect(polluted.status).toBe(400);
      const { body } = await getJson<StatsResponse>(h.url, '/api/stats');
      expect(body.stats.totalUsers).toBe(0);
    });

    it('rate-limits guest creation per address', async () => {
      h = await harnessOn(kind, { guestCreatePerMinute: 3 });
      for (let i = 0; i < 3; i++) expect((await post(h.url, '/api/guest', {})).status).toBe(201);
      const r = await post(h.url, '/api/guest', {});
      expect(r.status).toBe(429);
      expect((r.body as unknown as RestError).error.code).toBe('rate_limited');
    });

    it('answers /api/guest/me with the presence, and refuses bad tokens', async () => {
      h = await harnessOn(kind);
      const { guest, socket } = await h.user('meuser');
      const me = await getJson<GuestMe>(h.url, '/api/guest/me', guest.token);
      expect(me.status).toBe(200);
      expect(me.body.user).toMatchObject({ id: guest.user.id, username: 'meuser' });
      expect(me.body.presence).toMatchObject({ isOnline: true, isSearching: false, partner: null });
      const none = await getJson<RestError>(h.url, '/api/guest/me');
      expect(none).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
      const forged = await getJson<RestError>(h.url, '/api/guest/me', `${guest.token}x`);
      expect(forged).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
      socket.disconnect();
    });

    it('expires tokens, refreshes them within the grace, and not after', async () => {
      let clock = Date.now();
      h = await harnessOn(kind, { tokenTtlMs: 60_000, tokenRefreshGraceMs: 120_000, sessionTtlMs: 3_600_000 }, { now: () => clock });
      const guest = await h.guest();
      clock += 61_000;
      const expired = await getJson<RestError>(h.url, '/api/guest/me', guest.token);
      expect(expired).toMatchObject({ status: 401, body: { error: { code: 'token_expired' } } });
      const refreshed = await post(h.url, '/api/guest/refresh', {}, { authorization: `Bearer ${guest.token}` });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body?.tokenExpiresAt).toBeGreaterThan(clock);
      const me = await getJson<GuestMe>(h.url, '/api/guest/me', refreshed.body?.token as string);
      expect(me.status).toBe(200);
      clock += 200_000;
      const late = await post(h.url, '/api/guest/refresh', {}, { authorization: `Bearer ${guest.token}` });
      expect(late).toMatchObject({ status: 401, body: { error: { code: 'token_expired' } } });
    });

    it('DELETE /api/guest/me ends the session: sockets told and closed, counts drop at once', async () => {
      h = await harnessOn(kind);
      const a = await h.user();
      const other = await h.client(a.guest.token);
      const b = await h.user();
      const ended = next(a.socket, 'session:ended');
      const closed = new Promise((resolve) => other.socket.once('disconnect', resolve));
      const res = await fetch(`${h.url}/api/guest/me`, { method: 'DELETE', headers: { authorization: `Bearer ${a.guest.token}` } });
      expect(res.status).toBe(204);
      expect(await ended).toEqual({ reason: 'deleted' });
      await closed;
      const { body } = await getJson<StatsResponse>(h.url, '/api/stats');
      expect(body.stats).toMatchObject({ totalUsers: 1, onlineUsers: 1, activeUsers: 1 });
      const me = await getJson<RestError>(h.url, '/api/guest/me', a.guest.token);
      expect(me).toMatchObject({ status: 401, body: { error: { code: 'session_not_found' } } });
      const refresh = await post(h.url, '/api/guest/refresh', {}, { authorization: `Bearer ${a.guest.token}` });
      expect(refresh).toMatchObject({ status: 401, body: { error: { code: 'session_not_found' } } });
      await expect(h.client(a.guest.token)).rejects.toMatchObject({ message: 'session_not_found', data: { code: 'session_not_found' } });
      b.socket.disconnect();
    });

    it('pages online users for authenticated callers', async () => {
      h = await harnessOn(kind);
      const users = [];
      for (let i = 0; i < 5; i++) users.push(await h.user(`user${i}`));
      const token = users[0]?.guest.token as string;
      const unauth = await getJson<RestError>(h.url, '/api/users/online');
      expect(unauth.status).toBe(401);
      const bad = await getJson<RestError>(h.url, '/api/users/online?limit=500', token);
      expect(bad).toMatchObject({ status: 400, body: { error: { code: 'invalid_payload' } } });
      const names: string[] = [];
      let cursor: string | null = null;
      for (let guard = 0; guard < 5; guard++) {
        const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const page = await getJson<OnlineUsersPage>(h.url, `/api/users/online?limit=2${q}`, token);
        expect(page.status).toBe(200);
        names.push(...page.body.users.map((u) => u.username));
        for (const u of page.body.users) expect(u).toMatchObject({ status: 'online', since: expect.any(Number) });
        cursor = page.body.nextCursor;
        if (!cursor) break;
      }
      expect(names).toEqual(['user4', 'user3', 'user2', 'user1', 'user0']);
    });

    it('keeps a stats history, one point per sample period', async () => {
      h = await harnessOn(kind, { historySampleMs: 50 });
      await h.user();
      await until(async () => (await getJson<{ points: unknown[] }>(h.url, '/api/stats/history?minutes=1')).body.points.length >= 3);
      const { body } = await getJson<{ points: { t: number; onlineUsers: number }[] }>(h.url, '/api/stats/history?minutes=1');
      const ts = body.points.map((p) => p.t);
      expect(new Set(ts).size).toBe(ts.length);
      expect([...ts].sort((x, y) => x - y)).toEqual(ts);
      expect(body.points.at(-1)).toMatchObject({ onlineUsers: 1, activeUsers: 1, availableUsers: 0, connectedUsers: 0 });
      const bad = await getJson<RestError>(h.url, '/api/stats/history?minutes=0');
      expect(bad).toMatchObject({ status: 400, body: { error: { code: 'invalid_payload' } } });
      const tooMany = await getJson<RestError>(h.url, '/api/stats/history?minutes=1441');
      expect(tooMany.status).toBe(400);
    });

    it('serves health, readiness, metrics, and JSON 404s for unknown API routes', async () => {
      h = await harnessOn(kind);
      const a = await h.user();
      await new Promise<void>((resolve) => a.socket.emit('presence:heartbeat', {}, () => resolve()));
      expect(await getJson(h.url, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
      expect(await getJson(h.url, '/readyz')).toEqual({ status: 200, body: { status: 'ok' } });
      const metrics = await (await fetch(`${h.url}/metrics`)).text();
      expect(metrics).toContain('herenow_connections 1');
      expect(metrics).toMatch(/herenow_events_total\{event="presence:heartbeat",outcome="ok"\} 1/);
      expect(metrics).toContain('herenow_heartbeat_seconds_bucket');
      expect(metrics).toContain('herenow_broadcast_seconds_count');
      expect(metrics).toContain('herenow_store_errors_total');
      expect(await getJson(h.url, '/api/nope')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    });
  });
}
