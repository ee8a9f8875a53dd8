/**
 * RedisStore recovery on a real redis-server: cross-bucket work left half-done by one failed
 * script call — as a node dying or a connection dropping between two steps would leave it — and
 * finished by a later sweep once it is RECOVER_AFTER_MS old. The operation whose follow-up
 * failed still succeeds (it happened). This file: the test setup itself and the partner release
 * through the outbox; redis.recovery-pairing.test.ts: the steps of a pairing. Time is driven
 * through `now`.
 */
import { describe, expect, it } from 'vitest';
import { storeKeys } from '../../../server/store/redis/keys.js';
import { RECOVER_AFTER_MS } from '../../../server/store/redis/match.js';
import { SCRIPTS } from '../../../server/store/redis/scripts.js';
import {
  BUCKETS,
  T0,
  chatState,
  counts,
  due,
  name,
  ofType,
  pair,
  recoveryStores,
  rejection,
  user,
} from './recovery-support.js';
import { CONTRACT_TIMINGS } from './contract.js';

const freshStore = recoveryStores();

describe('RedisStore recovery: test setup', () => {
  it('puts the users of every pair below in different buckets', () => {
    const keys = storeKeys('rr-check', BUCKETS);
    expect(['a', 'b', 'c', 'd', 'e'].map((id) => keys.bucketOf(id).index)).toEqual([3, 0, 1, 2, 3]);
  });

  it('fails exactly the armed call of a script, on EVALSHA and on EVAL alike', async () => {
    const fx = await freshStore();
    // No script cached: every first call goes EVALSHA -> NOSCRIPT -> EVAL, counted as one call.
    await fx.inspector.scriptFlush();
    fx.client.failNext(SCRIPTS.create_session, 1);
    await fx.store.createSession({ id: 'a', username: name('a'), now: T0 });
    const err = await rejection(fx.store.createSession({ id: 'b', username: name('b'), now: T0 }));
    expect(err.code).toBe('unavailable');
    expect(await fx.store.getSession('b', T0)).toBeNull();
    // Disarmed after one failure.
    await fx.store.createSession({ id: 'b', username: name('b'), now: T0 });
    expect(await fx.store.getSession('b', T0)).not.toBeNull();
    expect(fx.client.failed).toEqual(['create_session']);
    // Two calls reached Redis (the failed one did not), each once although both went through
    // EVALSHA -> NOSCRIPT -> EVAL: the script is cached now.
    expect(fx.client.calls.filter((n) => n === 'create_session')).toHaveLength(2);
    expect(await fx.inspector.scriptExists(SCRIPTS.create_session.sha1)).toEqual([1]);

    // A direct EVAL of an armed script (no EVALSHA before it) fails too.
    await fx.inspector.scriptFlush();
    fx.client.failNext(SCRIPTS.get_session);
    const key = fx.keys.bucketOf('a').user('a');
    await expect(fx.client.eval(SCRIPTS.get_session.source, { keys: [key], arguments: ['a'] })).rejects.toThrow(
      'injected failure of get_session',
    );
    expect(await fx.store.getSession('a', T0)).toMatchObject({ id: 'a', username: name('a') });
    expect(fx.client.failed).toEqual(['create_session', 'get_session']);
  });
});

describe('RedisStore recovery: partner release through the outbox', () => {
  it('releases the partner in the sweep when the release after leaveChat failed', async () => {
    const fx = await freshStore();
    const { store } = fx;
    await user(store, 'a');
    await user(store, 'b');
    const chatId = await pair(store, 'a', 'b', T0 + 10);
    const t1 = T0 + 1_000;

    fx.client.failNext(SCRIPTS.release);
    // leaveChat itself happened: it succeeds with the leaver's event; the release waits.
    const left = await store.leaveChat('a', t1);
    expect(left.events).toEqual([{ type: 'chat_ended', chatId, userId: 'a', reason: 'left' }]);
    expect(fx.client.failed).toEqual(['release']);

    // Half-done: the leaver is out, the partner (another bucket) is still in the chat.
    expect(await chatState(store, 'a', t1)).toEqual({ partner: null, chatId: null, searching: false });
    expect(await chatState(store, 'b', t1)).toEqual({ partner: 'a', chatId, searching: false });
// connected: only b is in the chat; stats read a half chat as none (rounded down to even).
    expect(await counts(store, t1)).toEqual({ available: 0, connected: 0, online: 2 });
    const outbox = fx.keys.bucketOf('a').outbox;
    expect(await fx.inspector.zRange(outbox, 0, -1)).toEqual([`b\0${chatId}\0partner_left`]);

    // Not yet due: a live node may still be doing it.
    const early = await store.sweep(t1 + 1_000);
    expect(early.events).toEqual([]);
    expect(await chatState(store, 'b', t1 + 1_000)).toEqual({ partner: 'a', chatId, searching: false });
    expect(await fx.inspector.zCard(outbox)).toBe(1);

    const late = await store.sweep(due(t1));
    expect(late.events).toEqual([{ type: 'chat_ended', chatId, userId: 'b', reason: 'partner_left' }]);
    expect(await chatState(store, 'a', due(t1))).toEqual({ partner: null, chatId: null, searching: false });
    expect(await chatState(store, 'b', due(t1))).toEqual({ partner: null, chatId: null, searching: false });
    expect(await counts(store, due(t1))).toEqual({ available: 0, connected: 0, online: 2 });
    expect(await fx.inspector.zCard(outbox)).toBe(0);

    // Acknowledged: nothing is released twice.
    const again = await store.sweep(due(t1) + RECOVER_AFTER_MS);
    expect(ofType(again.events, 'chat_ended')).toEqual([]);
    expect(fx.client.failed).toEqual(['release']);
  });

  it('re-runs the release harmlessly when only the outbox ack failed', async () => {
    const fx = await freshStore();
    const { store } = fx;
    await user(store, 'a');
    await user(store, 'b');
    const chatId = await pair(store, 'a', 'b', T0 + 10);
    const t1 = T0 + 1_000;

    fx.client.failNext(SCRIPTS.outbox_ack);
    const left = await store.leaveChat('a', t1);
    expect(left.events).toEqual([
      { type: 'chat_ended', chatId, userId: 'a', reason: 'left' },
      { type: 'chat_ended', chatId, userId: 'b', reason: 'partner_left' },
    ]);
    expect(fx.client.failed).toEqual(['outbox_ack']);

    // The release itself went through: both are out of the chat, only the ack is missing.
    expect(await chatState(store, 'a', t1)).toEqual({ partner: null, chatId: null, searching: false });
    expect(await chatState(store, 'b', t1)).toEqual({ partner: null, chatId: null, searching: false });
    expect(await counts(store, t1)).toEqual({ available: 0, connected: 0, online: 2 });
    const outbox = fx.keys.bucketOf('a').outbox;
    expect(await fx.inspector.zRange(outbox, 0, -1)).toEqual([`b\0${chatId}\0partner_left`]);

    expect((await store.sweep(t1 + 1_000)).events).toEqual([]);
    expect(await fx.inspector.zCard(outbox)).toBe(1);

    const releasesBefore = fx.client.calls.filter((n) => n === 'release').length;
    const late = await store.sweep(due(t1));
    // The release ran again (idempotent: b is no longer in that chat), told nobody, and was acked.
    expect(fx.client.calls.filter((n) => n === 'release').length).toBe(releasesBefore + 1);
    expect(ofType(late.events, 'chat_ended')).toEqual([]);
    expect(await fx.inspector.zCard(outbox)).toBe(0);
    expect(await chatState(store, 'b', due(t1))).toEqual({ partner: null, chatId: null, searching: false });
    expect(await counts(store, due(t1))).toEqual({ available: 0, connected: 0, online: 2 });
  });

  it('releases the partner with partner_gone when the sweep that took the leaver offline failed half-way', async () => {
    const fx = await freshStore();
    const { store } = fx;
    await user(store, 'a');
    await user(store, 'b');
    const chatId = await pair(store, 'a', 'b', T0 + 10);
    const t1 = T0 + 1_000;
    // a's last connection goes: a leaves the chat when the leave grace has passed.
    expect((await store.disconnect('a', 'conn-a', t1)).events).toEqual([]);
    const graceOver = t1 + CONTRACT_TIMINGS.leaveGraceMs;

    fx.client.failNext(SCRIPTS.release);
    const swept = await store.sweep(graceOver);
    expect(ofType(swept.events, 'chat_ended')).toEqual([{ type: 'chat_ended', chatId, userId: 'a', reason: 'left' }]);
    expect(fx.client.failed).toEqual(['release']);
    expect(await chatState(store, 'a', graceOver)).toEqual({ partner: null, chatId: null, searching: false });
    expect(await chatState(store, 'b', graceOver)).toEqual({ partner: 'a', chatId, searching: false });
// connected: only b is in the chat; stats read a half chat as none (rounded down to even).
    expect(await counts(store, graceOver)).toEqual({ available: 0, connected: 0, online: 1 });

    expect((await store.sweep(graceOver + 1_000)).events).toEqual([]);
    expect(await chatState(store, 'b', graceOver + 1_000)).toEqual({ partner: 'a', chatId, searching: false });

    const late = await store.sweep(due(graceOver));
    expect(late.events).toEqual([{ type: 'chat_ended', chatId, userId: 'b', reason: 'partner_gone' }]);
    expect(await chatState(store, 'b', due(graceOver))).toEqual({ partner: null, chatId: null, searching: false });
    expect(await counts(store, due(graceOver))).toEqual({ available: 0, connected: 0, online: 1 });
    expect(await fx.inspector.zCard(fx.keys.bucketOf('a').outbox)).toBe(0);
    expect(ofType((await store.sweep(due(graceOver) + RECOVER_AFTER_MS)).events, 'chat_ended')).toEqual([]);
  });
});
