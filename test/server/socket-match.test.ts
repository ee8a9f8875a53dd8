/** Matchmaking and 1:1 chat per PROTOCOL.md: real server, real sockets, every store. */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { PresenceConnected, StatsResponse } from '../../server/protocol.js';
import { type Harness, type TestSocket, dropTransport, getJson, next, rawEmit, until } from '../support/server.js';
import { harnessOn, storeKinds } from '../support/stores.js';

const stats = async (h: Harness) => (await getJson<StatsResponse>(h.url, '/api/stats')).body.stats;
const search = (s: TestSocket, on = true) => rawEmit(s, 'presence:searching', { isSearching: on });

/** Collects every presence:connected a socket receives. */
function record(socket: TestSocket): PresenceConnected[] {
  const seen: PresenceConnected[] = [];
  socket.on('presence:connected', (p) => seen.push(p));
  return seen;
}

for (const kind of storeKinds()) {
  describe(`Matchmaking and chat (${kind.name} store)`, () => {
    let h: Harness;
    afterAll(() => kind.teardown());
    afterEach(async () => {
      expect(h.violations).toEqual([]);
      await h.close();
    });

    async function pair() {
      const a = await h.user('alice');
      const b = await h.user('bob');
      const aMatched = next(a.socket, 'presence:connected');
      const bMatched = next(b.socket, 'presence:connected');
      await search(a.socket);
      await search(b.socket);
      return { a, b, am: await aMatched, bm: await bMatched };
    }

    it('pairs two searchers and tells both, with the same chatId', async () => {
      h = await harnessOn(kind);
      const { a, b, am, bm } = await pair();
      expect(am).toEqual({ chatId: bm.chatId, partner: { id: b.guest.user.id, username: 'bob' }, reason: 'matched' });
      expect(bm).toEqual({ chatId: am.chatId, partner: { id: a.guest.user.id, username: 'alice' }, reason: 'matched' });
      expect(await stats(h)).toMatchObject({ onlineUsers: 2, availableUsers: 0, connectedUsers: 2 });
      expect(await search(a.socket)).toMatchObject({ ok: false, error: { code: 'already_in_chat' } });
      const me = await getJson<{ presence: { partner: unknown } }>(h.url, '/api/guest/me', a.guest.token);
      expect(me.body.presence.partner).toEqual({ id: b.guest.user.id, username: 'bob' });
    });

    it('delivers messages to all of the partner\'s connections and nobody else', async () => {
      h = await harnessOn(kind);
      const { a, b, am } = await pair();
      const bSecond = await h.client(b.guest.token);
      const aSecond = await h.client(a.guest.token);
      const outsider = await h.user('carol');
      const leaks: unknown[] = [];
      for (const s of [a.socket, aSecond.socket, outsider.socket]) s.on('chat:message', (m) => leaks.push(m));
      const got1 = next(b.socket, 'chat:message');
      const got2 = next(bSecond.socket, 'chat:message');
      const ack = (await rawEmit(a.socket, 'chat:message', { text: '  hello bob  ' })) as { ok: boolean; messageId: string; sentAt: number };
      expect(ack).toMatchObject({ ok: true, messageId: expect.any(String), sentAt: expect.any(Number) });
      const m1 = await got1;
      expect(m1).toEqual({ chatId: am.chatId, messageId: ack.messageId, from: { id: a.guest.user.id, username: 'alice' }, text: 'hello bob', sentAt: ack.sentAt });
      expect(await got2).toEqual(m1);
      await new Promise((r) => setTimeout(r, 100));
      expect(leaks).toEqual([]);
      expect(await rawEmit(outsider.socket, 'chat:message', { text: 'hi?' })).toMatchObject({ ok: false, error: { code: 'not_in_chat' } });
      for (const bad of [{ text: '' }, { text: ' \n\t ' }, { text: 'x'.repeat(2_001) }, { text: 5 }, {}]) {
        expect(await rawEmit(a.socket, 'chat:message', bad)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
      }
      expect(await rawEmit(a.socket, 'chat:message', { text: 'x'.repeat(2_000) })).toMatchObject({ ok: true });
    });

    it('rate-limits chat messages per user', async () => {
      h = await harnessOn(kind, { chatMessagesPer10s: 3, eventsPerSecond: 100 });
      const { a, b } = await pair();
      let received = 0;
      b.socket.on('chat:message', () => received++);
      const acks = [];
      for (let i = 0; i < 5; i++) acks.push(await rawEmit(a.socket, 'chat:message', { text: `m${i}` }));
      expect(acks.slice(0, 3).every((x) => (x as { ok: boolean }).ok)).toBe(true);
      for (const x of acks.slice(3)) expect(x).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
      await new Promise((r) => setTimeout(r, 100));
      expect(received).toBe(3);
    });

    it('chat:leave ends the chat for both with left / partner_left', async () => {
      h = await harnessOn(kind);
      const { a, b, am } = await pair();
      const aEnd = next(a.socket, 'presence:connected');
      const bEnd = next(b.socket, 'presence:connected');
      expect(await rawEmit(a.socket, 'chat:leave', {})).toEqual({ ok: true });
      expect(await aEnd).toEqual({ chatId: am.chatId, partner: null, reason: 'left' });
      expect(await bEnd).toEqual({ chatId: am.chatId, partner: null, reason: 'partner_left' });
      expect(await stats(h)).toMatchObject({ connectedUsers: 0, onlineUsers: 2 });
      expect(await rawEmit(b.socket, 'chat:leave', {})).toMatchObject({ ok: false, error: { code: 'not_in_chat' } });
      // Both can search again and find each other.
      const again = next(b.socket, 'presence:connected', (p) => p.reason === 'matched');
      await search(a.socket);
      await search(b.socket);
      expect((await again).partner?.id).toBe(a.guest.user.id);
    });

    it('a partner gone past the grace ends the chat with partner_gone', async () => {
      h = await harnessOn(kind, { leaveGraceMs: 200 });
      const { a, b } = await pair();
      const stop = setInterval(() => a.socket.emit('presence:heartbeat', {}, () => undefined), 100);
      const ended = next(a.socket, 'presence:connected');
      const t0 = Date.now();
      dropTransport(b.socket);
      expect(await ended).toMatchObject({ partner: null, reason: 'partner_gone' });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
      expect(await stats(h)).toMatchObject({ connectedUsers: 0, onlineUsers: 1 });
      clearInterval(stop);
    });

    it('a session ended during a chat ends it with partner_gone at once', async () => {
      h = await harnessOn(kind, { leaveGraceMs: 5_000 });
      const { a, b } = await pair();
      const ended = next(a.socket, 'presence:connected');
      const res = await fetch(`${h.url}/api/guest/me`, { method: 'DELETE', headers: { authorization: `Bearer ${b.guest.token}` } });
      expect(res.status).toBe(204);
      expect(await ended).toMatchObject({ partner: null, reason: 'partner_gone' });
      expect(await stats(h)).toMatchObject({ connectedUsers: 0, onlineUsers: 1, totalUsers: 1 });
    });

    it('hiding leaves the queue and the chat; a hidden user is never matched', async () => {
      h = await harnessOn(kind);
      const { a, b } = await pair();
      const bEnd = next(b.socket, 'presence:connected');
      await rawEmit(a.socket, 'presence:online', { isOnline: false });
      expect(await bEnd).toMatchObject({ partner: null, reason: 'partner_left' });
      const c = await h.user('carol');
      await search(c.socket);
      await rawEmit(c.socket, 'presence:online', { isOnline: false });
      expect((await stats(h)).availableUsers).toBe(0);
      const bSeen = record(b.socket);
      await search(b.socket);
      await new Promise((r) => setTimeout(r, 100));
      expect(bSeen).toEqual([]);
      expect(await stats(h)).toMatchObject({ availableUsers: 1, onlineUsers: 1 });
    });

    it('one user on two connections is one searcher and never matched with itself', async () => {
      h = await harnessOn(kind);
      const a = await h.user();
      const a2 = await h.client(a.guest.token);
      const seen = record(a.socket);
      await search(a.socket);
      expect(await search(a2.socket)).toMatchObject({ ok: true, presence: { isSearching: true } });
      expect((await stats(h)).availableUsers).toBe(1);
      await new Promise((r) => setTimeout(r, 100));
      expect(seen).toEqual([]);
      const b = await h.user();
      const both = [next(a.socket, 'presence:connected'), next(a2.socket, 'presence:connected')];
      await search(b.socket);
      const [m1, m2] = await Promise.all(both);
      expect(m1).toEqual(m2);
      expect(m1?.partner?.id).toBe(b.guest.user.id);
    });

    it('60 concurrent searchers make exactly 30 disjoint pairs, one presence:connected each', async () => {
      h = await harnessOn(kind, { eventsPerSecond: 100 });
      const users = await Promise.all(Array.from({ length: 60 }, (_, i) => h.user(`searcher${i}`)));
      const seen = users.map((u) => record(u.socket));
      await Promise.all(users.map((u) => search(u.socket)));
      await until(() => seen.every((s) => s.length >= 1), 10_000);
      await new Promise((r) => setTimeout(r, 150));
      const partnerOf = new Map<string, string>();
      users.forEach((u, i) => {
        expect(seen[i]).toHaveLength(1);
        const m = seen[i]?.[0];
        expect(m?.reason).toBe('matched');
        partnerOf.set(u.guest.user.id, m?.partner?.id as string);
      });
      for (const [id, partner] of partnerOf) {
        expect(partner).not.toBe(id);
        expect(partnerOf.get(partner)).toBe(id);
      }
      expect(new Set(partnerOf.values()).size).toBe(60);
      expect(await stats(h)).toMatchObject({ onlineUsers: 60, availableUsers: 0, connectedUsers: 60 });
    });

    it('a cancel racing a partner\'s arrival gives a match or a cancel, never both', async () => {
      h = await harnessOn(kind, { eventsPerSecond: 100 });
      for (let round = 0; round < 12; round++) {
        const a = await h.user();
        const b = await h.user();
        const aSeen = record(a.socket);
        await search(a.socket);
        const [cancel, joined] = await Promise.all([search(a.socket, false), search(b.socket)]);
        await new Promise((r) => setTimeout(r, 60));
        const matched = aSeen.some((p) => p.reason === 'matched');
        if ((cancel as { ok: boolean }).ok) {
          expect(matched).toBe(false);
          expect(joined).toMatchObject({ ok: true, presence: { isSearching: true, partner: null } });
          await search(b.socket, false);
        } else {
          expect(cancel).toMatchObject({ error: { code: 'not_searching' } });
          expect(matched).toBe(true);
          await rawEmit(a.socket, 'chat:leave', {});
        }
        a.socket.disconnect();
        b.socket.disconnect();
      }
    });
  });
}
