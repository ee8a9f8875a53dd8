import { describe, expect, it } from 'vitest';
import {
  applyEstablished,
  applyPresence,
  applyPresenceConnected,
  applyStats,
  baselineStats,
  endChat,
  withConnection,
} from '../../client/snapshot.js';
import { initialSnapshot, type ClientSnapshot } from '../../client/types.js';
import { established, online, presence, stats, user } from './support/fixtures.js';

const base = (): ClientSnapshot => applyEstablished(initialSnapshot('http://x'), established(), 100);
const chatting = (chatId = 'c1'): ClientSnapshot =>
  applyPresenceConnected(base(), { chatId, partner: user('p'), reason: 'matched' }, 200);

describe('applyStats', () => {
  it('takes the first stats, then only newer seqs', () => {
    const s0 = initialSnapshot();
    const r1 = applyStats(s0, { stats: stats(3), seq: 5, timestamp: 1 });
    expect(r1).toMatchObject({ stale: false, gap: false });
    expect(r1.snapshot.stats?.stats.onlineUsers).toBe(3);
    const older = applyStats(r1.snapshot, { stats: stats(9), seq: 4, timestamp: 2 });
    expect(older.stale).toBe(true);
    expect(older.snapshot).toBe(r1.snapshot);
    const same = applyStats(r1.snapshot, { stats: stats(9), seq: 5, timestamp: 2 });
    expect(same.stale).toBe(true);
    expect(same.snapshot).toBe(r1.snapshot);
    const next = applyStats(r1.snapshot, { stats: stats(4), seq: 6, timestamp: 3 });
    expect(next).toMatchObject({ stale: false, gap: false });
    expect(next.snapshot.stats).toMatchObject({ seq: 6, timestamp: 3, stats: { onlineUsers: 4 } });
  });

  it('flags a gap when seq jumps by more than one, and still applies the newer stats', () => {
    const s = applyStats(initialSnapshot(), { stats: stats(3), seq: 5, timestamp: 1 }).snapshot;
    const r = applyStats(s, { stats: stats(7), seq: 8, timestamp: 2 });
    expect(r).toMatchObject({ stale: false, gap: true });
    expect(r.snapshot.stats?.seq).toBe(8);
  });

  it('the same seq only fills in recent users and a flipped degraded flag', () => {
    const s = applyStats(initialSnapshot(), { stats: stats(3), seq: 5, timestamp: 1 }).snapshot;
    const withRecent = applyStats(s, { stats: stats(9), seq: 5, timestamp: 2, degraded: false, recent: [online('a')] });
    expect(withRecent.stale).toBe(false);
    expect(withRecent.snapshot.stats).toMatchObject({ seq: 5, timestamp: 1, stats: { onlineUsers: 3 }, recent: [online('a')] });
    const flipped = applyStats(withRecent.snapshot, { stats: stats(3), seq: 5, timestamp: 3, degraded: true });
    expect(flipped.snapshot.stats).toMatchObject({ degraded: true, recent: [online('a')] });
    expect(applyStats(flipped.snapshot, { stats: stats(3), seq: 5, timestamp: 4, degraded: true }).stale).toBe(true);
  });

  it('keeps recent users and degraded from earlier updates when an input lacks them', () => {
    const s = applyStats(initialSnapshot(), { stats: stats(1), seq: 1, timestamp: 1, degraded: true, recent: [online('a')] }).snapshot;
    const r = applyStats(s, { stats: stats(2), seq: 2, timestamp: 2 }).snapshot;
    expect(r.stats).toMatchObject({ degraded: true, recent: [online('a')] });
  });

  it('baselineStats accepts a lower seq (a restarted server counts from the start)', () => {
    const s = applyStats(initialSnapshot(), { stats: stats(3), seq: 500, timestamp: 1 }).snapshot;
    const b = baselineStats(s, { stats: stats(1), seq: 2, timestamp: 9 });
    expect(b.stats).toMatchObject({ seq: 2, stats: { onlineUsers: 1 } });
    expect(applyStats(b, { stats: stats(2), seq: 3, timestamp: 10 }).stale).toBe(false);
  });
});

describe('match and presence', () => {
  it('established sets me, the stats baseline, and a chat the presence is in', () => {
    const s = applyEstablished(
      initialSnapshot(),
      established({ presence: presence({ partner: user('p'), chatId: 'c9' }), seq: 4 }),
      77,
    );
    expect(s.me?.user.id).toBe('me');
    expect(s.stats?.seq).toBe(4);
    expect(s.match).toEqual({ status: 'chatting', chatId: 'c9', partner: user('p'), since: 77 });
  });

  it('a match starts a chat and clears the previous messages; a repeat changes nothing', () => {
    const withOld: ClientSnapshot = { ...base(), chat: [{ id: 'm', chatId: 'c0', from: user('x'), text: 'old', sentAt: 1, mine: false, state: 'sent' }] };
    const s = applyPresenceConnected(withOld, { chatId: 'c1', partner: user('p'), reason: 'matched' }, 200);
    expect(s.match).toEqual({ status: 'chatting', chatId: 'c1', partner: user('p'), since: 200 });
    expect(s.chat).toEqual([]);
    expect(s.me?.presence).toMatchObject({ partner: user('p'), chatId: 'c1', isSearching: false });
    expect(applyPresenceConnected(s, { chatId: 'c1', partner: user('p'), reason: 'matched' }, 300)).toBe(s);
  });

  it('a null partner ends the chat with the reason and remembers the partner', () => {
    const s = applyPresenceConnected(chatting(), { chatId: 'c1', partner: null, reason: 'partner_left' }, 300);
    expect(s.match).toEqual({ status: 'idle', lastEnded: { reason: 'partner_left', partner: user('p') } });
    expect(s.me?.presence).toMatchObject({ partner: null, chatId: null });
  });

  it('ignores the end of a chat we are not in', () => {
    const s = chatting('c1');
    expect(applyPresenceConnected(s, { chatId: 'other', partner: null, reason: 'left' }, 300)).toBe(s);
    const idle = base();
    expect(applyPresenceConnected(idle, { chatId: 'c1', partner: null, reason: 'left' }, 300)).toBe(idle);
  });

  it('endChat after our own leave', () => {
    expect(endChat(chatting(), 'left').match).toEqual({ status: 'idle', lastEnded: { reason: 'left', partner: user('p') } });
    const idle = base();
    expect(endChat(idle, 'left')).toBe(idle);
  });

  it('presence from acks: searching, idle, and a chat that ended unseen', () => {
    const searching = applyPresence(base(), presence({ isSearching: true }), 10);
    expect(searching.match).toEqual({ status: 'searching', since: 10 });
    expect(applyPresence(searching, presence({ isSearching: true }), 20).match).toBe(searching.match);
    expect(applyPresence(searching, presence(), 30).match).toEqual({ status: 'idle', lastEnded: null });
    const ended = applyPresence(chatting(), presence(), 40);
    expect(ended.match).toEqual({ status: 'idle', lastEnded: { reason: 'partner_gone', partner: user('p') } });
    const hidden = applyPresence(base(), presence({ isOnline: false }), 50);
    expect(hidden.me?.presence.isOnline).toBe(false);
  });
});

describe('withConnection', () => {
  it('returns the same snapshot for an equal state and a new one otherwise', () => {
    const s = withConnection(initialSnapshot(), { status: 'connecting', attempt: 1 });
    expect(withConnection(s, { status: 'connecting', attempt: 1 })).toBe(s);
    expect(withConnection(s, { status: 'connecting', attempt: 2 }).connection).toEqual({ status: 'connecting', attempt: 2 });
  });
});
