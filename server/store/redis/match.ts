/**
 * Pairing across buckets. The decision is one atomic step on the central queue (match.lua:
 * first come, first served, nobody paired twice); carrying it out touches the two users'
 * buckets, so it runs as idempotent steps that a sweep can finish:
 *
 *   1. search.lua  the requester is marked searching (token T) in their bucket
 *   2. match.lua   central: pairs them with the longest-waiting searcher A (kept as pending),
 *                  or queues them
 *   3. claim.lua   A is claimed into the chat if still on the same search, then the requester;
 *                  a claim that fails means that user left the search in between: if A was
 *                  gone, the requester tries the next searcher; if the requester was gone, A's
 *                  claim is undone (unclaim.lua) and A goes back to their place in the queue
 *   4. pair_done   the pending pair is forgotten; `matched` is told
 *
 * A node that dies between 2 and 4 leaves a pending pair, finished by the next sweep after
 * RECOVER_AFTER_MS (steps 3 and 4 again; claims of a user already in that chat succeed
 * unchanged). One that dies between 1 and 2 leaves a searcher the queue does not know: the
 * sweep offers long searches to the queue again (a no-op for one already waiting there).
 */
import { randomUUID } from 'node:crypto';
import type { PresenceEvent, SessionRecord } from '../types.js';
import type { StoreContext } from './context.js';
import { decodePairs, decodeSearcher, decodeSession, type Searcher } from './decode.js';
import { SCRIPTS } from './scripts.js';

/** Cross-tag work older than this (by the callers' clocks) is taken as left by a failed node. */
export const RECOVER_AFTER_MS = 5_000;
/** Pairing attempts per offer; each failed one drops a stale queue entry, so few are needed. */
const MAX_ATTEMPTS = 100;
/** Pending pairs one sweep finishes. */
const MAX_DUE_PAIRS = 100;

interface Pair {
  chatId: string;
  /** the one who waited (their place: arrival) */
  a: Searcher;
  /** the one who arrived */
  b: Searcher;
}

export interface OfferResult {
  events: PresenceEvent[];
  /** the offered user's record when they were paired */
  paired: SessionRecord | null;
}

export class Matcher {
  constructor(private readonly c: StoreContext) {}

  /** Offers a searcher to the central queue: paired with the longest-waiting one, or waiting. */
  async offer(searcher: Searcher, now: number): Promise<OfferResult> {
    const result: OfferResult = { events: [], paired: null };
    const q = this.c.keys.central;
    let current: Searcher | null = searcher;
    for (let i = 0; current && i < MAX_ATTEMPTS; i++) {
      const chatId = randomUUID();
      const out = await this.c.run.json(SCRIPTS.match, [q.queue, q.queueSeq, q.queueInfo, q.pairs, q.pairsAt], [
        current.id,
        current.token,
        current.name,
        chatId,
        now,
        current.arrival ?? '',
      ]);
      if (out.p === undefined) break;
      const b: Searcher = current;
      const step = await this.complete({ chatId, a: decodeSearcher(out.p), b }, now, result.events);
      if (step.paired && b.id === searcher.id) result.paired = step.paired;
      current = step.again;
    }
    return result;
  }

  /** Finishes the pairs a failed node left pending, and re-offers searches the queue lost. */
  async recover(now: number, waiting: readonly Searcher[]): Promise<PresenceEvent[]> {
    const q = this.c.keys.central;
    const out = await this.c.run.json(SCRIPTS.pairs_due, [q.pairs, q.pairsAt], [now - RECOVER_AFTER_MS, MAX_DUE_PAIRS]);
    const events: PresenceEvent[] = [];
    for (const pair of decodePairs(out.x)) {
      const { again } = await this.complete(pair, now, events);
      if (again) events.push(...(await this.offer(again, now)).events);
    }
    for (const s of waiting) {
      // Read again: a pair just finished above (or by another node) may have claimed them, and
      // offering a finished search would put a stale entry in the queue.
      if (await this.stillSearching(s)) events.push(...(await this.offer(s, now)).events);
    }
    return events;
  }

  private async stillSearching(s: Searcher): Promise<boolean> {
    const out = await this.c.run.json(SCRIPTS.get_session, [this.c.keys.bucketOf(s.id).user(s.id)], [s.id]);
    const r = out.r as Record<string, unknown> | undefined;
    return r?.searching === '1' && r.st === s.token;
  }

  /**
   * Steps 3 and 4 for one pair: `matched` goes to `events`; returns who must be offered again,
   * if anyone, and b's record when the pair was made.
   */
  private async complete(pair: Pair, now: number, events: PresenceEvent[]) {
    const { chatId, a, b } = pair;
    const claimedA = await this.claim(a, b, chatId, now);
    if (!claimedA) {
      await this.done(chatId);
      return { again: b, paired: null };
    }
    const paired = await this.claim(b, a, chatId, now);
    if (!paired) {
      const back = await this.c.user('unclaim', a.id, now, [chatId, a.token]);
      await this.done(chatId);
      return { again: back.s === 1 ? a : null, paired: null };
    }
    await this.done(chatId);
    events.push({ type: 'matched', chatId, users: [{ id: a.id, username: a.name }, { id: b.id, username: b.name }] });
    return { again: null, paired };
  }

  private async claim(user: Searcher, partner: Searcher, chatId: string, now: number): Promise<SessionRecord | null> {
    const partnerBase = this.c.keys.bucketOf(partner.id).base;
    const out = await this.c.user('claim', user.id, now, [user.token, chatId, partner.id, partner.name, partnerBase]);
    return out.r === undefined ? null : decodeSession(out.r);
  }

  private async done(chatId: string): Promise<void> {
    const q = this.c.keys.central;
    await this.c.run.raw(SCRIPTS.pair_done, [q.pairs, q.pairsAt], [chatId]);
  }
}
