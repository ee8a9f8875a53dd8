import { describe, expect, it } from 'vitest';
import { appendIncoming, appendSending, settleSending } from '../../client/chat.js';
import { appendHistoryPoint, historyPoint, sampleSpacing } from '../../client/history.js';
import type { ChatMessage, HistoryPoint } from '../../server/protocol.js';
import { stats, user } from './support/fixtures.js';

const msg = (id: string, text = 'hi'): ChatMessage => ({ chatId: 'c', messageId: id, from: user('p'), text, sentAt: 5 });

describe('chat entries', () => {
  it('appends incoming messages once per messageId', () => {
    const a = appendIncoming([], msg('m1'));
    expect(a).toEqual([{ id: 'm1', chatId: 'c', from: user('p'), text: 'hi', sentAt: 5, mine: false, state: 'sent' }]);
    expect(appendIncoming(a, msg('m1', 'again'))).toBe(a);
    expect(appendIncoming(a, msg('m2'))).toHaveLength(2);
  });

  it('keeps at most `max` entries, dropping the oldest', () => {
    let chat = appendIncoming([], msg('m0'));
    for (let i = 1; i < 10; i++) chat = appendIncoming(chat, msg(`m${i}`), 3);
    expect(chat.map((e) => e.id)).toEqual(['m7', 'm8', 'm9']);
  });

  it('my message goes sending → sent with the server id and time, or → failed', () => {
    const own = { localId: 'local-1', chatId: 'c', from: user('me'), text: 'yo', at: 10 };
    const sending = appendSending([], own);
    expect(sending[0]).toMatchObject({ id: 'local-1', mine: true, state: 'sending' });
    const sent = settleSending(sending, 'local-1', { state: 'sent', messageId: 'srv-1', sentAt: 12 });
    expect(sent[0]).toMatchObject({ id: 'srv-1', sentAt: 12, state: 'sent', text: 'yo' });
    expect(settleSending(sending, 'local-1', { state: 'failed' })[0]).toMatchObject({ id: 'local-1', state: 'failed' });
    expect(settleSending(sent, 'local-1', { state: 'failed' })).toBe(sent); // settled once only
  });
});

describe('history', () => {
  const pts = (...ts: number[]): HistoryPoint[] => ts.map((t) => historyPoint(stats(t % 7), t));

  it('infers the sample period from the last two points', () => {
    expect(sampleSpacing(pts(0, 60_000, 120_000))).toBe(60_000);
    expect(sampleSpacing(pts(0), 1234)).toBe(1234);
    expect(sampleSpacing([], 99)).toBe(99);
  });

  it('appends a live point only once a period has passed', () => {
    const h = pts(0, 60_000);
    expect(appendHistoryPoint(h, historyPoint(stats(3), 90_000), 60_000)).toBe(h);
    const next = appendHistoryPoint(h, historyPoint(stats(3), 120_000), 60_000);
    expect(next.map((p) => p.t)).toEqual([0, 60_000, 120_000]);
    expect(next[2]).toEqual({ t: 120_000, onlineUsers: 3, activeUsers: 4, availableUsers: 0, connectedUsers: 0 });
    expect(appendHistoryPoint([], historyPoint(stats(1), 5), 60_000)).toHaveLength(1);
  });

  it('keeps at most `max` points', () => {
    const next = appendHistoryPoint(pts(0, 10, 20), historyPoint(stats(1), 30), 10, 3);
    expect(next.map((p) => p.t)).toEqual([10, 20, 30]);
  });
});
