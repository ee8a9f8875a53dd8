/**
 * RedisStore recovery of a pairing (search, central match, two claims, pair done) left half-done
 * by one failed script call and finished by a later sweep (see redis.recovery.test.ts and
 * match.ts). Time is driven through `now`.
 */
import { describe, expect, it } from 'vitest';
import { RECOVER_AFTER_MS } from '../../../server/store/redis/match.js';
import { SCRIPTS } from '../../../server/store/redis/scripts.js';
import {
  T0,
  centralQueue,
  chatState,
  counts,
  due,
  halfDonePairing,
  ofType,
  pendingPairs,
  pub,
  recoveryStores,
  user,
} from './recovery-support.js';

const freshStore = recoveryStores();

describe('RedisStore recovery: pairing', () => {
  it("completes a pending pair when the requester's claim failed", async () => {
    const fx = await freshStore();
    const { store } = fx;
    // match.lua pairs b with a (who waited); a's claim goes through, b's (the second) fails.
    const t1 = await halfDonePairing(fx, SCRIPTS.claim, 1);

    // Half-done: a is claimed into the chat, b is still searching, the pair is pending.
    const a = await chatState(store, 'a', t1);
    expect(a).toEqual({ partner: 'b', chatId: expect.any(String), searching: false });
    const chatId = a.chatId;
    expect(await chatState(store, 'b', t1)).toEqual({ partner: null, chatId: null, searching: true });
// connected: only a is claimed so far; stats read a half chat as none (rounded down to even).
    expect(await counts(store, t1)).toEqual({ available: 1, connected: 0, online: 2 });
    expect(await pendingPairs(fx)).toBe(1);
    expect(await centralQueue(fx)).toEqual([]);

    // Not yet due.
    expect((await store.sweep(t1 + 1_000)).events).toEqual([]);
    expect(await chatState(store, 'b', t1 + 1_000)).toEqual({ partner: null, chatId: null, searching: true });
    expect(await pendingPairs(fx)).toBe(1);

    const late = await store.sweep(due(t1));
    expect(late.events).toEqual([{ type: 'matched', chatId, users: [pub('a'), pub('b')] }]);
    expect(await chatState(store, 'a', due(t1))).toEqual({ partner: 'b', chatId, searching: false });
    expect(await chatState(store, 'b', due(t1))).toEqual({ partner: 'a', chatId, searching: false });
    expect(await counts(store, due(t1))).toEqual({ available: 0, connected: 2, online: 2 });
    expect(await pendingPairs(fx)).toBe(0);

    expect(ofType((await store.sweep(due(t1) + RECOVER_AFTER_MS)).events, 'matched')).toEqual([]);

    // Nobody is paired twice: a new searcher waits instead of taking a or b.
    await user(store, 'c', due(t1));
    const c = await store.setSearching('c', true, due(t1) + 10);
    expect(c.events).toEqual([]);
    expect(c.presence).toMatchObject({ isSearching: true, partner: null, chatId: null });
    expect(await chatState(store, 'a', due(t1) + 10)).toEqual({ partner: 'b', chatId, searching: false });
    expect(await chatState(store, 'b', due(t1) + 10)).toEqual({ partner: 'a', chatId, searching: false });
    expect(await counts(store, due(t1) + 10)).toEqual({ available: 1, connected: 2, online: 3 });
  });

  it('re-offers a search the central queue never heard of (match.lua failed)', async () => {
    const fx = await freshStore();
    const { store } = fx;
    await user(store, 'b');
    await user(store, 'c');
    const t1 = T0 + 1_000;

    fx.client.failNext(SCRIPTS.match);
    const started = await store.setSearching('b', true, t1);
    expect(started.events).toEqual([]);
    expect(started.presence.isSearching).toBe(true);
    expect(fx.client.failed).toEqual(['match']);
    // b searches in its bucket, but the central queue does not know b.
    expect(await chatState(store, 'b', t1)).toEqual({ partner: null, chatId: null, searching: true });
    expect(await centralQueue(fx)).toEqual([]);
    expect(await counts(store, t1)).toEqual({ available: 1, connected: 0, online: 2 });

    // So c, searching next, is not paired with b: c waits.
    const c = await store.setSearching('c', true, t1 + 100);
    expect(c.events).toEqual([]);
    expect(c.presence).toMatchObject({ isSearching: true, partner: null, chatId: null });
    expect(await centralQueue(fx)).toEqual(['c']);
    expect(await counts(store, t1 + 100)).toEqual({ available: 2, connected: 0, online: 2 });

    // Not yet due.
    expect((await store.sweep(t1 + 1_000)).events).toEqual([]);
    expect(await centralQueue(fx)).toEqual(['c']);

    // b's search is re-offered and pairs with c, who waited in the central queue (so c first).
    const late = await store.sweep(due(t1));
    const matched = ofType(late.events, 'matched');
    expect(late.events).toEqual([{ type: 'matched', chatId: expect.any(String), users: [pub('c'), pub('b')] }]);
    const chatId = matched[0]?.chatId;
    expect(await chatState(store, 'b', due(t1))).toEqual({ partner: 'c', chatId, searching: false });
    expect(await chatState(store, 'c', due(t1))).toEqual({ partner: 'b', chatId, searching: false });
    expect(await counts(store, due(t1))).toEqual({ available: 0, connected: 2, online: 2 });
    expect(await centralQueue(fx)).toEqual([]);
    expect(await pendingPairs(fx)).toBe(0);

    expect(ofType((await store.sweep(due(t1 + 100) + RECOVER_AFTER_MS)).events, 'matched')).toEqual([]);
    expect(await chatState(store, 'b', due(t1 + 100) + RECOVER_AFTER_MS)).toEqual({ partner: 'c', chatId, searching: false });
  });

  it("completes a pending pair when the waiting user's claim failed", async () => {
    const fx = await freshStore();
    const { store } = fx;
    const t1 = await halfDonePairing(fx, SCRIPTS.claim);

    // Only the central decision was made: both still search in their buckets, the pair is pending.
    expect(await chatState(store, 'a', t1)).toEqual({ partner: null, chatId: null, searching: true });
    expect(await chatState(store, 'b', t1)).toEqual({ partner: null, chatId: null, searching: true });
    expect(await counts(store, t1)).toEqual({ available: 2, connected: 0, online: 2 });
    expect(await pendingPairs(fx)).toBe(1);
    expect(await centralQueue(fx)).toEqual([]);

    expect((await store.sweep(t1 + 1_000)).events).toEqual([]);
    expect(await pendingPairs(fx)).toBe(1);

    const late = await store.sweep(due(t1));
    expect(late.events).toEqual([{ type: 'matched', chatId: expect.any(String), users: [pub('a'), pub('b')] }]);
    const chatId = ofType(late.events, 'matched')[0]?.chatId;
    expect(await chatState(store, 'a', due(t1))).toEqual({ partner: 'b', chatId, searching: false });
    expect(await chatState(store, 'b', due(t1))).toEqual({ partner: 'a', chatId, searching: false });
    expect(await counts(store, due(t1))).toEqual({ available: 0, connected: 2, online: 2 });
    expect(await pendingPairs(fx)).toBe(0);

    expect(ofType((await store.sweep(due(t1) + RECOVER_AFTER_MS)).events, 'matched')).toEqual([]);

    // Nobody is paired twice: a new searcher waits instead of taking a or b.
    await user(store, 'c', due(t1));
    const c = await store.setSearching('c', true, due(t1) + 10);
    expect(c.events).toEqual([]);
    expect(c.presence).toMatchObject({ isSearching: true, partner: null });
    expect(await chatState(store, 'a', due(t1) + 10)).toEqual({ partner: 'b', chatId, searching: false });
    expect(await chatState(store, 'b', due(t1) + 10)).toEqual({ partner: 'a', chatId, searching: false });
  });

  it('leaves a searcher who waited in the central queue meanwhile waiting, in their place', async () => {
    const fx = await freshStore();
    const { store } = fx;
    const t1 = await halfDonePairing(fx, SCRIPTS.claim, 1, ['d']);
    // d searches after the failure: the queue is empty (a was taken by the pending pair), d waits.
    const d = await store.setSearching('d', true, t1 + 100);
    expect(d.events).toEqual([]);
    expect(await centralQueue(fx)).toEqual(['d']);

    const late = await store.sweep(due(t1));
    expect(late.events).toEqual([{ type: 'matched', chatId: expect.any(String), users: [pub('a'), pub('b')] }]);
    const chatId = ofType(late.events, 'matched')[0]?.chatId;
    expect(await chatState(store, 'a', due(t1))).toEqual({ partner: 'b', chatId, searching: false });
    expect(await chatState(store, 'b', due(t1))).toEqual({ partner: 'a', chatId, searching: false });
    expect(await chatState(store, 'd', due(t1))).toEqual({ partner: null, chatId: null, searching: true });
    expect(await counts(store, due(t1))).toEqual({ available: 1, connected: 2, online: 3 });
    expect(await pendingPairs(fx)).toBe(0);
    expect(await centralQueue(fx)).toEqual(['d']);

    // d is still the one waiting: the next searcher gets d.
    await user(store, 'e', due(t1));
    const e = await store.setSearching('e', true, due(t1) + 10);
    expect(e.events).toEqual([{ type: 'matched', chatId: expect.any(String), users: [pub('d'), pub('e')] }]);
    expect(await counts(store, due(t1) + 10)).toEqual({ available: 0, connected: 4, online: 4 });
  });

  it('gives a pending pair up when the requester cancelled the search in between', async () => {
    const fx = await freshStore();
    const { store } = fx;
    const t1 = await halfDonePairing(fx, SCRIPTS.claim, 1);
    expect(await chatState(store, 'a', t1)).toMatchObject({ partner: 'b', searching: false });

    // b stops searching before any sweep: b's claim can no longer succeed.
    const cancel = await store.setSearching('b', false, t1 + 100);
    expect(cancel.events).toEqual([]);
    expect(cancel.presence).toMatchObject({ isSearching: false, partner: null });

    const late = await store.sweep(due(t1));
    expect(late.events).toEqual([]);
    // a's claim is undone: a is back on the search (and in the central queue), b stays out.
    expect(await chatState(store, 'a', due(t1))).toEqual({ partner: null, chatId: null, searching: true });
    expect(await chatState(store, 'b', due(t1))).toEqual({ partner: null, chatId: null, searching: false });
    expect(await counts(store, due(t1))).toEqual({ available: 1, connected: 0, online: 2 });
    expect(await pendingPairs(fx)).toBe(0);
    expect(await centralQueue(fx)).toEqual(['a']);

    // The next searcher gets a at once.
    await user(store, 'c', due(t1));
    const c = await store.setSearching('c', true, due(t1) + 10);
    expect(c.events).toEqual([{ type: 'matched', chatId: expect.any(String), users: [pub('a'), pub('c')] }]);
    expect(await counts(store, due(t1) + 10)).toEqual({ available: 0, connected: 2, online: 3 });
  });

  // Found by these tests: sweep() collects the long searches to re-offer (sweep.lua `w`) before
  // Matcher.recover() completes the due pending pairs, so a user whose search such a pair just
  // claimed was offered to match.lua again with the finished search's token. Fixed: recover()
  // reads each search again before offering it.

  it('the recovery sweep does not re-queue the requester whose pending pair it completed', async () => {
    const fx = await freshStore();
    const { store } = fx;
    const t1 = await halfDonePairing(fx, SCRIPTS.claim, 1);
    expect(await centralQueue(fx)).toEqual([]);

    const late = await store.sweep(due(t1));
    expect(ofType(late.events, 'matched')).toHaveLength(1);
    expect(await chatState(store, 'b', due(t1))).toMatchObject({ partner: 'a', searching: false });
    // b is in a chat, so the central queue does not hold b (before the fix: a stale ['b']).
    expect(await centralQueue(fx)).toEqual([]);
  });

  it('the recovery sweep leaves a searcher who only waited untouched', async () => {
    const fx = await freshStore();
    const { store } = fx;
    const t1 = await halfDonePairing(fx, SCRIPTS.claim, 1, ['d']);
    await store.setSearching('d', true, t1 + 100);
    const before = await store.readChanges(null, 1_000);

    await store.sweep(due(t1));
    const changes = (await store.readChanges(before.cursor, 1_000)).changes;
    // d, who only waited, is not touched (before the fix: claimed into a chat with b's finished
    // search, then put back; a heartbeat in between would have shown d a partner).
    expect(changes.filter((c) => c.kind === 'joined' && c.user.id === 'd')).toEqual([]);
  });
});
