/**
 * The PresenceStore contract: one suite, run against every store (memory, Redis, Cluster, ...).
 * Time is driven explicitly through `now`; nothing here sleeps.
 */
import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { brokenInvariant } from '../../../server/protocol.js';
import type { PresenceEvent, PresenceStore, StoreTimings } from '../../../server/store/types.js';
import { extraContract } from './contract-extra.js';

export const CONTRACT_TIMINGS: StoreTimings = {
  sessionTtlMs: 100_000,
  activeWindowMs: 30_000,
  leaveGraceMs: 1_000,
  changeLogMax: 1_000,
  historyMax: 5,
};

export interface StoreFixture {
  store: PresenceStore;
  /** called after each test */
  cleanup(): Promise<void>;
}

let idCounter = 0;
const uid = (tag = 'u') => `${tag}${++idCounter}-${Math.random().toString(36).slice(2, 8)}`;

/** Runs the contract against stores built by `make` (each test gets a fresh, empty store). */
export function storeContract(name: string, make: (t: StoreTimings) => Promise<StoreFixture>): void {
  describe(`PresenceStore contract: ${name}`, () => {
    let fx: StoreFixture;
    let store: PresenceStore;
    const T0 = 1_700_000_000_000;

    beforeEach(async () => {
      fx = await make(CONTRACT_TIMINGS);
      store = fx.store;
      return async () => {
        await fx.cleanup();
      };
    });
    afterAll(() => undefined);

    async function user(now = T0, tag = 'u') {
      const id = uid(tag);
      await store.createSession({ id, username: `name-${id}`, now });
      return id;
    }
    async function online(now = T0, node = 'n1') {
      const id = await user(now);
      const connId = uid('c');
      await store.connect({ userId: id, connId, nodeId: node, now });
      return { id, connId };
    }
    const stats = async (now = T0) => (await store.stats(now)).stats;

    it('creates sessions and counts them; unknown or expired sessions are not found', async () => {
      const id = await user();
      const s = await store.getSession(id, T0);
      expect(s).toMatchObject({ id, username: `name-${id}`, createdAt: T0, connections: 0, onlineSince: null });
      expect(s?.expiresAt).toBe(T0 + CONTRACT_TIMINGS.sessionTtlMs);
      expect(await store.getSession('nobody', T0)).toBeNull();
      expect(await store.getSession(id, T0 + CONTRACT_TIMINGS.sessionTtlMs)).toBeNull();
      expect(await stats()).toMatchObject({ totalUsers: 1, onlineUsers: 0, activeUsers: 1 });
      await expect(store.connect({ userId: 'nobody', connId: 'c', nodeId: 'n', now: T0 })).rejects.toMatchObject({
        code: 'session_not_found',
      });
    });

    it('a user with several connections is online once', async () => {
      const { id } = await online();
      await store.connect({ userId: id, connId: uid('c'), nodeId: 'n2', now: T0 + 1 });
      expect((await store.getSession(id, T0 + 1))?.connections).toBe(2);
      expect(await stats(T0 + 1)).toMatchObject({ totalUsers: 1, onlineUsers: 1, activeUsers: 1 });
    });

    it('the last connection leaving starts the grace; a return inside it keeps the user online', async () => {
      const { id, connId } = await online();
      await store.disconnect(id, connId, T0 + 10);
      expect((await stats(T0 + 10)).onlineUsers).toBe(1);
      await store.sweep(T0 + 10 + CONTRACT_TIMINGS.leaveGraceMs - 1);
      expect((await stats(T0 + 500)).onlineUsers).toBe(1);
      await store.connect({ userId: id, connId: uid('c'), nodeId: 'n1', now: T0 + 600 });
      await store.sweep(T0 + 5_000);
      expect((await stats(T0 + 5_000)).onlineUsers).toBe(1);
      expect((await store.getSession(id, T0 + 5_000))?.onlineSince).toBe(T0);
    });

    it('goes offline when the grace passes with no connection', async () => {
      const { id, connId } = await online();
      await store.disconnect(id, connId, T0 + 10);
      await store.sweep(T0 + 10 + CONTRACT_TIMINGS.leaveGraceMs);
      expect(await stats(T0 + 2_000)).toMatchObject({ onlineUsers: 0, activeUsers: 1, totalUsers: 1 });
      expect((await store.getSession(id, T0 + 2_000))?.onlineSince).toBeNull();
      // Disconnecting an unknown connection changes nothing.
      await store.disconnect(id, 'no-such-conn', T0 + 2_001);
      expect((await stats(T0 + 2_001)).onlineUsers).toBe(0);
    });

    it('an immediate disconnect of the last connection takes the user offline at once', async () => {
      const a = await online();
      const b = await online();
      await store.setSearching(a.id, true, T0);
      await store.setSearching(b.id, true, T0);
      const r = await store.disconnect(a.id, a.connId, T0 + 5, { immediate: true });
      expect(r.events).toContainEqual(expect.objectContaining({ type: 'chat_ended', userId: b.id, reason: 'partner_gone' }));
      expect(await stats(T0 + 5)).toMatchObject({ onlineUsers: 1, connectedUsers: 0, activeUsers: 2 });
      expect((await store.getSession(a.id, T0 + 5))?.onlineSince).toBeNull();
    });

    it('hidden users are not online but stay active; hiding persists across reconnects', async () => {
      const { id, connId } = await online();
      const r = await store.setOnline(id, false, T0 + 1);
      expect(r.presence.isOnline).toBe(false);
      expect(await stats(T0 + 1)).toMatchObject({ onlineUsers: 0, activeUsers: 1 });
      await store.disconnect(id, connId, T0 + 2);
      await store.connect({ userId: id, connId: uid('c'), nodeId: 'n1', now: T0 + 3 });
      expect((await stats(T0 + 3)).onlineUsers).toBe(0);
      const shown = await store.setOnline(id, true, T0 + 4);
      expect(shown.presence.isOnline).toBe(true);
      expect((await stats(T0 + 4)).onlineUsers).toBe(1);
    });

    it('activity ages out of the active window; touching slides the session', async () => {
      const { id } = await online();
      const later = T0 + CONTRACT_TIMINGS.activeWindowMs + 1;
      await store.setOnline(id, false, T0);
      expect((await stats(later)).activeUsers).toBe(0);
      await store.touch(id, 'x', later);
      expect((await stats(later)).activeUsers).toBe(1);
      expect((await store.getSession(id, later))?.expiresAt).toBe(later + CONTRACT_TIMINGS.sessionTtlMs);
      await expect(store.touch('nobody', 'x', later)).rejects.toMatchObject({ code: 'session_not_found' });
    });

    it('pairs searchers first come first served, exactly once', async () => {
      const a = await online(T0);
      const b = await online(T0);
      const c = await online(T0);
      const ra = await store.setSearching(a.id, true, T0 + 1);
      expect(ra.events).toEqual([]);
      expect(ra.presence.isSearching).toBe(true);
      expect(await stats(T0 + 1)).toMatchObject({ availableUsers: 1, connectedUsers: 0 });
      // Searching again is a no-op.
      expect((await store.setSearching(a.id, true, T0 + 1)).events).toEqual([]);
      const rb = await store.setSearching(b.id, true, T0 + 2);
      const matched = rb.events.find((e) => e.type === 'matched');
      expect(matched).toBeDefined();
      if (matched?.type !== 'matched') throw new Error('unreachable');
      expect(matched.users.map((u) => u.id).sort()).toEqual([a.id, b.id].sort());
      expect(rb.presence.partner?.id).toBe(a.id);
      expect((await store.getSession(a.id, T0 + 2))?.chatId).toBe(matched.chatId);
      expect(await stats(T0 + 2)).toMatchObject({ availableUsers: 0, connectedUsers: 2, onlineUsers: 3 });
      await expect(store.setSearching(a.id, true, T0 + 3)).rejects.toMatchObject({ code: 'already_in_chat' });
      await expect(store.setSearching(a.id, false, T0 + 3)).rejects.toMatchObject({ code: 'not_searching' });
      await store.setSearching(c.id, true, T0 + 3);
      await store.setSearching(c.id, false, T0 + 4);
      expect(await stats(T0 + 4)).toMatchObject({ availableUsers: 0, connectedUsers: 2 });
    });

    it('leaving a chat tells both; not_in_chat outside one', async () => {
      const a = await online();
      const b = await online();
      await store.setSearching(a.id, true, T0);
      await store.setSearching(b.id, true, T0);
      const r = await store.leaveChat(b.id, T0 + 1);
      expect(sortEvents(r.events)).toEqual(
        sortEvents([
          { type: 'chat_ended', chatId: expect.any(String), userId: b.id, reason: 'left' },
          { type: 'chat_ended', chatId: expect.any(String), userId: a.id, reason: 'partner_left' },
        ] as PresenceEvent[]),
      );
      expect(await stats(T0 + 1)).toMatchObject({ connectedUsers: 0, onlineUsers: 2 });
      await expect(store.leaveChat(a.id, T0 + 2)).rejects.toMatchObject({ code: 'not_in_chat' });
    });

    it('hiding leaves the queue and the chat', async () => {
      const a = await online();
      const b = await online();
      const c = await online();
      await store.setSearching(c.id, true, T0);
      await store.setOnline(c.id, false, T0 + 1);
      expect(await stats(T0 + 1)).toMatchObject({ availableUsers: 0, onlineUsers: 2 });
      await store.setSearching(a.id, true, T0 + 2);
      const r = await store.setSearching(b.id, true, T0 + 3);
      expect(r.presence.partner?.id).toBe(a.id);
      const hid = await store.setOnline(a.id, false, T0 + 4);
      expect(hid.events).toContainEqual(expect.objectContaining({ userId: b.id, reason: 'partner_left' }));
      expect(await stats(T0 + 4)).toMatchObject({ connectedUsers: 0, onlineUsers: 1 });
      // Searching shows a hidden user again.
      const back = await store.setSearching(c.id, true, T0 + 5);
      expect(back.presence).toMatchObject({ isOnline: true, isSearching: true });
    });

    it('a partner gone past the grace ends the chat with partner_gone', async () => {
      const a = await online();
      const b = await online();
      await store.setSearching(a.id, true, T0);
      await store.setSearching(b.id, true, T0);
      await store.disconnect(b.id, b.connId, T0 + 10);
      expect((await stats(T0 + 10)).connectedUsers).toBe(2);
      const r = await store.sweep(T0 + 10 + CONTRACT_TIMINGS.leaveGraceMs);
      expect(r.events).toContainEqual(expect.objectContaining({ type: 'chat_ended', userId: a.id, reason: 'partner_gone' }));
      expect(await stats(T0 + 2_000)).toMatchObject({ connectedUsers: 0, onlineUsers: 1 });
    });

    it('ending a session drops every count at once and ends its chat', async () => {
      const a = await online();
      const b = await online();
      await store.setSearching(a.id, true, T0);
      await store.setSearching(b.id, true, T0);
      const r = await store.endSession(b.id, T0 + 1, 'deleted');
      expect(r.events).toContainEqual({ type: 'session_ended', userId: b.id, reason: 'deleted' });
      expect(r.events).toContainEqual(expect.objectContaining({ userId: a.id, reason: 'partner_gone' }));
      expect(await stats(T0 + 1)).toMatchObject({ totalUsers: 1, onlineUsers: 1, activeUsers: 1, connectedUsers: 0 });
      expect(await store.getSession(b.id, T0 + 1)).toBeNull();
      await expect(store.connect({ userId: b.id, connId: 'c', nodeId: 'n', now: T0 + 2 })).rejects.toMatchObject({
        code: 'session_not_found',
      });
      expect((await store.endSession(b.id, T0 + 3, 'deleted')).events).toEqual([]);
    });

    it('sweeps expired sessions with session_ended expired', async () => {
      const id = await user(T0);
      const end = T0 + CONTRACT_TIMINGS.sessionTtlMs;
      expect((await stats(end)).totalUsers).toBe(0);
      const r = await store.sweep(end);
      expect(r.events).toContainEqual({ type: 'session_ended', userId: id, reason: 'expired' });
      expect((await stats(end)).totalUsers).toBe(0);
    });

    it('dropNode removes only that node\'s connections', async () => {
      const a = await online(T0, 'dead');
      const b = await online(T0, 'alive');
      await store.connect({ userId: b.id, connId: uid('c'), nodeId: 'dead', now: T0 });
      await store.dropNode('dead', T0 + 1);
      expect((await store.getSession(a.id, T0 + 1))?.connections).toBe(0);
      expect((await store.getSession(b.id, T0 + 1))?.connections).toBe(1);
      await store.sweep(T0 + 1 + CONTRACT_TIMINGS.leaveGraceMs);
      expect((await stats(T0 + 2_000)).onlineUsers).toBe(1);
    });

    it('seq increases exactly when the snapshot changes; recent users newest first', async () => {
      const s1 = await store.stats(T0);
      const s2 = await store.stats(T0);
      expect(s2.seq).toBe(s1.seq);
      const a = await online(T0 + 1);
      const b = await online(T0 + 2);
      const s3 = await store.stats(T0 + 2);
      expect(s3.seq).toBeGreaterThan(s2.seq);
      expect(s3.recent.map((u) => u.id)).toEqual([b.id, a.id]);
      expect(s3.recent[0]).toMatchObject({ username: `name-${b.id}`, status: 'online', since: T0 + 2 });
      await store.setSearching(a.id, true, T0 + 3);
      const s4 = await store.stats(T0 + 3);
      expect(s4.seq).toBeGreaterThan(s3.seq);
      expect(s4.recent[1]?.status).toBe('searching');
    });

    it('pages online users newest first with a cursor, each once', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await online(T0 + i)).id);
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let guard = 0; guard < 10; guard++) {
        const page = await store.listOnline(cursor, 3);
        seen.push(...page.users.map((u) => u.id));
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      expect(seen).toEqual([...ids].reverse());
      expect((await store.listOnline(null, 100)).nextCursor).toBeNull();
    });

    it('logs online changes for subscribers, by cursor', async () => {
      const start = await store.readChanges(null, 100);
      expect(start.changes).toEqual([]);
      const a = await online(T0);
      await store.setSearching(a.id, true, T0 + 1);
      await store.disconnect(a.id, a.connId, T0 + 2);
      await store.sweep(T0 + 2 + CONTRACT_TIMINGS.leaveGraceMs);
      const read = await store.readChanges(start.cursor, 100);
      expect(read.truncated).toBe(false);
      expect(read.changes).toEqual([
        { kind: 'joined', user: expect.objectContaining({ id: a.id, status: 'online' }) },
        { kind: 'joined', user: expect.objectContaining({ id: a.id, status: 'searching' }) },
        { kind: 'left', userId: a.id },
      ]);
      const again = await store.readChanges(read.cursor, 100);
      expect(again.changes).toEqual([]);
    });

    it('keeps a capped history, filtered by time', async () => {
      for (let i = 0; i < 8; i++) {
        await store.appendHistory({ t: T0 + i, onlineUsers: i, activeUsers: i, availableUsers: 0, connectedUsers: 0 });
      }
      const all = await store.readHistory(0);
      expect(all.map((p) => p.t)).toEqual([3, 4, 5, 6, 7].map((i) => T0 + i));
      expect((await store.readHistory(T0 + 6)).length).toBe(2);
    });

    extraContract({ store: () => store, user, online, stats, uid, T0, timings: CONTRACT_TIMINGS, expectTruth });

    it('keeps the counts equal to the truth under random operations', async () => {
      const ids: string[] = [];
      const conns = new Map<string, string[]>();
      for (let i = 0; i < 8; i++) {
        ids.push(await user(T0));
        conns.set(ids[i] as string, []);
      }
      let now = T0;
      const op = fc.record({
        user: fc.integer({ min: 0, max: 7 }),
        kind: fc.constantFrom('connect', 'disconnect', 'search', 'cancel', 'leave', 'hide', 'show', 'sweep', 'end'),
        dt: fc.integer({ min: 0, max: 700 }),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 20, maxLength: 60 }), async (ops) => {
          for (const o of ops) {
            now += o.dt;
            const id = ids[o.user] as string;
            const list = conns.get(id) ?? [];
            try {
              if (o.kind === 'connect') {
                const c = uid('c');
                await store.connect({ userId: id, connId: c, nodeId: 'n', now });
                list.push(c);
              } else if (o.kind === 'disconnect' && list.length) {
                await store.disconnect(id, list.shift() as string, now);
              } else if (o.kind === 'search') await store.setSearching(id, true, now);
              else if (o.kind === 'cancel') await store.setSearching(id, false, now);
              else if (o.kind === 'leave') await store.leaveChat(id, now);
              else if (o.kind === 'hide') await store.setOnline(id, false, now);
              else if (o.kind === 'show') await store.setOnline(id, true, now);
              else if (o.kind === 'sweep') await store.sweep(now);
              else if (o.kind === 'end' && o.dt % 7 === 0) {
                await store.endSession(id, now, 'deleted');
                list.length = 0;
              }
            } catch (e) {
              if (!(e && typeof e === 'object' && 'code' in e)) throw e;
            }
            await expectTruth(store, ids, now);
          }
        }),
        { numRuns: 15 },
      );
    });
  });
}

/** Recomputes the counts from the sessions themselves and compares with stats(). */
async function expectTruth(store: PresenceStore, ids: string[], now: number): Promise<void> {
  const snap = await store.stats(now);
  expect(brokenInvariant(snap.stats)).toBeNull();
  const sessions = (await Promise.all(ids.map((id) => store.getSession(id, now)))).filter((s) => s !== null);
  const truth = {
    totalUsers: sessions.length,
    onlineUsers: sessions.filter((s) => s.onlineSince !== null).length,
    activeUsers: sessions.filter((s) => s.lastSeen >= now - CONTRACT_TIMINGS.activeWindowMs).length,
    availableUsers: sessions.filter((s) => s.searching).length,
    connectedUsers: sessions.filter((s) => s.partner !== null).length,
  };
  expect(snap.stats).toEqual(truth);
  for (const s of sessions) {
    if (s.partner) {
      const p = sessions.find((x) => x.id === s.partner?.id);
      expect(p?.partner?.id).toBe(s.id);
      expect(p?.chatId).toBe(s.chatId);
      expect(s.searching).toBe(false);
    }
    if (s.searching || s.partner) expect(s.onlineSince).not.toBeNull();
  }
}

function sortEvents(events: PresenceEvent[]): PresenceEvent[] {
  return [...events].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
