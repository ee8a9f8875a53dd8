/**
 * More of the PresenceStore contract, run inside storeContract so every store gets it (memory,
 * Redis, Redis Cluster, FailoverStore): the node-lifecycle and outage operations (leases, a
 * node's connections, idempotent connect, restoreSessions), idempotent history, and searching
 * without a connection. Kept apart only to keep contract.ts short.
 */
import { expect, it } from 'vitest';
import type { PresenceStore, SessionRecord, StoreTimings } from '../../../server/store/types.js';
import type { Stats } from '../../../server/protocol.js';

export interface ContractContext {
  /** the store of the running test */
  store(): PresenceStore;
  /** a new session; returns its id */
  user(now?: number, tag?: string): Promise<string>;
  /** a new session with one connection on `node` */
  online(now?: number, node?: string): Promise<{ id: string; connId: string }>;
  stats(now?: number): Promise<Stats>;
  uid(tag?: string): string;
  T0: number;
  timings: StoreTimings;
  expectTruth(store: PresenceStore, ids: string[], now: number): Promise<void>;
}

export function extraContract(c: ContractContext): void {
  const { user, online, stats, uid, T0, expectTruth, timings: CONTRACT_TIMINGS } = c;
  const s = () => c.store();

  it('searching without a connection only shows the user: never queued, never online', async () => {
    const id = await user(T0);
    await s().setOnline(id, false, T0 + 1);
    const r = await s().setSearching(id, true, T0 + 2);
    expect(r.presence).toMatchObject({ isOnline: false, isSearching: false });
    expect((await s().getSession(id, T0 + 2))?.hidden).toBe(false);
    expect(await stats(T0 + 2)).toMatchObject({ onlineUsers: 0, availableUsers: 0 });
    // A searcher arriving later is not paired with them.
    const other = await online(T0 + 3);
    expect((await s().setSearching(other.id, true, T0 + 3)).events).toEqual([]);
    await expectTruth(s(), [id, other.id], T0 + 3);
  });

  it('appends history idempotently per t (several nodes sample the same period)', async () => {
    const point = (t: number, n: number) => ({ t, onlineUsers: n, activeUsers: n, availableUsers: 0, connectedUsers: 0 });
    await s().appendHistory(point(T0, 1));
    await s().appendHistory(point(T0, 2));
    await s().appendHistory(point(T0 - 1, 3));
    await s().appendHistory(point(T0 + 1, 4));
    expect((await s().readHistory(0)).map((p) => [p.t, p.onlineUsers])).toEqual([
      [T0, 1],
      [T0 + 1, 4],
    ]);
  });

  it('node leases: renewNode extends, expiredNodes lists lapsed ones, dropNode removes the lease', async () => {
    await s().renewNode('n1', T0, 1_000);
    await s().renewNode('n2', T0, 5_000);
    expect(await s().expiredNodes(T0 + 1_000)).toEqual([]);
    expect(await s().expiredNodes(T0 + 1_001)).toEqual(['n1']);
    await s().renewNode('n1', T0 + 1_001, 1_000);
    expect(await s().expiredNodes(T0 + 1_002)).toEqual([]);
    expect([...(await s().expiredNodes(T0 + 5_001))].sort()).toEqual(['n1', 'n2']);
    // The dead node's connections go with its lease.
    const a = await online(T0, 'n2');
    await s().dropNode('n2', T0 + 5_002);
    expect(await s().expiredNodes(T0 + 6_000)).toEqual(['n1']);
    expect((await s().getSession(a.id, T0 + 5_002))?.connections).toBe(0);
    // A node that never held a lease is not listed; dropping it is harmless.
    expect((await s().dropNode('ghost', T0 + 6_000)).events).toEqual([]);
    expect(await s().expiredNodes(T0 + 6_000)).toEqual(['n1']);
  });

  it('nodeConnections lists exactly the live connections a node registered', async () => {
    const a = await online(T0, 'n1');
    const b = await online(T0, 'n1');
    const bOther = uid('c');
    await s().connect({ userId: b.id, connId: bOther, nodeId: 'n2', now: T0 });
    const key = (c: { userId: string; connId: string }) => `${c.userId}/${c.connId}`;
    const list = async (node: string) => (await s().nodeConnections(node)).map(key).sort();
    expect(await list('n1')).toEqual([key({ userId: a.id, connId: a.connId }), key({ userId: b.id, connId: b.connId })].sort());
    expect(await list('n2')).toEqual([key({ userId: b.id, connId: bOther })]);
    await s().disconnect(b.id, b.connId, T0 + 1);
    expect(await list('n1')).toEqual([key({ userId: a.id, connId: a.connId })]);
    await s().endSession(a.id, T0 + 2, 'deleted');
    expect(await list('n1')).toEqual([]);
    await s().dropNode('n2', T0 + 3);
    expect(await list('n2')).toEqual([]);
    expect(await list('nobody')).toEqual([]);
  });

  it('connect is idempotent for an already-registered connection (re-assert after an outage)', async () => {
    const a = await online(T0, 'n1');
    const before = await s().getSession(a.id, T0);
    const again = await s().connect({ userId: a.id, connId: a.connId, nodeId: 'n1', now: T0 + 5 });
    expect(again.events).toEqual([]);
    expect(again.presence.isOnline).toBe(true);
    const after = await s().getSession(a.id, T0 + 5);
    expect(after).toMatchObject({ connections: 1, onlineSince: before?.onlineSince, lastSeen: T0 + 5 });
    expect(await s().nodeConnections('n1')).toEqual([{ userId: a.id, connId: a.connId }]);
    expect(await stats(T0 + 5)).toMatchObject({ totalUsers: 1, onlineUsers: 1 });
    // One disconnect removes it: it was registered once.
    await s().disconnect(a.id, a.connId, T0 + 6);
    await s().sweep(T0 + 6 + CONTRACT_TIMINGS.leaveGraceMs);
    expect((await stats(T0 + 6 + CONTRACT_TIMINGS.leaveGraceMs)).onlineUsers).toBe(0);
  });

  it('restoreSessions writes sessions back offline keeping id, name and times; skips existing and expired', async () => {
    const existing = await user(T0);
    const record = (id: string, over: Partial<SessionRecord> = {}): SessionRecord => ({
      id,
      username: `restored-${id}`,
      createdAt: T0 - 50_000,
      expiresAt: T0 + 40_000,
      lastSeen: T0 - 1_000,
      hidden: false,
      // What the store held when the record was taken; restored sessions come back without it.
      connections: 2,
      leavingAt: null,
      searching: true,
      partner: { id: 'p', username: 'partner' },
      chatId: 'chat',
      onlineSince: T0 - 2_000,
      ...over,
    });
    const fresh = uid('r');
    const hidden = uid('r');
    const old = uid('r');
    const written = await s().restoreSessions(
      [
        record(fresh),
        record(hidden, { hidden: true, lastSeen: T0 - CONTRACT_TIMINGS.activeWindowMs - 1 }),
        record(existing, { username: 'overwritten?' }),
        record(old, { expiresAt: T0 }),
      ],
      T0,
    );
    expect(written).toBe(2);
    expect(await s().getSession(fresh, T0)).toEqual({
      id: fresh,
      username: `restored-${fresh}`,
      createdAt: T0 - 50_000,
      expiresAt: T0 + 40_000,
      lastSeen: T0 - 1_000,
      hidden: false,
      connections: 0,
      leavingAt: null,
      searching: false,
      partner: null,
      chatId: null,
      onlineSince: null,
    });
    expect((await s().getSession(hidden, T0))?.hidden).toBe(true);
    expect((await s().getSession(existing, T0))?.username).toBe(`name-${existing}`);
    expect(await s().getSession(old, T0)).toBeNull();
    expect(await stats(T0)).toEqual({ totalUsers: 3, onlineUsers: 0, activeUsers: 2, availableUsers: 0, connectedUsers: 0 });
    // Again: nothing left to write.
    expect(await s().restoreSessions([record(fresh), record(hidden)], T0 + 1)).toBe(0);

    // Restored sessions work like any other: connect (hidden stays hidden), match, expire.
    await s().connect({ userId: fresh, connId: uid('c'), nodeId: 'n1', now: T0 + 2 });
    await s().connect({ userId: hidden, connId: uid('c'), nodeId: 'n1', now: T0 + 2 });
    expect(await stats(T0 + 2)).toMatchObject({ onlineUsers: 1, activeUsers: 3 });
    await s().setSearching(hidden, true, T0 + 3);
    const m = await s().setSearching(fresh, true, T0 + 4);
    expect(m.presence.partner?.id).toBe(hidden);
    await expectTruth(s(), [existing, fresh, hidden, old], T0 + 4);
    const ended = await s().sweep(T0 + 40_000);
    expect(ended.events).not.toContainEqual(expect.objectContaining({ type: 'session_ended', userId: fresh }));
    await s().disconnect(fresh, 'none', T0 + 40_000);
    expect((await s().getSession(fresh, T0 + 4 + CONTRACT_TIMINGS.sessionTtlMs - 1))?.id).toBe(fresh);
  });

  it('restoreSessions keeps the expiry order: restored sessions expire at their own expiresAt', async () => {
    const late = uid('r');
    const early = uid('r');
    const rec = (id: string, expiresAt: number): SessionRecord => ({
      id, username: id, createdAt: T0, expiresAt, lastSeen: T0, hidden: false, connections: 0,
      leavingAt: null, searching: false, partner: null, chatId: null, onlineSince: null,
    });
    await user(T0 + 10);
    expect(await s().restoreSessions([rec(late, T0 + 30_000), rec(early, T0 + 20_000)], T0 + 10)).toBe(2);
    expect((await stats(T0 + 20_000)).totalUsers).toBe(2);
    const swept = await s().sweep(T0 + 20_000);
    expect(swept.events).toEqual([{ type: 'session_ended', userId: early, reason: 'expired' }]);
    expect((await stats(T0 + 30_000)).totalUsers).toBe(1);
    expect((await s().sweep(T0 + 30_000)).events).toEqual([{ type: 'session_ended', userId: late, reason: 'expired' }]);
  });

  it('restoreSessions revives a session that expired but was not swept yet', async () => {
    const id = await user(T0);
    const now = T0 + CONTRACT_TIMINGS.sessionTtlMs + 10;
    expect(await s().getSession(id, now)).toBeNull();
    const rec: SessionRecord = {
      id, username: `name-${id}`, createdAt: T0, expiresAt: now + 5_000, lastSeen: now - 5, hidden: false,
      connections: 0, leavingAt: null, searching: false, partner: null, chatId: null, onlineSince: null,
    };
    expect(await s().restoreSessions([rec], now)).toBe(1);
    expect(await s().getSession(id, now)).toMatchObject({ id, createdAt: T0, expiresAt: now + 5_000, lastSeen: now - 5 });
    expect(await stats(now)).toMatchObject({ totalUsers: 1, activeUsers: 1 });
    expect((await s().sweep(now + 1)).events).toEqual([]);
    await s().connect({ userId: id, connId: uid('c'), nodeId: 'n1', now: now + 2 });
    expect((await stats(now + 2)).onlineUsers).toBe(1);
  });

  it('restoreSessions never revives a deleted session, even when the delete came first', async () => {
    const id = await user(T0);
    const before = await s().getSession(id, T0);
    if (!before) throw new Error('session missing');
    await s().endSession(id, T0 + 1, 'deleted');
    // A node that still holds a copy writes it back after an outage: the delete wins.
    expect(await s().restoreSessions([before], T0 + 2)).toBe(0);
    expect(await s().getSession(id, T0 + 2)).toBeNull();
    // Writing back a delete made elsewhere, for a session this store never had, leaves a tombstone too.
    const ghost = { ...before, id: `${id}-elsewhere` };
    await s().endSession(ghost.id, T0 + 3, 'deleted');
    expect(await s().restoreSessions([ghost], T0 + 4)).toBe(0);
    expect((await stats(T0 + 4)).totalUsers).toBe(0);
  });

}
